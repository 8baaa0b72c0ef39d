/** Retention policies: how many materializations of an asset keep their stored value. */
import { parseDuration, type Duration } from './duration.js'

/**
 * Which records of an asset keep their artifact when `assets gc` runs. The current record, and
 * pinned ones, always keep theirs. With `keep`, the newest `keep` records keep theirs; with `maxAge`,
 * records built within that age keep theirs; with both, a record's artifact goes only when it is
 * outside both (at least `keep`, and everything younger than `maxAge`).
 *
 * @example
 * const policy: RetentionPolicy = { keep: 3, maxAge: '30d' }
 */
export interface RetentionPolicy {
  /** Newest materializations whose artifacts are kept (at least 1: the current one). */
  keep?: number
  /** Artifacts of materializations younger than this are kept. */
  maxAge?: Duration
}

/**
 * A retention policy with units resolved; what definitions store.
 *
 * @example
 * const r: NormalizedRetention = { keep: 3, maxAgeMs: undefined }
 */
export interface NormalizedRetention {
  readonly keep: number | undefined
  readonly maxAgeMs: number | undefined
}

/**
 * Resolve the units of a validated retention policy.
 *
 * @example
 * normalizeRetention({ keep: 2, maxAge: '1d' }) // { keep: 2, maxAgeMs: 86400000 }
 */
export function normalizeRetention(policy: RetentionPolicy): NormalizedRetention {
  return Object.freeze({
    keep: policy.keep,
    maxAgeMs: policy.maxAge === undefined ? undefined : parseDuration(policy.maxAge),
  })
}

/**
 * Whether a record outside the current one keeps its artifact under `policy` (none: every record
 * keeps it). `rank` is its position among the asset's records, newest first (0 is the newest).
 *
 * @example
 * retains({ keep: 2, maxAgeMs: undefined }, 2, 1000) // false: the third newest goes
 */
export function retains(policy: NormalizedRetention | undefined, rank: number, ageMs: number): boolean {
  if (policy === undefined || (policy.keep === undefined && policy.maxAgeMs === undefined)) return true
  const byCount = policy.keep !== undefined && rank < policy.keep
  const byAge = policy.maxAgeMs !== undefined && ageMs < policy.maxAgeMs
  return byCount || byAge
}
