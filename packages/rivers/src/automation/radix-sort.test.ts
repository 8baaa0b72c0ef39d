import { expect, it } from 'vitest'

import { sortFloat64 } from './radix-sort.js'

it('sorts like the built-in typed sort, negatives, zeros, extremes and ties included', () => {
  let s = 7
  const rnd = () => {
    s = (s * 16807) % 2147483647
    return s / 2147483647
  }
  const special = [-0, 0, 1e308, -1e308, 5e-324, -5e-324, 1, -1, 1.5, -1.5]
  for (const n of [0, 1, 10, 2047, 2048, 5000, 50_000]) {
    const values = Array.from({ length: n }, (_, i) =>
      i % 17 === 0 ? (special[i % special.length] as number) : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 12 - 6),
    )
    // Ties: a third of the values repeat earlier ones.
    for (let i = 3; i < n; i += 3) values[i] = values[Math.floor(rnd() * i)] as number
    const want = Float64Array.from(values).sort()
    const got = sortFloat64(Float64Array.from(values))
    expect(Array.from(got)).toEqual(Array.from(want))
  }
  // Values all equal in the high digits (the skipped passes).
  const narrow = Float64Array.from({ length: 4000 }, (_, i) => 1 + ((i * 7919) % 4000) * 2 ** -52)
  expect(Array.from(sortFloat64(Float64Array.from(narrow)))).toEqual(Array.from(narrow.sort()))
  // Short runs that share the high 32 bits (the insertion sort), positive and negative, in shuffled order.
  const runs: number[] = []
  for (let i = 0; i < 3000; i++) {
    const base = (i % 2 ? -1 : 1) * (1 + i / 4096)
    for (let k = 0; k < 1 + (i % 5); k++) runs.push(base + (((i * 31 + k * 17) % 97) + 1) * 2 ** -40 * Math.sign(base))
  }
  for (let i = runs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[runs[i], runs[j]] = [runs[j] as number, runs[i] as number]
  }
  expect(Array.from(sortFloat64(Float64Array.from(runs)))).toEqual(Array.from(Float64Array.from(runs).sort()))
  // Long runs that share the high word (the radix sort on the low word): timestamps in ms over a
  // few days, some repeated, and the same band negated.
  const stamps = Array.from({ length: 20_000 }, (_, i) => 1.7e12 + Math.floor(rnd() * 3e8) + (i % 7 === 0 ? 0.5 : 0))
  for (let i = 5; i < stamps.length; i += 5) stamps[i] = stamps[i - 3] as number
  for (const values of [stamps, stamps.map((v) => -v)])
    expect(Array.from(sortFloat64(Float64Array.from(values)))).toEqual(Array.from(Float64Array.from(values).sort()))
})
