/**
 * The run's visitor: what happens to each planned asset when the scheduler reaches it. Skip it if
 * an upstream asset blocked it; re-verify it (early cutoff: skip it if its inputs came out
 * unchanged); take its lease (another run may be building it, and may have just built it);
 * materialize it; and keep the books: the summary, the events, the block reason for its descendants.
 */
import type { NormalizedRetry } from '../definitions/index.js'
import { describeFailure } from './errors.js'
import type { RunLeases } from './leases.js'
import { materializeAsset } from './materialize-asset.js'
import { PartitionLeases } from './partition-leases.js'
import { visitPartitions } from './partition-visit.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'
import type { Visitor } from './scheduler.js'
import type { RunSummary, SkipReason } from './types.js'

/** How an asset ended in the run. */
export type Outcome =
  | { kind: 'materialized' }
  | { kind: 'skipped'; reason: SkipReason }
  | { kind: 'failed'; error: string }

/** The summary of a run as it fills up: every planned asset is put in exactly one list, once. */
export class SummaryBook {
  readonly #run: RunContext
  readonly #done = new Set<AssetId>()
  readonly summary: RunSummary

  constructor(run: RunContext) {
    this.#run = run
    this.summary = { runId: run.runId, status: 'success', durationMs: 0, materialized: [], skipped: [], failed: [] }
  }

  /**
   * Puts an asset in its list (once: later calls for the same asset are ignored).
   *
   * @example
   * await book.finish(id, { kind: 'skipped', reason: 'cancelled' })
   */
  async finish(id: AssetId, outcome: Outcome): Promise<void> {
    if (this.#done.has(id)) return
    this.#done.add(id)
    const key = this.#run.state.asset(id).key
    if (outcome.kind === 'materialized') this.summary.materialized.push(key)
    else if (outcome.kind === 'failed') this.summary.failed.push({ key, error: this.#run.secrets.scrub(outcome.error) })
    else {
      this.summary.skipped.push({ key, reason: outcome.reason })
      this.#run.emit({ type: 'asset_skipped', key, reason: outcome.reason })
      await this.#run.store.appendEvent(this.#run.runId, 'asset_skipped', key, { reason: outcome.reason })
    }
  }
}

/**
 * The visitor of a run.
 *
 * @example
 * const visit = assetVisitor(run, book, leases, { force, retry: project.retry })
 * await schedule(graph, { concurrency, signal, graceMs }, visit)
 */
export function assetVisitor(
  run: RunContext,
  book: SummaryBook,
  leases: RunLeases,
  options: { force: boolean; retry: NormalizedRetry | undefined; concurrency?: number },
): Visitor<SkipReason> {
  const st = run.state
  const skip = async (id: AssetId, reason: SkipReason, block?: SkipReason): Promise<SkipReason | undefined> => {
    await book.finish(id, { kind: 'skipped', reason })
    return block
  }
  const visit = async (id: AssetId, blockedBy: SkipReason | undefined): Promise<SkipReason | undefined> => {
    const key = st.asset(id).key
    if (blockedBy !== undefined) return skip(id, blockedBy, blockedBy)
    const partitions = st.partitionsOf(id) === undefined ? undefined : run.partitionSets.get(id)
    if (partitions === undefined && !options.force && !st.needsRun(id)) return skip(id, 'upstream_unchanged')
    if (run.signal.aborted) return skip(id, 'cancelled', 'cancelled')
    // Partitions are leased a chunk at a time (runs on disjoint partitions of one asset run at once).
    if (partitions !== undefined && PartitionLeases.supported(run.store)) return visitPartitioned(id, partitions)
    const acquired = await leases.acquire(key)
    if (acquired === 'cancelled') return skip(id, 'cancelled', 'cancelled')
    const release = leases.hold(key)
    try {
      // Another run may have recorded this asset (or its inputs) since this run loaded the store:
      // it did if we had to wait, or if the store's current record is not the one we know.
      if (acquired === 'waited' || !(await st.knowsCurrentRecord(key))) {
        await st.reload()
        run.values.clear()
      }
      if (partitions !== undefined) return await visitPartitioned(id, partitions)
      // Re-verify under the lease: another run may have just built it.
      if (!options.force && !st.needsRun(id)) return skip(id, 'upstream_unchanged')
      const outcome = await materializeAsset(run, id, options.retry)
      if (run.gate.closed) return undefined
      if (outcome.ok) {
        await book.finish(id, { kind: 'materialized' })
        return undefined
      }
      if (outcome.cancelled) return skip(id, 'cancelled', 'cancelled')
      await book.finish(id, { kind: 'failed', error: outcome.error })
      return outcome.checkFailed ? 'check_failed' : 'upstream_failed'
    } finally {
      // Not awaited: the release is group-committed with the next asset's lease (the store commits
      // queued writes before any other call, the run's end included). A failed release is logged;
      // one of an asset given up on may fail after the run closed its log too, and is dropped.
      release().catch(() => undefined)
    }
  }
  /** A partitioned asset: its planned partitions, each re-verified under the asset's lease. */
  const visitPartitioned = async (id: AssetId, set: Float64Array): Promise<SkipReason | undefined> => {
    const started = Date.now()
    const { outcome, counts, checkFailed, cancelled } = await visitPartitions(run, id, set, {
      force: options.force,
      retry: options.retry,
      concurrency: options.concurrency ?? 1,
    })
    if (run.gate.closed) return undefined
    const summary = book.summary
    ;(summary.partitions ??= {})[st.asset(id).key] = counts
    run.emit({ type: 'partitions_finished', key: st.asset(id).key, counts, durationMs: Date.now() - started })
    await book.finish(id, outcome)
    if (outcome.kind === 'failed') return checkFailed ? 'check_failed' : 'upstream_failed'
    if (cancelled || (outcome.kind === 'skipped' && outcome.reason === 'cancelled')) return 'cancelled'
    return undefined
  }
  return async (id, blockedBy) => {
    try {
      return await visit(id, blockedBy)
    } catch (e) {
      await book.finish(id, { kind: 'failed', error: describeFailure(e) })
      return 'upstream_failed'
    }
  }
}
