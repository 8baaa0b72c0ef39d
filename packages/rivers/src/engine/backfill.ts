/**
 * Backfills: a durable object that brings a range of partitions of a selection up to date, in
 * batches of runs, with its progress in the store. It is resumable by construction: each batch plans
 * only the missing and stale partitions of its range, so a resumed backfill (after Ctrl-C, a crash or
 * a failure) builds exactly what is left. A backfill whose process died while it was `running` is
 * reported `interrupted` (its last run's process is gone).
 */
import { hostname } from 'node:os'

import { pidAlive } from '../io/sweep.js'
import type { Store } from '../store/store.js'
import type { BackfillProgress, BackfillRecord, BackfillStatus } from '../store/types.js'
import { backfillOfUnpartitioned, backfillsUnsupported, backfillWithoutRange } from './errors.js'
import { partitionRanges, rangeTexts } from './partition-select.js'
import type { AssetId } from './planner.js'
import type { ProjectState } from './project-state.js'
import { newRunId } from './run.js'
import type { RunEvent, RunSummary } from './types.js'

/** Options of `Workspace.backfill`: a new backfill (`select`, `from`, `to`) or `resume` one. */
export interface BackfillOptions {
  select?: string[]
  /** First partition key of the range (inclusive), for every selected partitioned asset. */
  from?: string
  /** Last partition key of the range (inclusive). */
  to?: string
  /** Partitions per run, per asset (default: the whole range in one run). */
  batch?: number
  /** The id of a backfill to resume (selection, range and batch are its own). */
  resume?: string
  concurrency?: number
  config?: Record<string, unknown>
  signal?: AbortSignal
  onEvent?: (e: RunEvent) => void
  /** Called after each batch's run. */
  onBatch?: (b: BackfillBatch) => void
}

/**
 * One finished batch of a backfill.
 *
 * @example
 * const b: BackfillBatch = { backfillId: 'bf-…', index: 1, of: 4, summary }
 */
export interface BackfillBatch {
  backfillId: string
  /** 1-based. */
  index: number
  of: number
  summary: RunSummary
}

/**
 * What a backfill ended with.
 *
 * @example
 * const r: BackfillReport = { id: 'bf-…', status: 'done', runIds: ['…'], progress: [{ key: 'events', planned: 31, done: 31, failed: 0 }] }
 */
export interface BackfillReport {
  id: string
  status: BackfillStatus
  runIds: string[]
  progress: BackfillProgress[]
}

/** What a backfill needs of the workspace. */
export interface BackfillHost {
  state: ProjectState
  store: Store
  observe(): Promise<void>
  /** Runs one batch: the selection with these partitions (by id, wire format). */
  run(
    select: string[],
    ranges: Map<AssetId, Float64Array>,
    runId: string,
    options: BackfillOptions,
  ): Promise<RunSummary>
}

/**
 * Starts or resumes a backfill and runs its batches in order. Bad input (no range, no partitioned
 * asset, unknown keys, unknown id) is refused before anything is stored.
 *
 * @example
 * const report = await runBackfill(host, { select: ['weather/daily+'], from: '2015-01-01', to: '2015-12-31', batch: 100 })
 */
export async function runBackfill(host: BackfillHost, o: BackfillOptions): Promise<BackfillReport> {
  const { store, state: st } = host
  if (!store.createBackfill || !store.backfill || !store.updateBackfillProgress || !store.finishBackfill)
    throw backfillsUnsupported()
  const resumed = o.resume === undefined ? undefined : await store.backfill(o.resume)
  if (resumed?.status === 'done') return reportOf(resumed)
  const select = resumed?.selection ?? o.select ?? []
  await host.observe()
  const selection = st.select(select)
  const ranges = new Map<AssetId, Float64Array>()
  for (const id of selection) {
    if (st.partitionsOf(id) === undefined) continue
    const key = st.asset(id).key
    const args = resumed
      ? (resumed.ranges[key] ?? []).map(([f, t]) => `${f}...${t}`)
      : o.from === undefined || o.to === undefined
        ? undefined
        : [`${o.from}...${o.to}`]
    if (args === undefined) throw backfillWithoutRange(key)
    if (args.length > 0) ranges.set(id, partitionRanges(st, [key], [id], args).get(id)!)
  }
  if (ranges.size === 0) throw backfillOfUnpartitioned(select.length === 0 ? ['*'] : select)
  const plan = st.planPartitions(selection, ranges, false)!
  const batch = resumed?.batch ?? o.batch ?? 0
  let id = resumed?.id
  let planned: Record<string, number>
  if (resumed === undefined) {
    id = `bf-${newRunId()}`
    planned = countsOf(st, plan.sets)
    await store.createBackfill({
      id,
      selection: [...select],
      ranges: Object.fromEntries(
        [...ranges].map(([a, set]) => [
          st.asset(a).key,
          rangeTexts(st, a, set).map((t) => {
            const [f, to] = t.split('...')
            return [f!, to ?? f!] as [string, string]
          }),
        ]),
      ),
      batch,
      planned,
    })
  } else {
    planned = Object.fromEntries(resumed.progress.map((p) => [p.key, p.planned]))
    await store.finishBackfill(id!, 'running')
  }
  const batches = split(ranges, batch)
  const failures = new Map<string, number>()
  let failed = false
  for (const [i, part] of batches.entries()) {
    if (o.signal?.aborted) break
    const runId = newRunId()
    let summary: RunSummary
    try {
      summary = await host.run([...select], part, runId, o)
    } catch (e) {
      await store.finishBackfill(id!, 'failed')
      throw e
    }
    for (const [key, c] of Object.entries(summary.partitions ?? {}))
      failures.set(key, (failures.get(key) ?? 0) + c.failed)
    const left = countsOf(st, st.planPartitions(selection, ranges, false)!.sets)
    const progress = Object.entries(planned).map(([key, n]) => ({
      key,
      done: Math.max(0, n - (left[key] ?? 0)),
      failed: failures.get(key) ?? 0,
    }))
    await store.updateBackfillProgress(id!, progress, { runId })
    if (summary.status === 'failed') failed = true
    o.onBatch?.({ backfillId: id!, index: i + 1, of: batches.length, summary })
    if (summary.status === 'cancelled') break
  }
  const status: BackfillStatus = o.signal?.aborted ? 'cancelled' : failed ? 'failed' : 'done'
  await store.finishBackfill(id!, status)
  return reportOf(await store.backfill(id!))
}

/**
 * The stored backfills, newest first; one still `running` whose last run's process is gone (on this
 * machine) is marked `interrupted`.
 *
 * @example
 * const list = await listBackfills(store, { limit: 10 })
 */
export async function listBackfills(store: Store, options: { limit?: number } = {}): Promise<BackfillReport[]> {
  if (!store.backfills || !store.finishBackfill) throw backfillsUnsupported()
  const out: BackfillReport[] = []
  for (const b of await store.backfills(options)) {
    if (b.status === 'running' && (await processGone(store, b))) {
      await store.finishBackfill(b.id, 'interrupted')
      b.status = 'interrupted'
    }
    out.push(reportOf(b))
  }
  return out
}

const HOST = hostname()

async function processGone(store: Store, b: BackfillRecord): Promise<boolean> {
  const last = b.runIds.at(-1)
  if (last === undefined) return false
  const run = await store.getRun(last)
  if (run === undefined || run.host !== HOST || run.pid === null || run.pid === process.pid) return false
  return !pidAlive(run.pid)
}

function reportOf(b: BackfillRecord): BackfillReport {
  return { id: b.id, status: b.status, runIds: b.runIds, progress: b.progress }
}

/** Partitions per asset key of a plan's sets (partitioned assets only). */
function countsOf(st: ProjectState, sets: ReadonlyMap<AssetId, Float64Array>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [id, set] of sets) {
    if (st.partitionsOf(id) === undefined) continue
    let n = 0
    for (let i = 0; i < set.length; i += 2) n += set[i + 1]! - set[i]!
    out[st.asset(id).key] = n
  }
  return out
}

/**
 * The ranges cut into batches of at most `size` partitions per asset (batch k holds each asset's
 * k-th slice; an asset whose range is used up gets an empty set, so it plans nothing). One batch
 * when `size` is 0.
 */
function split(ranges: Map<AssetId, Float64Array>, size: number): Map<AssetId, Float64Array>[] {
  if (size <= 0) return [ranges]
  const slices = new Map<AssetId, Float64Array[]>()
  let count = 0
  for (const [id, set] of ranges) {
    const out: Float64Array[] = []
    let cur: number[] = []
    let room = size
    for (let i = 0; i < set.length; i += 2) {
      let s = set[i]!
      const e = set[i + 1]!
      while (s < e) {
        const take = Math.min(room, e - s)
        cur.push(s, s + take)
        s += take
        room -= take
        if (room === 0) {
          out.push(Float64Array.from(cur))
          cur = []
          room = size
        }
      }
    }
    if (cur.length > 0) out.push(Float64Array.from(cur))
    slices.set(id, out)
    count = Math.max(count, out.length)
  }
  return Array.from({ length: count }, (_, k) => {
    const m = new Map<AssetId, Float64Array>()
    for (const [id, s] of slices) m.set(id, s[k] ?? new Float64Array(0))
    return m
  })
}
