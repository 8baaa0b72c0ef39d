/**
 * The mappings users declare between a downstream asset's partitions and an upstream's: which
 * upstream partitions partition p reads. `resolveMapping` turns them into the core's mappings.
 */
import { invalidMapping } from './errors.js'

/**
 * A declared partition mapping (build one with `identity`, `window`, `allPartitions`,
 * `perDimension` or `fromFunction`).
 *
 * @example
 * const m: PartitionMapping = window({ length: 7 })
 */
export type PartitionMapping =
  | { readonly kind: 'identity' }
  | { readonly kind: 'window'; readonly offset: number; readonly length: number; readonly overStatic: boolean }
  | { readonly kind: 'all' }
  | { readonly kind: 'perDimension'; readonly dimensions: Readonly<Record<string, PartitionMapping>> }
  | { readonly kind: 'function'; readonly fn: (downKey: string) => readonly string[] }

/**
 * Partition p reads the upstream partition with the same key (the default for equal definitions;
 * for time windows of the same period with different starts, the same window).
 *
 * @example
 * const m = identity()
 */
export function identity(): PartitionMapping {
  return { kind: 'identity' }
}

/**
 * Options of `window`.
 *
 * @example
 * const opts: WindowOptions = { length: 7, offset: 1 }
 */
export interface WindowOptions {
  /** How many upstream partitions, at least 1. */
  readonly length: number
  /** How many partitions before p the window ends (default 0: it ends at p itself; negative reads ahead). */
  readonly offset?: number
  /** Allow a window over a static list (its declared order then means something). Default false. */
  readonly overStatic?: boolean
}

/**
 * Partition p reads the `length` upstream partitions that end `offset` partitions before p:
 * `[p - offset - length + 1, p - offset]`, clipped to the partitions that exist. So
 * `window({ length: 7 })` is the last 7 partitions including p ("the previous 7 days" of a daily
 * asset), and `window({ length: 1, offset: 1 })` is the partition just before p. Both definitions
 * must have the same period (or be the same list, with `overStatic: true`).
 *
 * @example
 * const lastWeek = window({ length: 7 })
 * const yesterday = window({ length: 1, offset: 1 })
 */
export function window(options: WindowOptions): PartitionMapping {
  const length = options?.length
  const offset = options?.offset ?? 0
  const shown = `mapping.window(${JSON.stringify(options)})`
  if (!Number.isSafeInteger(length) || length < 1)
    throw invalidMapping(
      shown,
      'length must be an integer >= 1',
      'write mapping.window({ length: 7 }) for the last 7 partitions',
    )
  if (!Number.isSafeInteger(offset))
    throw invalidMapping(
      shown,
      'offset must be an integer',
      'write mapping.window({ length: 1, offset: 1 }) for the one before',
    )
  return { kind: 'window', offset, length, overStatic: options.overStatic === true }
}

/**
 * Every upstream partition (an unpartitioned asset reading all partitions of its input; the
 * default when the downstream is unpartitioned).
 *
 * @example
 * const m = allPartitions()
 */
export function allPartitions(): PartitionMapping {
  return { kind: 'all' }
}

/**
 * One mapping per dimension of two products with the same dimensions (a dimension left out gets its
 * default).
 *
 * @example
 * const m = perDimension({ date: window({ length: 7 }), region: identity() })
 */
export function perDimension(dimensions: Readonly<Record<string, PartitionMapping>>): PartitionMapping {
  if (typeof dimensions !== 'object' || dimensions === null)
    throw invalidMapping(
      'mapping.perDimension',
      'it needs an object of mappings by dimension name',
      'write mapping.perDimension({ date: mapping.identity() })',
    )
  return { kind: 'perDimension', dimensions }
}

/**
 * A mapping given by a function from a downstream key to the upstream keys it reads. It is called
 * once per downstream partition when the mapping is resolved, so keep it for small definitions;
 * prefer the structured mappings for time windows.
 *
 * @example
 * const m = fromFunction((country) => (country === 'de' ? ['eu'] : ['us']))
 */
export function fromFunction(fn: (downKey: string) => readonly string[]): PartitionMapping {
  if (typeof fn !== 'function')
    throw invalidMapping(
      'mapping.fromFunction',
      'it needs a function',
      'write mapping.fromFunction((key) => [upstreamKey])',
    )
  return { kind: 'function', fn }
}

/**
 * The mappings a dependency between partitioned assets can declare, as one namespace (like `when`):
 * `mapping.identity()`, `mapping.window({ length, offset? })`, `mapping.all()`,
 * `mapping.perDimension({ ... })`, `mapping.fromFunction((downKey) => upKeys)`.
 *
 * @example
 * const lastWeek = mapping.window({ length: 7 })
 * const byRegion = mapping.perDimension({ date: mapping.identity(), region: mapping.identity() })
 */
export const mapping = Object.freeze({
  identity,
  window,
  all: allPartitions,
  perDimension,
  fromFunction,
})

/**
 * Whether `x` is a partition mapping built by `mapping.*` (checked in depth for `perDimension`).
 *
 * @example
 * isPartitionMapping(mapping.window({ length: 7 })) // true
 * isPartitionMapping({ kind: 'window' }) // false: no length
 */
export function isPartitionMapping(x: unknown): x is PartitionMapping {
  if (typeof x !== 'object' || x === null) return false
  const m = x as Record<string, unknown>
  switch (m.kind) {
    case 'identity':
    case 'all':
      return true
    case 'window':
      return (
        Number.isSafeInteger(m.length) &&
        (m.length as number) >= 1 &&
        Number.isSafeInteger(m.offset) &&
        typeof m.overStatic === 'boolean'
      )
    case 'perDimension':
      return (
        typeof m.dimensions === 'object' &&
        m.dimensions !== null &&
        Object.values(m.dimensions).every((d) => isPartitionMapping(d))
      )
    case 'function':
      return typeof m.fn === 'function'
    default:
      return false
  }
}
