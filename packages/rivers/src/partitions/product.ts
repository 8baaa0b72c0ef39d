/**
 * Products of partition definitions: any number of named dimensions, in declared order. Index is
 * mixed radix with the first dimension most significant (`((i1 * size2) + i2) * size3 + i3 …`, the
 * sizes taken at `now`); a key joins the dimension keys with `|` (`'2024-01-05|eu'`).
 */
import {
  invalidPartitions,
  PartitionKeyError,
  partitionIndexOutOfRange,
  partitionNotYet,
  unknownPartition,
  wrongDimensions,
} from './errors.js'
import type { PartitionDefinition, PartitionRange } from './types.js'

/**
 * One dimension of a product.
 *
 * @example
 * const dim: ProductDimension = { name: 'region', partitions: staticPartitions(['eu', 'us']) }
 */
export interface ProductDimension {
  readonly name: string
  readonly partitions: PartitionDefinition
}

/**
 * A product partition definition.
 *
 * @example
 * const p: ProductPartitions = partitionProduct({ date: daily({ start: '2024-01-01' }), region: staticPartitions(['eu', 'us']) })
 * p.dimensionKeys('2024-01-05|eu') // { date: '2024-01-05', region: 'eu' }
 */
export interface ProductPartitions extends PartitionDefinition {
  readonly kind: 'product'
  readonly dimensions: readonly ProductDimension[]
  /** The index of each dimension of a product index (at `now`). */
  digits(index: number, now?: Date): number[]
  /** The product index of one index per dimension (at `now`). */
  indexOfDigits(digits: readonly number[], now?: Date): number
  /** A product key split by dimension name; throws on a wrong number of dimensions. */
  dimensionKeys(key: string): Record<string, string>
}

const DIM = /^[A-Za-z_][A-Za-z0-9_]*$/

class Product implements ProductPartitions {
  readonly kind = 'product' as const
  readonly dimensions: readonly ProductDimension[]

  constructor(dims: Readonly<Record<string, PartitionDefinition>>) {
    const what = 'partitionProduct'
    const entries = typeof dims === 'object' && dims !== null ? Object.entries(dims) : []
    if (entries.length === 0)
      throw invalidPartitions(
        what,
        'it has no dimensions',
        'name each dimension: partitionProduct({ date: daily(…), region: staticPartitions([…]) })',
      )
    for (const [name, def] of entries) {
      if (!DIM.test(name))
        throw invalidPartitions(
          what,
          `dimension name '${name}' is not an identifier`,
          'name dimensions like variables, e.g. date, region',
        )
      if (typeof def !== 'object' || def === null || typeof (def as PartitionDefinition).indexOf !== 'function')
        throw invalidPartitions(
          what,
          `dimension '${name}' is not a partition definition`,
          'pass daily(…), staticPartitions([…]), dynamicPartitions(…) and the like',
        )
      if (def.kind === 'product')
        throw invalidPartitions(
          what,
          `dimension '${name}' is itself a product`,
          'list all dimensions in one partitionProduct',
        )
    }
    this.dimensions = Object.freeze(entries.map(([name, partitions]) => Object.freeze({ name, partitions })))
  }

  private sizes(now: Date | undefined): number[] {
    return this.dimensions.map((d) => d.partitions.size(now))
  }

  size(now?: Date): number {
    return this.sizes(now).reduce((a, b) => a * b, 1)
  }

  digits(index: number, now?: Date): number[] {
    const sizes = this.sizes(now)
    const total = sizes.reduce((a, b) => a * b, 1)
    if (
      !Number.isSafeInteger(index) ||
      index < 0 ||
      (sizes.length > 1 && index >= total && sizes.slice(1).some((s) => s === 0))
    )
      throw partitionIndexOutOfRange(this.describe(), index, total)
    const out = new Array<number>(sizes.length)
    let rest = index
    for (let k = sizes.length - 1; k > 0; k--) {
      const s = sizes[k] as number
      out[k] = rest % s
      rest = Math.floor(rest / s)
    }
    out[0] = rest
    return out
  }

  indexOfDigits(digits: readonly number[], now?: Date): number {
    const sizes = this.sizes(now)
    let index = 0
    sizes.forEach((s, k) => {
      index = k === 0 ? (digits[0] as number) : index * s + (digits[k] as number)
    })
    return index
  }

  keyAt(index: number, now?: Date): string {
    return this.digits(index, now)
      .map((d, k) => (this.dimensions[k] as ProductDimension).partitions.keyAt(d, now))
      .join('|')
  }

  dimensionKeys(key: string): Record<string, string> {
    const parts = typeof key === 'string' ? key.split('|') : []
    if (parts.length !== this.dimensions.length)
      throw wrongDimensions(this.describe(), String(key), this.names(), this.example())
    return Object.fromEntries(this.dimensions.map((d, k) => [d.name, parts[k] as string]))
  }

  indexOf(key: string, now?: Date): number {
    const parts = Object.values(this.dimensionKeys(key))
    const sizes = this.sizes(now)
    const digits = parts.map((part, k) => {
      const dim = this.dimensions[k] as ProductDimension
      let d: number
      try {
        d = dim.partitions.indexOf(part, now)
      } catch (e) {
        if (!(e instanceof PartitionKeyError)) throw e
        const fixed =
          e.suggestion === undefined ? undefined : parts.map((p, j) => (j === k ? e.suggestion : p)).join('|')
        throw unknownPartition(this.describe(), key, `dimension ${dim.name}: ${e.reason}`, fixed, `'${this.example()}'`)
      }
      if (k > 0 && d >= (sizes[k] as number))
        throw partitionNotYet(
          this.describe(),
          key,
          `dimension ${dim.name} '${part}' does not exist yet (${sizes[k]} partitions now)`,
          undefined,
        )
      return d
    })
    return this.indexOfDigits(digits, now)
  }

  *keys(from = 0, to?: number, now: Date = new Date()): IterableIterator<string> {
    // One `now` for the whole iteration: the radix must not change halfway.
    const stop = to ?? this.size(now)
    for (let i = Math.max(0, from); i < stop; i++) yield this.keyAt(i, now)
  }

  validRanges(from: number, to: number, now?: Date): PartitionRange[] {
    const sizes = this.sizes(now)
    let ranges: PartitionRange[] = [{ start: 0, end: 1 }]
    let width = 1
    // Build the valid ranges dimension by dimension (innermost last), merging whole blocks.
    this.dimensions.forEach((dim, k) => {
      const size = sizes[k] as number
      const inner = dim.partitions.validRanges(0, size, now)
      const full = inner.length === 1 && inner[0]?.start === 0 && inner[0]?.end === size
      const next: PartitionRange[] = []
      for (const r of ranges) {
        if (full) next.push({ start: r.start * size, end: r.end * size })
        else
          for (let outer = r.start; outer < r.end; outer++)
            for (const i of inner) next.push({ start: outer * size + i.start, end: outer * size + i.end })
      }
      ranges = next
      width *= size
    })
    const out: PartitionRange[] = []
    for (const r of ranges) {
      const start = Math.max(r.start, from, 0)
      const end = Math.min(r.end, to, width)
      const last = out[out.length - 1]
      if (start >= end) continue
      if (last !== undefined && last.end === start) out[out.length - 1] = { start: last.start, end }
      else out.push({ start, end })
    }
    return out
  }

  private names(): string[] {
    return this.dimensions.map((d) => d.name)
  }

  private example(): string {
    return this.dimensions
      .map((d) => {
        const first = d.partitions.keys(0, 1).next()
        return first.done ? d.name : first.value
      })
      .join('|')
  }

  describe(): string {
    return `partitions ${this.names().join(' × ')}`
  }
}

/**
 * A product of partition definitions: one partition per combination of keys, with named dimensions
 * in declared order. Keys join the dimension keys with `|`; indices are mixed radix, first dimension
 * most significant.
 *
 * @example
 * const p = partitionProduct({ date: daily({ start: '2024-01-01' }), region: staticPartitions(['eu', 'us']) })
 * p.indexOf('2024-01-05|us') // 4 * 2 + 1 = 9
 */
export function partitionProduct(dimensions: Readonly<Record<string, PartitionDefinition>>): ProductPartitions {
  return new Product(dimensions)
}
