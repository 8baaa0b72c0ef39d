/**
 * Materializing the planned partitions of one partitioned asset: each partition is re-verified
 * (skipped when fresh, unless forced) and materialized on its own (inputs, attempts, output), at
 * most `concurrency` at a time. Records are written in batches (`RECORD_BATCH` partitions, or what
 * finished within `RECORD_FLUSH_MS`), each batch in one store transaction: an output is durable
 * before its record is written, and a crash loses at most a batch's records, whose partitions run
 * again (their outputs are files no record names, which gc removes). The asset's outcome sums its
 * partitions': failed if any failed (its dependents are then blocked), materialized if any was,
 * otherwise skipped.
 */
import type { AssetDef, NormalizedRetry } from '../definitions/index.js'
import { describeFailure } from './errors.js'
import { materializeAsset } from './materialize-asset.js'
import { type OutputRecord, recordPartitionOutputs } from './outputs.js'
import { materializeBatch } from './partition-batch.js'
import { PartitionLeases } from './partition-leases.js'
import { pause } from './attempt.js'
import type { PartitionState } from './partition-state.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'
import type { PartitionCountsOfRun, SkipReason } from './types.js'

/** How a partitioned asset ended in the run (the visitor's `Outcome`). */
type Outcome = { kind: 'materialized' } | { kind: 'skipped'; reason: SkipReason } | { kind: 'failed'; error: string }

/** Fresh partitions: what the core calls status 2. */
const FRESH = 2

/** Records per store transaction during a partitioned visit. */
export const RECORD_BATCH = 512

/** How long a finished partition waits at most for its batch to fill before it is recorded. */
export const RECORD_FLUSH_MS = 250

/** Partitions leased per store call (a batched function leases its batch). */
const LEASE_CHUNK = 32

/** How often partitions another run holds are tried again. */
const LEASE_POLL_MS = 100

/**
 * Runs the planned partitions `set` (wire format) of asset `id`; resolves to the asset's outcome
 * and the counts per partition.
 *
 * @example
 * const { outcome, counts } = await visitPartitions(run, id, set, { force: false, retry, concurrency: 4 })
 */
export async function visitPartitions(
  run: RunContext,
  id: AssetId,
  set: Float64Array,
  options: { force: boolean; retry: NormalizedRetry | undefined; concurrency: number },
): Promise<{ outcome: Outcome; counts: PartitionCountsOfRun; checkFailed: boolean; cancelled: boolean }> {
  const st = run.state
  // Asked each time: a reload (after another run recorded partitions) may rebuild the state.
  const parts = (): PartitionState => st.partitions!
  const key = st.asset(id).key
  const keyAt = (p: number): string => parts().definition(id)!.keyAt(p, parts().now)
  const counts: PartitionCountsOfRun = { planned: 0, materialized: 0, skipped: 0, failed: 0 }
  for (let r = 0; r < set.length; r += 2) counts.planned += set[r + 1]! - set[r]!
  const errors: string[] = []
  const leases = new PartitionLeases(run.store, run.runId, key, run.log, () => st.seenRecordId)
  const recorder = new BatchRecorder(run, (batch, e) => {
    if (e !== undefined) {
      counts.materialized -= batch.length
      counts.failed += batch.length
      const error = run.secrets.scrub(describeFailure(e))
      if (errors.length < 3)
        errors.push(`${batch[0]!.partition!.key}: could not record ${batch.length} partition(s): ${error}`)
    }
    // Recorded (or given up): another run may build these partitions now.
    return leases.release(batch.map((r) => r.partition!.key))
  })
  let cancelled = false
  let checkFailed = false
  // The planned partitions in order, then those another run held when their turn came.
  let range = 0
  let next = set[0] ?? 0
  let requeued: number[] = []
  const waiting: number[] = []
  const take = (): number | undefined => {
    while (range < set.length && next >= set[range + 1]!) {
      range += 2
      next = set[range] ?? 0
    }
    return range < set.length ? next++ : requeued.pop()
  }
  /** Whether partition `p` is due (and counts it skipped when not). */
  const due = (p: number): boolean => {
    const status = parts().status(id, p)
    if (status === null || (!options.force && status === FRESH)) {
      counts.skipped++
      return false
    }
    return true
  }
  const stopped = (): boolean => {
    if (run.signal.aborted || run.gate.closed) cancelled = true
    return cancelled
  }
  const fail = (partition: string, error: string, check: boolean): void => {
    counts.failed++
    if (check) checkFailed = true
    if (errors.length < 3) errors.push(`${partition}: ${error}`)
  }
  const batchSize = (st.asset(id).def as AssetDef).batch
  /**
   * The next due partitions (up to a batch, or `LEASE_CHUNK`) whose leases this run now holds; []
   * when none is left. Partitions another run holds wait for the next pass; those another run
   * recorded since this run's load are re-verified after a reload.
   */
  const nextChunk = async (): Promise<number[]> => {
    for (;;) {
      const indexes: number[] = []
      while (indexes.length < (batchSize ?? LEASE_CHUNK)) {
        const p = take()
        if (p === undefined) break
        if (due(p)) indexes.push(p)
      }
      if (indexes.length === 0) return []
      const keys = indexes.map(keyAt)
      const got = await leases.take(keys)
      const indexOf = new Map(keys.map((k, i) => [k, indexes[i]!]))
      for (const k of got.busy) waiting.push(indexOf.get(k)!)
      let mine = got.taken.map((k) => indexOf.get(k)!)
      if (got.recordedElsewhere.length > 0) {
        await st.reload()
        const still = mine.filter((p) => due(p))
        await leases.release(mine.filter((p) => !still.includes(p)).map(keyAt))
        mine = still
      }
      if (mine.length > 0) return mine
    }
  }
  const worker = async (): Promise<void> => {
    for (let chunk = await nextChunk(); chunk.length > 0; chunk = await nextChunk()) {
      for (const [i, p] of chunk.entries()) {
        if (stopped()) {
          await leases.release(chunk.slice(i).map(keyAt))
          return
        }
        const outcome = await materializeAsset(run, id, options.retry, p, recorder.add)
        if (outcome.ok) {
          counts.materialized++
          continue
        }
        await leases.release([keyAt(p)])
        if (outcome.cancelled) cancelled = true
        else fail(keyAt(p), outcome.error, outcome.checkFailed === true)
      }
    }
  }
  // A batched function: one call per chunk.
  const batchWorker = async (): Promise<void> => {
    for (let chunk = await nextChunk(); chunk.length > 0; chunk = await nextChunk()) {
      if (stopped()) {
        await leases.release(chunk.map(keyAt))
        return
      }
      const recorded = new Set<number>()
      const outcome = await materializeBatch(run, id, options.retry, chunk, (r) => {
        recorded.add(r.partition!.index)
        recorder.add(r)
      })
      await leases.release(chunk.filter((p) => !recorded.has(p)).map(keyAt))
      if (outcome.ok) {
        counts.materialized += outcome.done
        for (const f of outcome.failed) fail(f.key, f.error, f.checkFailed)
      } else if (outcome.cancelled) cancelled = true
      else {
        counts.failed += chunk.length - 1
        fail(`${keyAt(chunk[0]!)}...${keyAt(chunk.at(-1)!)}`, outcome.error, false)
      }
    }
  }
  const width = Math.max(1, Math.min(options.concurrency, counts.planned))
  try {
    for (;;) {
      await Promise.all(Array.from({ length: width }, batchSize === undefined ? worker : batchWorker))
      // Partitions another run was building: their turn comes once it lets them go.
      if (waiting.length === 0 || stopped()) break
      await pause(LEASE_POLL_MS, run.signal).catch(() => undefined)
      requeued = waiting.splice(0).reverse()
    }
  } finally {
    // What finished is recorded, also when the run was cancelled meanwhile.
    await recorder.close()
    await leases.close()
  }
  if (counts.failed > 0) {
    const more = counts.failed > errors.length ? `; and ${counts.failed - errors.length} more` : ''
    const error = `${counts.failed} of ${counts.planned} partition(s) failed: ${errors.join('; ')}${more}`
    return { outcome: { kind: 'failed', error }, counts, checkFailed, cancelled }
  }
  const done = (outcome: Outcome) => ({ outcome, counts, checkFailed, cancelled })
  if (cancelled && counts.materialized === 0) return done({ kind: 'skipped', reason: 'cancelled' })
  if (counts.materialized > 0) return done({ kind: 'materialized' })
  return done({ kind: 'skipped', reason: 'upstream_unchanged' })
}

/**
 * Collects the records of finished partitions and writes them in batches (one transaction each),
 * one batch at a time. A batch that cannot be written is reported to `done` with its error (its
 * partitions count as failed; their outputs stay as files no record names).
 */
class BatchRecorder {
  readonly #run: RunContext
  readonly #done: (batch: OutputRecord[], e: unknown) => Promise<void>
  #pending: OutputRecord[] = []
  #timer: NodeJS.Timeout | undefined
  #writing: Promise<void> = Promise.resolve()

  /** `done` hears of each batch once written (`e` undefined) or not (`e` the error). */
  constructor(run: RunContext, done: (batch: OutputRecord[], e: unknown) => Promise<void>) {
    this.#run = run
    this.#done = done
  }

  /** Queues a finished partition's record. */
  readonly add = (r: OutputRecord): void => {
    this.#pending.push(r)
    if (this.#pending.length >= RECORD_BATCH) this.#flush()
    else this.#timer ??= setTimeout(() => this.#flush(), RECORD_FLUSH_MS)
  }

  /** Writes what is queued and waits for every batch. */
  async close(): Promise<void> {
    this.#flush()
    await this.#writing
  }

  #flush(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = this.#pending
    if (batch.length === 0) return
    this.#pending = []
    this.#writing = this.#writing.then(() =>
      recordPartitionOutputs(this.#run, batch).then(
        () => this.#done(batch, undefined),
        (e: unknown) => this.#done(batch, e ?? new Error('unknown error')),
      ),
    )
  }
}
