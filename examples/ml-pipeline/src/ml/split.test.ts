import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { clean, SPECIES } from './clean.js'
import { datasetPath, parseRaw } from './dataset.js'
import { mulberry32, shuffle } from './random.js'
import { split } from './split.js'

const { rows } = clean(parseRaw(readFileSync(datasetPath())))
const ids = (list: { id: number }[]) => list.map((r) => r.id)

describe('random', () => {
  it('mulberry32 is reproducible and in [0, 1)', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const draws = Array.from({ length: 1000 }, () => a())
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()))
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(mulberry32(43)()).not.toBe(draws[0])
  })

  it('shuffle permutes a copy', () => {
    const input = [1, 2, 3, 4, 5, 6, 7, 8]
    const out = shuffle(input, mulberry32(1))
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect([...out].sort()).toEqual(input)
  })
})

describe('split', () => {
  it('partitions the rows: no overlap, nothing lost', () => {
    const { train, test } = split(rows, { testFraction: 0.25, seed: 42 })
    const trainIds = new Set(ids(train))
    expect(ids(test).filter((id) => trainIds.has(id))).toEqual([])
    expect([...ids(train), ...ids(test)].sort((a, b) => a - b)).toEqual(ids(rows))
  })

  it('is deterministic for a seed and changes with the seed', () => {
    const a = split(rows, { testFraction: 0.25, seed: 42 })
    const b = split(rows, { testFraction: 0.25, seed: 42 })
    const c = split(rows, { testFraction: 0.25, seed: 7 })
    expect(ids(a.test)).toEqual(ids(b.test))
    expect(ids(a.train)).toEqual(ids(b.train))
    expect(ids(a.test)).not.toEqual(ids(c.test))
  })

  it('stratifies by species', () => {
    const { test } = split(rows, { testFraction: 0.25, seed: 42 })
    for (const species of SPECIES) {
      const total = rows.filter((r) => r.species === species).length
      expect(test.filter((r) => r.species === species).length).toBe(Math.round(total * 0.25))
    }
  })

  it('rejects a nonsensical test fraction', () => {
    expect(() => split(rows, { testFraction: 0, seed: 1 })).toThrow()
    expect(() => split(rows, { testFraction: 1, seed: 1 })).toThrow()
  })
})
