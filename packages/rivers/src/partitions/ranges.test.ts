import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { boxRanges, flatten, intersect, merge } from './ranges.js'

const members = (rs: readonly { start: number; end: number }[]): number[] =>
  rs.flatMap((r) => Array.from({ length: r.end - r.start }, (_, i) => r.start + i))

describe('ranges', () => {
  it('merges, intersects and flattens', () => {
    expect(
      merge([
        { start: 4, end: 6 },
        { start: 0, end: 2 },
        { start: 2, end: 3 },
        { start: 5, end: 5 },
      ]),
    ).toEqual([
      { start: 0, end: 3 },
      { start: 4, end: 6 },
    ])
    expect(
      intersect(
        [
          { start: 0, end: 5 },
          { start: 7, end: 9 },
        ],
        [{ start: 3, end: 8 }],
      ),
    ).toEqual([
      { start: 3, end: 5 },
      { start: 7, end: 8 },
    ])
    expect(flatten([{ start: 0, end: 2 }])).toEqual([0, 2])
  })

  it('builds the ranges of a box in a mixed-radix space, equal to listing its members', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
          .chain((sizes) =>
            fc.tuple(
              fc.constant(sizes),
              fc.tuple(
                ...sizes.map((s) => fc.tuple(fc.integer({ min: 0, max: s - 1 }), fc.integer({ min: 0, max: s - 1 }))),
              ),
            ),
          ),
        ([sizes, corners]) => {
          const box = corners.map(([a, b]) => [Math.min(a, b), Math.max(a, b) + 1] as const)
          const expected: number[] = []
          const total = sizes.reduce((a, b) => a * b, 1)
          for (let i = 0; i < total; i++) {
            let rest = i
            const digits: number[] = []
            for (let k = sizes.length - 1; k >= 0; k--) {
              digits[k] = rest % (sizes[k] as number)
              rest = Math.floor(rest / (sizes[k] as number))
            }
            if (digits.every((d, k) => d >= (box[k] as readonly number[])[0]! && d < (box[k] as readonly number[])[1]!))
              expected.push(i)
          }
          expect(members(boxRanges(sizes, box))).toEqual(expected)
        },
      ),
    )
  })
})
