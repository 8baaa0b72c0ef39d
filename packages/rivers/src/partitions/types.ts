/**
 * What every partition definition offers: a dense index space `0 .. size(now)`, keys, and
 * iteration. See docs/partitions.md.
 */

/**
 * The kinds of partition definitions.
 *
 * @example
 * const k: PartitionKind = 'daily'
 */
export type PartitionKind = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'static' | 'dynamic' | 'product'

/**
 * A half-open range of partition indices `[start, end)`.
 *
 * @example
 * const firstWeek: PartitionRange = { start: 0, end: 7 }
 */
export interface PartitionRange {
  readonly start: number
  readonly end: number
}

/**
 * A partition definition: keys mapped to dense indices `0 .. size(now)`. Indices of existing
 * partitions never change as `now` advances (except in products whose non-first dimension grows).
 *
 * `keyAt` and `indexOf` accept every partition of the definition's calendar or list, also one that is
 * not complete yet at `now`; selections (`parsePartitionArg`) check against `size(now)`.
 *
 * @example
 * const days: PartitionDefinition = daily({ start: '2024-01-01' })
 * days.indexOf('2024-01-05') // 4
 * days.keyAt(4) // '2024-01-05'
 */
export interface PartitionDefinition {
  readonly kind: PartitionKind
  /** How many partitions exist at `now` (default: the current time): for time windows, the complete ones. */
  size(now?: Date): number
  /** The key of an index; throws `RIVERS_PARTITION_INDEX` outside the definition. */
  keyAt(index: number, now?: Date): string
  /** The index of a key; throws `RIVERS_UNKNOWN_PARTITION` with the nearest valid key. */
  indexOf(key: string, now?: Date): number
  /** The keys of indices `from` (default 0) to `to` (exclusive, default `size(now)`), lazily. */
  keys(from?: number, to?: number, now?: Date): IterableIterator<string>
  /** The index ranges within `[from, to)` that hold a partition (a dynamic set's removed keys leave holes). */
  validRanges(from: number, to: number, now?: Date): PartitionRange[]
  /** A short description for messages: `daily from 2024-01-01 (UTC)`. */
  describe(): string
}

/**
 * The start and end instants of a time-window partition.
 *
 * @example
 * const w: PartitionWindow = daily({ start: '2024-01-01' }).window(0)
 * w.end.toISOString() // '2024-01-02T00:00:00.000Z'
 */
export interface PartitionWindow {
  readonly start: Date
  readonly end: Date
}

const KINDS: ReadonlySet<string> = new Set<PartitionKind>([
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'static',
  'dynamic',
  'product',
])
const METHODS = ['size', 'keyAt', 'indexOf', 'keys', 'validRanges', 'describe'] as const

/**
 * Whether `x` is a partition definition (`daily(…)`, `staticPartitions(…)`, …, also from another
 * copy of this module): a known `kind` and every method of `PartitionDefinition`.
 *
 * @example
 * isPartitionDefinition(daily({ start: '2024-01-01' })) // true
 * isPartitionDefinition('daily') // false
 */
export function isPartitionDefinition(x: unknown): x is PartitionDefinition {
  if (typeof x !== 'object' || x === null) return false
  const d = x as Record<string, unknown>
  if (typeof d.kind !== 'string' || !KINDS.has(d.kind)) return false
  for (const m of METHODS) if (typeof d[m] !== 'function') return false
  return true
}
