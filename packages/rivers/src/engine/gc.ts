/**
 * Garbage collection of the store's files (`assets gc`): which artifacts go, and deleting them.
 *
 * What goes:
 * - artifacts of records the retention policy no longer keeps (asset's `retention`, else the
 *   project's; without one every record keeps its artifact), and of records `wipe` forgot;
 * - orphans: artifact and temp files that no record names (left by killed runs or failed writes);
 * - with no selection, the logs and job folders of runs older than the newest 20.
 *
 * A collected record's attached files (`ctx.attach`, kept under `attachments/<key>/<run>[/<partition>]`)
 * go with its artifact, and count in its bytes.
 *
 * What never goes: a current record's artifact, a pinned record's, a live run's (see
 * gc-safety.ts), and any file modified after the cutoff. A collected record keeps its row, marked
 * `collected_at`; the store marks it before its file is deleted, refusing current and pinned records
 * inside its write, so a concurrent pin or a new current record is never lost.
 */
import type { AssetDef, Project } from '../definitions/index.js'
import { retains } from '../definitions/retention.js'
import { pidAlive } from '../io/sweep.js'
import type { IOManager, StoredFile } from '../io/types.js'
import type { Store } from '../store/store.js'
import type { ArtifactRecord } from '../store/types.js'
import { deleteRunFiles, oldRunFiles, type RunFiles } from './gc-runs.js'
import { storedFileOf } from '../io/segments.js'
import { liveRuns, runOfPath, type LiveRuns } from './gc-safety.js'
import { attachedFiles, deleteAttached, hasAttachments } from './attachments.js'

const DAY_MS = 86_400_000

/** Why gc deletes a file. */
export type GcReason = 'retention' | 'wiped' | 'orphan' | 'temp'

/** One artifact file gc deletes (or would). */
export interface GcFile {
  key: string
  storagePath: string
  /** The artifact's size, plus the files its collected records attached. */
  bytes: number
  reason: GcReason
}

/**
 * What `assets gc` frees (a dry run) or freed (`--yes`).
 *
 * @example
 * const report: GcReport = await ws.gc([], { apply: false })
 * console.log(report.total.bytes)
 */
export interface GcReport {
  dryRun: boolean
  /** Per asset, the artifacts of its records that go (retention or wiped), key order. */
  assets: { key: string; artifacts: number; bytes: number }[]
  /** Files no record names. */
  orphans: { files: number; bytes: number }
  /** Logs and job folders of old runs (only without a selection). */
  runs: { logs: number; jobFolders: number; bytes: number }
  /** Artifacts that would go but stay: pinned, or of a run still going. */
  kept: { pinned: number; live: number }
  /** Assets whose artifacts cannot be collected, and why. */
  skipped: { key: string; reason: string }[]
  total: { files: number; bytes: number }
  files: GcFile[]
  runFiles: RunFiles[]
}

/** What gc works on: the project's seams and the selected keys. */
export interface GcScope {
  project: Project
  store: Store
  storeDir: string
  /** The project's default IO manager. */
  io: IOManager
  keys: readonly string[]
  /** Whether the whole project is selected (then old run files are collected too). */
  everything: boolean
  /** Current time (tests). */
  now?: number
}

/** A planned collection: the report and what applying it needs. */
interface GcPlan {
  report: GcReport
  /**
   * Per file, the records whose artifact it holds (several for a segment of a batched function), and
   * the files those records attached.
   */
  records: { ids: number[]; file: GcFile; io: IOManager; attached: string[] }[]
  orphans: { file: GcFile; io: IOManager }[]
}

/**
 * Works out what gc frees, and with `apply` deletes it. Records are marked collected before their
 * files go; a record the store refuses to mark (it became current or pinned meanwhile) keeps its file.
 *
 * @example
 * const report = await collectGarbage({ project, store, storeDir, io, keys, everything: true }, { apply: true })
 */
export async function collectGarbage(
  scope: GcScope,
  options: { apply: boolean; wipedOnly?: boolean },
): Promise<GcReport> {
  const now = scope.now ?? Date.now()
  const live = await liveRuns(scope.store, now)
  const plan = await planGc(scope, live, now, options.wipedOnly === true)
  if (!options.apply) return plan.report
  const marked = new Set(await scope.store.markCollected(plan.records.flatMap((r) => r.ids)))
  const done: GcFile[] = []
  for (const r of plan.records) {
    // A segment goes only when every record pointing into it was marked.
    if (!r.ids.every((id) => marked.has(id))) continue
    await r.io.delete?.({ key: r.file.key }, { storagePath: r.file.storagePath })
    await deleteAttached(r.attached)
    done.push(r.file)
  }
  for (const o of plan.orphans) {
    await o.io.delete?.({ key: o.file.key }, { storagePath: o.file.storagePath })
    done.push(o.file)
  }
  await deleteRunFiles(scope.storeDir, plan.report.runFiles)
  return summarize(done, plan.report.runFiles, plan.report.kept, plan.report.skipped, false)
}

/** With `wipedOnly` (what `wipe` deletes), only the artifacts of wiped records: no retention, orphans or run files. */
async function planGc(scope: GcScope, live: LiveRuns, now: number, wipedOnly: boolean): Promise<GcPlan> {
  const skipped: GcReport['skipped'] = []
  const kept = { pinned: 0, live: 0 }
  const byIo = new Map<IOManager, string[]>()
  for (const key of scope.keys) {
    const a = scope.project.byKey.get(key)
    if (a === undefined || a.isSource) continue
    const io = ((a.def as AssetDef).io as IOManager | undefined) ?? scope.io
    const keys = byIo.get(io)
    if (keys === undefined) byIo.set(io, [key])
    else keys.push(key)
  }
  // With everything selected, the default IO manager's files of keys no longer in the project are
  // weighed too: those no record names are orphans (those a record names stay).
  const wide = scope.everything && !wipedOnly
  if (wide && !byIo.has(scope.io)) byIo.set(scope.io, [])
  const all = await scope.store.artifactRecords(wide ? undefined : scope.keys)
  // No attachments folder (no asset ever attached a file): no folder to read per collected record.
  const attachments = await hasAttachments(scope.storeDir)
  const records: GcPlan['records'] = []
  const orphans: GcPlan['orphans'] = []
  for (const [io, keys] of byIo) {
    const mine = new Set(keys)
    const recs = all.filter((r) => mine.has(r.key))
    if (io.delete === undefined || io.list === undefined) {
      const what = io.delete === undefined ? 'delete()' : 'list()'
      const recorded = new Set(recs.map((r) => r.key))
      for (const key of keys) if (recorded.has(key)) skipped.push({ key, reason: `its IO manager has no ${what}` })
      continue
    }
    const files = await io.list(wide && io === scope.io ? {} : { keys })
    const sizes = new Map(files.map((f) => [f.storagePath, f.bytes]))
    // A record names a file, or a slice of a segment file (`storedFileOf`): the file goes with the
    // last record that points into it.
    const named = new Map<string, number>()
    for (const r of wide && io === scope.io ? all : recs) {
      const file = storedFileOf(r.storagePath)
      named.set(file, (named.get(file) ?? 0) + 1)
    }
    const byFile = new Map<string, GcPlan['records'][number]>()
    for (const { record, reason } of collectable(scope.project, recs, live, now, kept, wipedOnly)) {
      const storagePath = storedFileOf(record.storagePath)
      const attached = attachments
        ? await attachedFiles(scope.storeDir, record.key, record.runId, record.partition)
        : []
      const attachedBytes = attached.reduce((n, f) => n + f.bytes, 0)
      const entry = byFile.get(storagePath)
      if (entry !== undefined) {
        entry.ids.push(record.id)
        entry.attached.push(...attached.map((f) => f.path))
        entry.file.bytes += attachedBytes
      } else
        byFile.set(storagePath, {
          ids: [record.id],
          file: { key: record.key, storagePath, bytes: (sizes.get(storagePath) ?? 0) + attachedBytes, reason },
          io,
          attached: attached.map((f) => f.path),
        })
    }
    for (const entry of byFile.values()) if (entry.ids.length === named.get(entry.file.storagePath)) records.push(entry)
    for (const f of files) {
      if (wipedOnly || named.has(f.storagePath) || !isOrphan(f, live, now)) continue
      const reason = f.temp === undefined ? 'orphan' : 'temp'
      orphans.push({ file: { key: f.key, storagePath: f.storagePath, bytes: f.bytes, reason }, io })
    }
  }
  const runFiles = scope.everything && !wipedOnly ? await oldRunFiles(scope.store, scope.storeDir, live) : []
  const report = summarize(
    [...records.map((r) => r.file), ...orphans.map((o) => o.file)],
    runFiles,
    kept,
    skipped,
    true,
  )
  return { report, records, orphans }
}

/**
 * The records whose artifacts go: wiped ones, and those the retention policy no longer keeps and
 * that a newer record superseded before the cutoff (a live run may be reading the one it replaced).
 */
function collectable(
  project: Project,
  recs: readonly ArtifactRecord[],
  live: LiveRuns,
  now: number,
  kept: { pinned: number; live: number },
  wipedOnly: boolean,
): { record: ArtifactRecord; reason: GcReason }[] {
  const out: { record: ArtifactRecord; reason: GcReason }[] = []
  let group = ''
  let rank = 0
  let newer: ArtifactRecord | undefined
  for (const r of recs) {
    const g = `${r.key}\n${r.partition}`
    if (g !== group) [group, rank, newer] = [g, 0, undefined]
    const a = project.byKey.get(r.key)
    const policy = (a?.def as AssetDef | undefined)?.retention ?? project.retention
    const finished = Date.parse(r.finishedAt)
    let reason: GcReason | undefined
    if (r.wipedAt !== null) reason = 'wiped'
    else if (!wipedOnly && !r.isLatest && !retains(policy, rank, now - finished)) {
      const supersededAt = newer === undefined ? Number.POSITIVE_INFINITY : Date.parse(newer.finishedAt)
      if (supersededAt < live.cutoffMs) reason = 'retention'
    }
    if (r.wipedAt === null) rank++
    newer = r
    if (reason === undefined || r.isLatest) continue
    if (r.pinned) kept.pinned++
    else if (live.ids.has(r.runId)) kept.live++
    else out.push({ record: r, reason })
  }
  return out
}

/** A file no record names is collected when written before the cutoff by no live run (temp files: by a dead writer). */
function isOrphan(f: StoredFile, live: LiveRuns, now: number): boolean {
  if (f.modifiedMs >= live.cutoffMs) return false
  const run = runOfPath(f.storagePath)
  if (run !== undefined && live.ids.has(run)) return false
  if (f.temp === undefined) return true
  const pid = f.temp.pid
  return pid === undefined || now - f.modifiedMs >= DAY_MS || (pid !== process.pid && !pidAlive(pid))
}

function summarize(
  files: readonly GcFile[],
  runFiles: readonly RunFiles[],
  kept: GcReport['kept'],
  skipped: GcReport['skipped'],
  dryRun: boolean,
): GcReport {
  const perKey = new Map<string, { key: string; artifacts: number; bytes: number }>()
  let orphanFiles = 0
  let orphanBytes = 0
  for (const f of files) {
    if (f.reason === 'orphan' || f.reason === 'temp') {
      orphanFiles++
      orphanBytes += f.bytes
      continue
    }
    const e = perKey.get(f.key) ?? { key: f.key, artifacts: 0, bytes: 0 }
    e.artifacts++
    e.bytes += f.bytes
    perKey.set(f.key, e)
  }
  const runs = {
    logs: runFiles.filter((r) => r.kind === 'log').length,
    jobFolders: runFiles.filter((r) => r.kind === 'jobs').length,
    bytes: runFiles.reduce((n, r) => n + r.bytes, 0),
  }
  const sorted = [...files].sort((a, b) => (a.storagePath < b.storagePath ? -1 : a.storagePath > b.storagePath ? 1 : 0))
  return {
    dryRun,
    assets: [...perKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    orphans: { files: orphanFiles, bytes: orphanBytes },
    runs,
    kept,
    skipped,
    total: {
      files: files.length + runFiles.length,
      bytes: files.reduce((n, f) => n + f.bytes, 0) + runs.bytes,
    },
    files: sorted,
    runFiles: [...runFiles],
  }
}
