/**
 * Materializing the planned partitions of one partitioned asset: each partition is re-verified
 * (skipped when fresh, unless forced) and materialized on its own (inputs, attempts, output,
 * record), at most `concurrency` at a time. The asset's outcome sums its partitions': failed if any
 * failed (its dependents are then blocked), materialized if any was, otherwise skipped.
 */
import type { NormalizedRetry } from '../definitions/index.js'
import { materializeAsset } from './materialize-asset.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'
import type { PartitionCountsOfRun, SkipReason } from './types.js'

/** How a partitioned asset ended in the run (the visitor's `Outcome`). */
type Outcome = { kind: 'materialized' } | { kind: 'skipped'; reason: SkipReason } | { kind: 'failed'; error: string }

/** Fresh partitions: what the core calls status 2. */
const FRESH = 2

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
  const parts = run.state.partitions!
  const counts: PartitionCountsOfRun = { planned: 0, materialized: 0, skipped: 0, failed: 0 }
  for (let r = 0; r < set.length; r += 2) counts.planned += set[r + 1]! - set[r]!
  const errors: string[] = []
  let cancelled = false
  let checkFailed = false
  let range = 0
  let next = set[0] ?? 0
  const take = (): number | undefined => {
    while (range < set.length && next >= set[range + 1]!) {
      range += 2
      next = set[range] ?? 0
    }
    return range < set.length ? next++ : undefined
  }
  const worker = async (): Promise<void> => {
    for (let p = take(); p !== undefined; p = take()) {
      if (run.signal.aborted || run.gate.closed) {
        cancelled = true
        return
      }
      const status = parts.status(id, p)
      if (status === null || (!options.force && status === FRESH)) {
        counts.skipped++
        continue
      }
      const outcome = await materializeAsset(run, id, options.retry, p)
      if (outcome.ok) counts.materialized++
      else if (outcome.cancelled) cancelled = true
      else {
        counts.failed++
        if (outcome.checkFailed) checkFailed = true
        if (errors.length < 3) errors.push(`${parts.definition(id)!.keyAt(p, parts.now)}: ${outcome.error}`)
      }
    }
  }
  const width = Math.max(1, Math.min(options.concurrency, counts.planned))
  await Promise.all(Array.from({ length: width }, worker))
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
