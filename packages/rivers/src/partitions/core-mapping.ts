/**
 * The mappings of the Rust core (docs/partitions.md, "Mappings"): what a resolved mapping says, in
 * the two assets' own index spaces, and `upstreamOf`, its readable twin in TypeScript (the core
 * answers the same questions on sets of ranges).
 */
import { merge } from './ranges.js'
import type { PartitionRange } from './types.js'

/**
 * A partition set in the core's wire format: sorted, disjoint half-open ranges, flattened
 * `start, end, start, end, …`.
 *
 * @example
 * const firstWeekAndTenth: PartitionSet = [0, 7, 9, 10]
 */
export type PartitionSet = readonly number[]

/**
 * One dimension of a `product` core mapping.
 *
 * @example
 * const d: CoreDimension = { mapping: { kind: 'identity' }, downSize: 31, upSize: 31 }
 */
export interface CoreDimension {
  readonly mapping: CoreMapping
  readonly downSize: number
  readonly upSize: number
}

/**
 * A mapping of the core: downstream partition p reads these upstream partitions (∩ `[0, upSize)`):
 * identity `{p}`; window `[p + from, p + to]`; coarsen `[b[p], b[p+1])`; refine the q with
 * `b[q] <= p < b[q+1]`; all `[0, upSize)`; single `{0}`; product the cartesian product of each
 * dimension's mapping of p's digits; explicit `upstream[p]`.
 *
 * @example
 * const sevenDays: CoreMapping = { kind: 'window', from: -6, to: 0 }
 */
export type CoreMapping =
  | { readonly kind: 'identity' }
  | { readonly kind: 'window'; readonly from: number; readonly to: number }
  | { readonly kind: 'coarsen'; readonly boundaries: readonly number[] }
  | { readonly kind: 'refine'; readonly boundaries: readonly number[] }
  | { readonly kind: 'all' }
  | { readonly kind: 'single' }
  | { readonly kind: 'product'; readonly dims: readonly CoreDimension[] }
  | { readonly kind: 'explicit'; readonly upstream: readonly PartitionSet[] }

/**
 * A resolved mapping and the sizes of both sides at the `now` it was resolved for (an
 * unpartitioned side has size 1).
 *
 * @example
 * const r: ResolvedMapping = { mapping: { kind: 'all' }, downSize: 1, upSize: 366 }
 */
export interface ResolvedMapping {
  readonly mapping: CoreMapping
  readonly downSize: number
  readonly upSize: number
}

const clip = (start: number, end: number, upSize: number): PartitionRange[] => {
  const s = Math.max(0, start)
  const e = Math.min(upSize, end)
  return s < e ? [{ start: s, end: e }] : []
}

/** Index of the last boundary <= p (binary search), or -1. */
function segment(b: readonly number[], p: number): number {
  let lo = 0
  let hi = b.length - 1
  if (hi < 1 || p < (b[0] as number) || p >= (b[hi] as number)) return -1
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if ((b[mid] as number) <= p) lo = mid
    else hi = mid
  }
  return lo
}

/**
 * The upstream ranges that downstream partition `p` reads under a core mapping, by the contract's
 * table: the readable twin of the core's set operations, for messages, `ctx.partition` and tests.
 *
 * @example
 * upstreamOf({ kind: 'window', from: -6, to: 0 }, 10, 100) // [{ start: 4, end: 11 }]
 */
export function upstreamOf(mapping: CoreMapping, p: number, upSize: number): PartitionRange[] {
  switch (mapping.kind) {
    case 'identity':
      return clip(p, p + 1, upSize)
    case 'window':
      return clip(p + mapping.from, p + mapping.to + 1, upSize)
    case 'coarsen': {
      const b = mapping.boundaries
      return p + 1 < b.length ? clip(b[p] as number, b[p + 1] as number, upSize) : []
    }
    case 'refine': {
      const q = segment(mapping.boundaries, p)
      return q < 0 ? [] : clip(q, q + 1, upSize)
    }
    case 'all':
      return clip(0, upSize, upSize)
    case 'single':
      return clip(0, 1, upSize)
    case 'explicit': {
      const set = mapping.upstream[p] ?? []
      const out: PartitionRange[] = []
      for (let k = 0; k + 1 < set.length; k += 2) out.push(...clip(set[k] as number, set[k + 1] as number, upSize))
      return out
    }
    case 'product': {
      // Digits of p, first dimension most significant.
      const digits = new Array<number>(mapping.dims.length)
      let rest = p
      for (let k = mapping.dims.length - 1; k >= 0; k--) {
        const size = (mapping.dims[k] as CoreDimension).downSize
        digits[k] = k === 0 ? rest : rest % size
        rest = Math.floor(rest / size)
      }
      let out: PartitionRange[] = [{ start: 0, end: 1 }]
      mapping.dims.forEach((d, k) => {
        const mine = upstreamOf(d.mapping, digits[k] as number, d.upSize)
        const next: PartitionRange[] = []
        for (const r of out)
          for (let outer = r.start; outer < r.end; outer++)
            for (const m of mine) next.push({ start: outer * d.upSize + m.start, end: outer * d.upSize + m.end })
        out = next
      })
      return merge(out)
    }
  }
}

/**
 * Whether every downstream partition reads at most one upstream partition under a core mapping,
 * whatever `now` is: identity, single, a window of one (`from === to`, e.g. two daily assets with
 * different starts), refine (a finer asset reading the coarser window it lies in), an explicit
 * mapping of single keys, and products of those. Coarsen, all and longer windows read many. A plain
 * dep (not `mapped()`) is allowed only where this holds: its input is one value, not a Record.
 *
 * @example
 * readsOnePartition({ kind: 'window', from: -6, to: 0 }) // false
 * readsOnePartition({ kind: 'window', from: -1, to: -1 }) // true
 */
export function readsOnePartition(mapping: CoreMapping): boolean {
  switch (mapping.kind) {
    case 'identity':
    case 'single':
    case 'refine':
      return true
    case 'window':
      return mapping.from === mapping.to
    case 'coarsen':
    case 'all':
      return false
    case 'explicit':
      return mapping.upstream.every(
        (s) => s.length === 0 || (s.length === 2 && (s[1] as number) - (s[0] as number) <= 1),
      )
    case 'product':
      return mapping.dims.every((d) => readsOnePartition(d.mapping))
  }
}
