/**
 * The run's visitor: what happens to each planned asset when the scheduler reaches it. Skip it if
 * an upstream asset blocked it; re-verify it (early cutoff: skip it if its inputs came out
 * unchanged); take its lease (another run may be building it, and may have just built it);
 * materialize it; and keep the books: the summary, the events, the block reason for its descendants.
 */
import type { NormalizedRetry } from '../definitions/index.js'
import { describeFailure } from './errors.js'
import { LEASES_AHEAD, type RunLeases } from './leases.js'
import { materializeAsset } from './materialize-asset.js'
import { PartitionLeases } from './partition-leases.js'
import { visitPartitions } from './partition-visit.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'
import type { Slot, Visitor } from './scheduler.js'
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
 * The visitor of a run; `settle()` waits until the records it queued are stored (or refused) and
 * their assets booked (call it after the schedule, before the run ends).
 *
 * @example
 * const visit = assetVisitor(run, book, leases, { force, retry: project.retry })
 * await schedule(graph, { concurrency, signal, graceMs }, visit)
 * await visit.settle()
 */
export function assetVisitor(
  run: RunContext,
  book: SummaryBook,
  leases: RunLeases,
  options: { force: boolean; retry: NormalizedRetry | undefined; concurrency?: number },
): Visitor<SkipReason> & { settle(): Promise<void> } {
  const st = run.state
  /** Assets whose record is queued for the store (group commit), until it is stored and booked. */
  const committing = new Set<Promise<void>>()
  /** Assets being built (between their lease and their outcome). */
  let building = 0
  const skip = async (id: AssetId, reason: SkipReason, block?: SkipReason): Promise<SkipReason | undefined> => {
    await book.finish(id, { kind: 'skipped', reason })
    return block
  }
  /** Keys of the upcoming unpartitioned assets, whose leases are taken with the one asked for. */
  const ahead = (upcoming: (n: number) => AssetId[]) => (): string[] =>
    upcoming(LEASES_AHEAD).flatMap((u) => (st.partitionsOf(u) === undefined ? [st.asset(u).key] : []))
  const visit = async (
    id: AssetId,
    blockedBy: SkipReason | undefined,
    upcoming: (n: number) => AssetId[],
    slot: Slot | undefined,
  ): Promise<SkipReason | undefined> => {
    const key = st.asset(id).key
    // A lease taken ahead for an asset that does not run after all goes back at once.
    if (blockedBy !== undefined) return leases.release(key).then(() => skip(id, blockedBy, blockedBy))
    const partitions = st.partitionsOf(id) === undefined ? undefined : run.partitionSets.get(id)
    if (partitions === undefined && !options.force && !st.needsRun(id))
      return leases.release(key).then(() => skip(id, 'upstream_unchanged'))
    if (run.signal.aborted) return leases.release(key).then(() => skip(id, 'cancelled', 'cancelled'))
    // Partitions are leased a chunk at a time (runs on disjoint partitions of one asset run at once).
    if (partitions !== undefined && PartitionLeases.supported(run.store)) return visitPartitioned(id, partitions)
    const acquired = await leases.acquire(key, ahead(upcoming))
    if (acquired === 'cancelled') return skip(id, 'cancelled', 'cancelled')
    const release = leases.hold(key)
    // Not awaited: the release is group-committed with the next asset's lease (the store commits
    // queued writes before any other call, the run's end included). A failed release is logged;
    // one of an asset given up on may fail after the run closed its log too, and is dropped.
    const releaseSoon = (): void => void release().catch(() => undefined)
    let held = true
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
      // An asset that builds alone (the run has nothing else to do meanwhile; it may take long)
      // starts after the records queued so far are stored: a crash during it loses none of them.
      if (building === 0) await st.flushRecords()
      building++
      let outcome: Awaited<ReturnType<typeof materializeAsset>>
      try {
        outcome = await materializeAsset(run, id, options.retry, undefined, undefined, slot)
      } finally {
        building--
      }
      if (run.gate.closed) return undefined
      if (outcome.ok) {
        if (outcome.committed === undefined) {
          await book.finish(id, { kind: 'materialized' })
          return undefined
        }
        // Its dependents may start now (the core knows the record); the asset counts as
        // materialized, and its lease is released, once the store has the record.
        held = false
        const settled = outcome.committed.then(
          () => book.finish(id, { kind: 'materialized' }),
          (e: unknown) => book.finish(id, { kind: 'failed', error: describeFailure(e) }),
        )
        committing.add(settled)
        void settled.finally(() => {
          committing.delete(settled)
          releaseSoon()
        })
        return undefined
      }
      if (outcome.cancelled) return skip(id, 'cancelled', 'cancelled')
      await book.finish(id, { kind: 'failed', error: outcome.error })
      return outcome.checkFailed ? 'check_failed' : 'upstream_failed'
    } finally {
      if (held) releaseSoon()
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
  const visitor = async (
    id: AssetId,
    blockedBy: SkipReason | undefined,
    upcoming: (n: number) => AssetId[] = () => [],
    slot?: Slot,
  ): Promise<SkipReason | undefined> => {
    try {
      return await visit(id, blockedBy, upcoming, slot)
    } catch (e) {
      await book.finish(id, { kind: 'failed', error: describeFailure(e) })
      return 'upstream_failed'
    }
  }
  return Object.assign(visitor, {
    settle: async (): Promise<void> => {
      await st.flushRecords()
      while (committing.size > 0) await Promise.all(committing)
      // A record the store refused: the core reloads what the store holds (a later run must not
      // believe in it); a store that fails this too leaves the workspace to its next load.
      await st.recoverLostRecords().catch((e: unknown) => {
        run.log.warn({ err: e }, `could not reload the store's records after a lost record: ${describeFailure(e)}`)
      })
    },
  })
}
