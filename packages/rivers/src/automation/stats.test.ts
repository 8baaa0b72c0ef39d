import { describe, expect, it } from 'vitest'

import { cvmLimitCdf } from './cvm-distribution.js'
import { kolmogorovSf, smirnovSf } from './ks-distribution.js'
import { cvmTest, ksTest, mmdTest } from './stats.js'

function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 16807) % 2147483647
    return s / 2147483647
  }
}
function normals(n: number, seed: number, shift = 0): number[] {
  const rnd = random(seed)
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd()) + shift)
}
const message = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`
  }
  throw new Error('expected an error')
}

describe('ksTest', () => {
  it('is the largest gap between the two empirical CDFs', () => {
    expect(ksTest([1, 2, 3, 4], [1, 2, 3, 4])).toEqual({ statistic: 0, pValue: 1 })
    expect(ksTest([1, 2, 3], [4, 5, 6]).statistic).toBe(1)
    expect(ksTest([1, 2, 3, 4], [3, 4, 5, 6]).statistic).toBe(0.5)
    // Ties across the samples step both CDFs at once.
    expect(ksTest([1, 1, 2, 2], [1, 2, 2, 2]).statistic).toBe(0.25)
  })

  it('agrees with the definition on samples with and without ties, within and across samples', () => {
    const rnd = random(11)
    // D by the definition: over every pooled value v, |#{a <= v}/n_a − #{b <= v}/n_b|.
    const definition = (a: number[], b: number[]): number => {
      let d = 0
      for (const v of [...a, ...b]) {
        const fa = a.filter((x) => x <= v).length / a.length
        const fb = b.filter((x) => x <= v).length / b.length
        d = Math.max(d, Math.abs(fa - fb))
      }
      return d
    }
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rnd() * 40)
      const m = 1 + Math.floor(rnd() * 40)
      // Few distinct values (ties everywhere), values shared only within a sample, or none.
      const kind = trial % 3
      const draw = (side: number): number =>
        kind === 0 ? Math.floor(rnd() * 6) : kind === 1 ? 2 * Math.floor(rnd() * 8) + side : rnd() + side * 0.2
      const a = Array.from({ length: n }, () => draw(0))
      const b = Array.from({ length: m }, () => draw(1))
      expect(ksTest(a, b).statistic).toBeCloseTo(definition(a, b), 12)
    }
  })

  it('does not depend on order or on which sample comes first', () => {
    const a = normals(300, 1)
    const b = normals(200, 2, 0.3)
    const r = ksTest(a, b)
    expect(ksTest(b, a)).toEqual(r)
    expect(ksTest([...a].reverse(), Float64Array.from(b))).toEqual(r)
  })

  it('finds a shift and not its absence', () => {
    expect(ksTest(normals(2000, 3), normals(2000, 4, 0.5)).pValue).toBeLessThan(1e-10)
    expect(ksTest(normals(2000, 5), normals(2000, 6)).pValue).toBeGreaterThan(0.01)
  })

  it('takes 2 × 100k samples quickly', () => {
    const a = Float64Array.from(normals(100_000, 7))
    const b = Float64Array.from(normals(100_000, 8, 0.01))
    ksTest(a, b)
    const start = performance.now()
    ksTest(a, b)
    expect(performance.now() - start).toBeLessThan(200)
  })
})

describe('the KS distribution', () => {
  it('falls from 1 to 0 as the statistic grows, for every algorithm range', () => {
    for (const n of [1, 2, 5, 20, 140, 141, 1000, 50_000]) {
      let last = 1
      for (let x = 0; x <= 1.0001; x += 0.001) {
        const p = kolmogorovSf(n, x)
        expect(p).toBeLessThanOrEqual(last + 1e-9)
        expect(p).toBeGreaterThanOrEqual(0)
        last = p
      }
      expect(kolmogorovSf(n, 0)).toBe(1)
      expect(kolmogorovSf(n, 1)).toBe(0)
    }
    expect(smirnovSf(10, 0)).toBe(1)
    expect(smirnovSf(1, 0.3)).toBeCloseTo(0.7, 15)
  })
})

describe('cvmTest', () => {
  it('is 0-ish for equal samples and grows with a shift', () => {
    const a = normals(500, 9)
    const same = cvmTest(a, a)
    expect(same.pValue).toBeGreaterThan(0.99)
    const shifted = cvmTest(a, normals(500, 10, 0.5))
    expect(shifted.statistic).toBeGreaterThan(1)
    expect(shifted.pValue).toBeLessThan(1e-6)
    expect(cvmTest(normals(500, 10, 0.5), a)).toEqual(shifted)
  })

  it('uses the limiting distribution whose 5% point is 0.461', () => {
    expect(1 - cvmLimitCdf(0.46136)).toBeCloseTo(0.05, 3)
    expect(1 - cvmLimitCdf(0.74346)).toBeCloseTo(0.01, 3)
  })
})

describe('mmdTest', () => {
  it('is the biased V-statistic with an RBF kernel', () => {
    // Hand-computed: a = {0}, b = {1}, σ = 1: 1 + 1 − 2·e^(−1/2).
    expect(mmdTest([0], [1], { bandwidth: 1, permutations: 1 }).statistic).toBeCloseTo(2 - 2 * Math.exp(-0.5), 14)
    expect(mmdTest([[0, 0]], [[3, 4]], { bandwidth: 5, permutations: 1 }).statistic).toBeCloseTo(
      2 - 2 * Math.exp(-0.5),
      14,
    )
    expect(mmdTest([1, 2, 3], [1, 2, 3], { bandwidth: 1, permutations: 1 }).statistic).toBeCloseTo(0, 14)
  })

  it('computes the statistic alone with permutations: 0', () => {
    const a = normals(300, 16)
    const b = normals(200, 17, 0.4)
    const alone = mmdTest(a, b, { permutations: 0 })
    expect(alone.pValue).toBeNaN()
    expect(alone.statistic).toBe(mmdTest(a, b, { permutations: 5 }).statistic)
  })

  it('takes the median pairwise distance as bandwidth unless given', () => {
    expect(mmdTest([0, 1], [3], { permutations: 1 }).bandwidth).toBe(2) // distances 1, 2, 3
    expect(mmdTest([0, 0, 0], [0, 5], { permutations: 1 }).bandwidth).toBe(5) // median 0: mean of the non-zero
    expect(mmdTest([2, 2], [2], { permutations: 1 }).bandwidth).toBe(1)
    expect(mmdTest([0, 1], [3], { bandwidth: 0.7, permutations: 1 }).bandwidth).toBe(0.7)
  })

  it('gives a seeded permutation p-value: the same for the same seed, small under a shift', () => {
    const a = normals(150, 11)
    const b = normals(150, 12, 1)
    const r = mmdTest(a, b, { seed: 3 })
    expect(r.pValue).toBeCloseTo(1 / 201, 12)
    const c = normals(150, 13)
    const same = mmdTest(a, c, { seed: 3, permutations: 99 })
    expect(same.pValue).toBeGreaterThan(0.05)
    expect(mmdTest(a, c, { seed: 3, permutations: 99 })).toEqual(same)
    const seeds = [0, 1, 2, 3, 4, 5].map((seed) => mmdTest(a, c, { seed, permutations: 99 }).pValue)
    expect(new Set(seeds).size).toBeGreaterThan(1)
  })

  it('uses at most 2,000 evenly spaced points per side', () => {
    const a = normals(5000, 14)
    const b = normals(3000, 15, 0.2)
    const every = (x: number[], n: number) =>
      Array.from({ length: 2000 }, (_, i) => x[Math.floor((i * n) / 2000)] as number)
    const sub = mmdTest(every(a, 5000), every(b, 3000), { bandwidth: 1, permutations: 1 })
    expect(mmdTest(a, b, { bandwidth: 1, permutations: 1 }).statistic).toBe(sub.statistic)
  }, 60_000)
})

describe('errors', () => {
  it('name the test, the sample and the value', () => {
    expect([
      message(() => ksTest([], [1])),
      message(() => ksTest([1, Number.NaN], [1])),
      message(() => cvmTest([1, 2], [3])),
      message(() => cvmTest([1, 2], [3, Number.POSITIVE_INFINITY])),
      message(() => mmdTest([[1, 2], [3]], [[1, 2]])),
      message(() => mmdTest([[1, 2]], [[1, 2, 3]])),
      message(() => mmdTest([1], [2], { bandwidth: 0 })),
      message(() => mmdTest([1], [2], { permutations: 1.5 })),
      message(() => mmdTest([1], [2], { permutations: -1 })),
    ]).toMatchInlineSnapshot(`
      [
        "RIVERS_INVALID_SAMPLE: ks test: sample a: it is empty.
      Fix: pass at least 1 value per sample.",
        "RIVERS_INVALID_SAMPLE: ks test: sample a: value NaN (index 1) is not a finite number.
      Fix: drop or impute missing and non-finite values before the test.",
        "RIVERS_INVALID_SAMPLE: cvm test: sample b: it has 1 value(s), the test needs at least 2.
      Fix: pass at least 2 values per sample.",
        "RIVERS_INVALID_SAMPLE: cvm test: sample b: value Infinity (index 1) is not a finite number.
      Fix: drop or impute missing and non-finite values before the test.",
        "RIVERS_INVALID_SAMPLE: mmd test: sample a: row 1 has 1 values, row 0 has 2.
      Fix: give every row the same columns, in the same order, in both samples.",
        "RIVERS_INVALID_SAMPLE: mmd test: sample b: its rows have 3 values, those of sample a 2.
      Fix: give every row the same columns, in the same order, in both samples.",
        "RIVERS_INVALID_TEST_OPTION: mmd test: option bandwidth is 0.
      Fix: give bandwidth as a positive finite number, or leave it out for the default.",
        "RIVERS_INVALID_TEST_OPTION: mmd test: option permutations is 1.5.
      Fix: give permutations as an integer >= 0 (0: no p-value), or leave it out for the default.",
        "RIVERS_INVALID_TEST_OPTION: mmd test: option permutations is -1.
      Fix: give permutations as an integer >= 0 (0: no p-value), or leave it out for the default.",
      ]
    `)
  })
})
