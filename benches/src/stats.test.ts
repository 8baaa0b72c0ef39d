import { describe, expect, it } from 'vitest'
import { adapt } from './harness.js'
import { formatBytes, formatCount, formatNs, formatRatio, linearFit, quantile, summarize } from './stats.js'

describe('quantile', () => {
  it('interpolates between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(quantile([10, 20], 0.25)).toBe(12.5)
  })
  it('clamps to min and max, and is NaN without samples', () => {
    expect(quantile([3, 5], 0)).toBe(3)
    expect(quantile([3, 5], 1)).toBe(5)
    expect(quantile([], 0.5)).toBeNaN()
  })
})

describe('summarize', () => {
  it('sorts a copy and reports p50, p99, min, max, mean', () => {
    const input = [5, 1, 4, 2, 3]
    expect(summarize(input)).toEqual({ samples: 5, p50: 3, p99: 4.96, min: 1, max: 5, mean: 3 })
    expect(input).toEqual([5, 1, 4, 2, 3])
  })
  it('puts p99 between the two largest of 101 samples', () => {
    const s = summarize(Array.from({ length: 101 }, (_, i) => i))
    expect(s.p99).toBe(99)
    expect(s.p50).toBe(50)
  })
})

describe('linearFit', () => {
  it('recovers a line', () => {
    const fit = linearFit([1, 10, 100], [1003, 1030, 1300])
    expect(fit?.slope).toBeCloseTo(3, 9)
    expect(fit?.intercept).toBeCloseTo(1000, 6)
  })
  it('is null without two distinct x', () => {
    expect(linearFit([2, 2], [1, 5])).toBeNull()
    expect(linearFit([2], [1])).toBeNull()
  })
})

describe('formatting', () => {
  it('picks a unit and keeps three significant digits', () => {
    expect(formatNs(950)).toBe('950 ns')
    expect(formatNs(1234)).toBe('1.23 µs')
    expect(formatNs(45_600_000)).toBe('45.6 ms')
    expect(formatNs(2.5e9)).toBe('2.50 s')
    expect(formatNs(Number.NaN)).toBe('–')
  })
  it('formats ratios, counts and bytes', () => {
    expect(formatRatio(41.77)).toBe('41.8×')
    expect(formatRatio(0.283)).toBe('0.28×')
    expect(formatRatio(Number.NaN)).toBe('–')
    expect(formatCount(1_234_567)).toBe('1,234,567')
    expect(formatCount(100_000, true)).toBe('100k')
    expect(formatCount(1_000_000, true)).toBe('1M')
    expect(formatBytes(14_464_511)).toBe('14.5 MB')
  })
})

describe('adapt (sample budget)', () => {
  const budget = { warmup: 5, minSamples: 50, maxSamples: 500, budgetMs: 100, slow: { thresholdMs: 10, samples: 3 } }
  it('keeps the budget for fast operations', () => {
    expect(adapt(budget, 1)).toEqual({ warmupLeft: 4, minSamples: 50, maxSamples: 500 })
  })
  it('drops to a few samples and no more warm-up when the first run is slow', () => {
    expect(adapt(budget, 50)).toEqual({ warmupLeft: 0, minSamples: 3, maxSamples: 3 })
  })
})
