/**
 * Partition selections from the command line: `KEY` or `FROM...TO` (both ends inclusive, Dagster's
 * spelling), resolved to index ranges of a definition at `now`.
 */
import { ofAsset, PartitionKeyError, partitionNotYet, reversedRange, unknownPartition } from './errors.js'
import type { ProductDimension, ProductPartitions } from './product.js'
import { boxRanges, intersect } from './ranges.js'
import type { PartitionDefinition, PartitionRange } from './types.js'

/**
 * Options of `parsePartitionArg`.
 *
 * @example
 * const opts: PartitionArgOptions = { now: new Date('2024-02-01'), asset: 'events' }
 */
export interface PartitionArgOptions {
  /** The time that decides which time windows exist (default: now). */
  readonly now?: Date
  /** The asset whose partitions these are, named in errors. */
  readonly asset?: string
}

function last(def: PartitionDefinition, size: number, now: Date): string | undefined {
  if (size === 0) return undefined
  const ranges = def.validRanges(0, size, now)
  const end = ranges[ranges.length - 1]?.end
  return end === undefined ? undefined : def.keyAt(end - 1, now)
}

function indexOfExisting(def: PartitionDefinition, key: string, size: number, now: Date): number {
  const i = def.indexOf(key, now)
  if (i >= size) {
    const reason =
      def.kind === 'product'
        ? `it is not complete yet at ${now.toISOString()}`
        : `it is not complete yet at ${now.toISOString()} (${size} partitions exist)`
    throw partitionNotYet(def.describe(), key, reason, last(def, size, now))
  }
  return i
}

function productRange(
  def: ProductPartitions,
  from: string,
  to: string,
  a: number,
  b: number,
  now: Date,
): PartitionRange[] {
  const lo = def.digits(a, now)
  const hi = def.digits(b, now)
  const sizes = def.dimensions.map((d) => d.partitions.size(now))
  lo.forEach((l, k) => {
    if (l > (hi[k] as number)) {
      const name = (def.dimensions[k] as ProductDimension).name
      const dims = def.dimensionKeys(from)
      const dimsTo = def.dimensionKeys(to)
      throw reversedRange(`${def.describe()} (dimension ${name})`, dims[name] as string, dimsTo[name] as string)
    }
  })
  const box = lo.map((l, k) => [l, (hi[k] as number) + 1] as const)
  return intersect(boxRanges(sizes, box), def.validRanges(0, def.size(now), now))
}

/**
 * The index ranges (half-open, sorted) that a `--partition` argument selects: `KEY`, or `FROM...TO`
 * with both ends inclusive. For a product, `FROM...TO` selects the box between the two keys in every
 * dimension (`2024-01-01|eu...2024-01-31|us` is 31 days × the regions from eu to us). Removed keys of
 * a dynamic set are left out. Errors name the key and the fix: an unknown key (with the nearest valid
 * one), a reversed range, a key after `now` or the end, a product key with the wrong dimensions.
 *
 * @example
 * const days = daily({ start: '2024-01-01' })
 * parsePartitionArg(days, '2024-01-05...2024-01-07', { now: new Date('2024-02-01') }) // [{ start: 4, end: 7 }]
 */
export function parsePartitionArg(
  def: PartitionDefinition,
  text: string,
  options: PartitionArgOptions = {},
): PartitionRange[] {
  const now = options.now ?? new Date()
  try {
    const size = def.size(now)
    const parts = String(text).trim().split('...')
    if (parts.length === 1) {
      const i = indexOfExisting(def, parts[0] as string, size, now)
      return [{ start: i, end: i + 1 }]
    }
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '')
      throw unknownPartition(
        def.describe(),
        String(text),
        "a range needs one key on each side of '...'",
        undefined,
        size > 0
          ? `'${def.keyAt(0, now)}', or a range '${def.keyAt(0, now)}...${def.keyAt(size - 1, now)}'`
          : `'KEY' or 'FROM...TO'`,
      )
    const [from, to] = parts as [string, string]
    const a = indexOfExisting(def, from, size, now)
    const b = indexOfExisting(def, to, size, now)
    if (def.kind === 'product') return productRange(def as ProductPartitions, from, to, a, b, now)
    if (a > b) throw reversedRange(def.describe(), from, to)
    return def.validRanges(a, b + 1, now)
  } catch (e) {
    if (options.asset !== undefined && e instanceof PartitionKeyError) throw ofAsset(options.asset, e)
    throw e
  }
}
