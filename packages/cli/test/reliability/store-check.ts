/**
 * Reads a project's store straight from SQLite (read-only, no Rivers code involved) and checks the
 * invariants every crash or concurrent run must leave intact:
 *
 * 1. every latest record's artifact exists, is not a temp file, and hashes to its data version;
 * 2. every record's input versions are data versions some earlier record of that input had
 *    (no "Frankenbuild": what was consumed was a recorded version);
 * 3. no run holds a lease once no process runs, and no run stays `running` after the next run.
 *
 * It also computes which assets are fresh (their latest record consumed the inputs' current
 * versions), from which the exact set the next run must rebuild follows.
 */
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import native from '@rivers-orchestrator/native'

/** One record of the `materializations` table with its inputs. */
export interface StoredRecord {
  id: number
  key: string
  kind: 'materialization' | 'observation'
  runId: string
  dataVersion: string
  storagePath: string | null
  inputs: { key: string; dataVersion: string }[]
}

/** What the store holds. */
export interface StoreSnapshot {
  records: StoredRecord[]
  /** Latest record per key. */
  latest: Map<string, StoredRecord>
  runs: { id: string; status: string; summary: unknown; startedAt: string; finishedAt: string | null }[]
  leases: { key: string; runId: string }[]
  events: { runId: string; type: string; key: string | null; data: unknown }[]
}

/**
 * @example
 * const snap = readStore(path.join(p.dir, '.rivers'))
 */
export function readStore(storeDir: string): StoreSnapshot {
  const file = path.join(storeDir, 'rivers.db')
  if (!existsSync(file)) return { records: [], latest: new Map(), runs: [], leases: [], events: [] }
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    db.pragma('busy_timeout = 10000')
    const rows = db
      .prepare(
        'SELECT id, asset_key, kind, run_id, lower(hex(data_version)) AS dv, storage_path FROM materializations ORDER BY id',
      )
      .all() as Record<string, unknown>[]
    const inputs = db
      .prepare(
        'SELECT materialization_id AS id, dep_key, lower(hex(data_version)) AS dv FROM materialization_inputs ORDER BY materialization_id, position',
      )
      .all() as Record<string, unknown>[]
    const byId = new Map<number, StoredRecord>()
    const records = rows.map((r) => {
      const rec: StoredRecord = {
        id: r.id as number,
        key: r.asset_key as string,
        kind: r.kind as StoredRecord['kind'],
        runId: r.run_id as string,
        dataVersion: r.dv as string,
        storagePath: (r.storage_path as string | null) ?? null,
        inputs: [],
      }
      byId.set(rec.id, rec)
      return rec
    })
    for (const i of inputs)
      byId.get(i.id as number)?.inputs.push({ key: i.dep_key as string, dataVersion: i.dv as string })
    const latest = new Map<string, StoredRecord>()
    for (const l of db.prepare('SELECT asset_key, materialization_id FROM latest').all() as Record<string, unknown>[])
      latest.set(l.asset_key as string, byId.get(l.materialization_id as number)!)
    const runs = (
      db.prepare('SELECT id, status, summary, started_at, finished_at FROM runs ORDER BY started_at').all() as Record<
        string,
        unknown
      >[]
    ).map((r) => ({
      id: r.id as string,
      status: r.status as string,
      summary: r.summary === null ? null : JSON.parse(r.summary as string),
      startedAt: r.started_at as string,
      finishedAt: (r.finished_at as string | null) ?? null,
    }))
    const leases = (db.prepare('SELECT asset_key, run_id FROM leases').all() as Record<string, unknown>[]).map((r) => ({
      key: r.asset_key as string,
      runId: r.run_id as string,
    }))
    const events = (
      db.prepare('SELECT run_id, type, asset_key, data FROM events ORDER BY id').all() as Record<string, unknown>[]
    ).map((r) => ({
      runId: r.run_id as string,
      type: r.type as string,
      key: (r.asset_key as string | null) ?? null,
      data: r.data === null ? null : JSON.parse(r.data as string),
    }))
    return { records, latest, runs, leases, events }
  } finally {
    db.close()
  }
}

/** Every file under `dir`, relative, with `/` separators. */
export function filesUnder(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    let entries: import('node:fs').Dirent[]
    try {
      entries = readdirSync(d, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(d, e.name))
      else out.push(path.relative(dir, path.join(d, e.name)).split(path.sep).join('/'))
    }
  }
  walk(dir)
  return out.sort()
}

/**
 * The violated invariants (empty when all hold).
 *
 * @example
 * expect(checkStore(snap, storageDir)).toEqual([])
 */
export function checkStore(snap: StoreSnapshot, storageDir: string): string[] {
  const problems: string[] = []
  // 1. Artifacts of latest records: present, final (not temp), content hash = data version.
  for (const [key, rec] of snap.latest) {
    if (rec.kind !== 'materialization') continue
    if (rec.storagePath === null) {
      problems.push(`${key}: latest record has no storage path`)
      continue
    }
    if (rec.storagePath.split('/').some((seg) => seg.startsWith('.tmp-')))
      problems.push(`${key}: latest record points at a temp file ${rec.storagePath}`)
    const file = path.join(storageDir, rec.storagePath)
    if (!existsSync(file)) {
      problems.push(`${key}: artifact ${rec.storagePath} of its latest record is missing`)
      continue
    }
    const hash = native.hashFile(file)
    if (hash !== rec.dataVersion)
      problems.push(`${key}: artifact ${rec.storagePath} hashes to ${hash}, record says ${rec.dataVersion}`)
  }
  // 2. Trace consistency: every consumed version was recorded for that input before the consumer.
  const seen = new Map<string, Set<string>>()
  for (const rec of snap.records) {
    for (const i of rec.inputs) {
      if (!seen.get(i.key)?.has(i.dataVersion))
        problems.push(
          `${rec.key} (record ${rec.id}, run ${rec.runId}) consumed ${i.key}@${i.dataVersion.slice(0, 8)}, which no earlier record of ${i.key} has`,
        )
    }
    let versions = seen.get(rec.key)
    if (versions === undefined) seen.set(rec.key, (versions = new Set()))
    versions.add(rec.dataVersion)
  }
  return problems
}

/**
 * Assets whose latest record consumed exactly the current versions of their inputs (`current`
 * overrides versions of sources, e.g. the hash of the source file as it is now).
 *
 * @example
 * const fresh = freshAssets(snap, deps, { input: hashFile('data/input.txt') })
 */
export function freshAssets(
  snap: StoreSnapshot,
  deps: ReadonlyMap<string, readonly string[]>,
  current: Record<string, string> = {},
): Set<string> {
  const fresh = new Set<string>()
  const versionOf = (k: string): string | undefined => current[k] ?? snap.latest.get(k)?.dataVersion
  for (const [key, ds] of deps) {
    const rec = snap.latest.get(key)
    if (rec === undefined) continue
    const consumed = new Map(rec.inputs.map((i) => [i.key, i.dataVersion]))
    if (
      consumed.size === ds.length &&
      ds.every((d) => consumed.get(d) !== undefined && consumed.get(d) === versionOf(d))
    )
      fresh.add(key)
  }
  return fresh
}

/**
 * `roots` and everything downstream of them.
 *
 * @example
 * downstream(new Set(['a']), deps) // Set { 'a', 'b', … }
 */
export function downstream(roots: Iterable<string>, deps: ReadonlyMap<string, readonly string[]>): Set<string> {
  const children = new Map<string, string[]>()
  for (const [k, ds] of deps) for (const d of ds) children.set(d, [...(children.get(d) ?? []), k])
  const out = new Set<string>()
  const stack = [...roots]
  while (stack.length > 0) {
    const k = stack.pop()!
    if (out.has(k)) continue
    out.add(k)
    stack.push(...(children.get(k) ?? []))
  }
  return out
}

/** A small seeded PRNG (mulberry32), so a failing trial can be replayed with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
