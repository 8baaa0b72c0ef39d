/** Small operations on sorted lists of half-open index ranges. */
import type { PartitionRange } from './types.js'

/**
 * The ranges of a box `[lo_k, hi_k)` per dimension of a mixed-radix space (first dimension most
 * significant), merged where they touch.
 *
 * @example
 * boxRanges([2, 3], [[0, 2], [1, 3]]) // [{ start: 1, end: 3 }, { start: 4, end: 6 }]
 */
export function boxRanges(sizes: readonly number[], box: readonly (readonly [number, number])[]): PartitionRange[] {
  let ranges: PartitionRange[] = [{ start: 0, end: 1 }]
  sizes.forEach((size, k) => {
    const [lo, hi] = box[k] as readonly [number, number]
    const next: PartitionRange[] = []
    for (const r of ranges) {
      if (lo === 0 && hi === size) next.push({ start: r.start * size, end: r.end * size })
      else
        for (let outer = r.start; outer < r.end; outer++)
          next.push({ start: outer * size + lo, end: outer * size + hi })
    }
    ranges = next
  })
  return merge(ranges)
}

/**
 * Sorted ranges with touching neighbours joined.
 *
 * @example
 * merge([{ start: 0, end: 2 }, { start: 2, end: 3 }]) // [{ start: 0, end: 3 }]
 */
export function merge(ranges: readonly PartitionRange[]): PartitionRange[] {
  const out: PartitionRange[] = []
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    if (r.start >= r.end) continue
    const last = out[out.length - 1]
    if (last !== undefined && last.end >= r.start)
      out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) }
    else out.push(r)
  }
  return out
}

/**
 * The intersection of two sorted, disjoint range lists.
 *
 * @example
 * intersect([{ start: 0, end: 5 }], [{ start: 3, end: 8 }]) // [{ start: 3, end: 5 }]
 */
export function intersect(a: readonly PartitionRange[], b: readonly PartitionRange[]): PartitionRange[] {
  const out: PartitionRange[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a[i] as PartitionRange
    const y = b[j] as PartitionRange
    const start = Math.max(x.start, y.start)
    const end = Math.min(x.end, y.end)
    if (start < end) out.push({ start, end })
    if (x.end < y.end) i++
    else j++
  }
  return out
}

/**
 * Ranges as the flat `start, end, start, end, …` array of the core's partition sets.
 *
 * @example
 * flatten([{ start: 0, end: 2 }, { start: 5, end: 6 }]) // [0, 2, 5, 6]
 */
export function flatten(ranges: readonly PartitionRange[]): number[] {
  return ranges.flatMap((r) => [r.start, r.end])
}
