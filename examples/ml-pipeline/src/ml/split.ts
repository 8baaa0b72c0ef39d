/**
 * Train/test split: seeded and stratified by species, so the test set has
 * the same species mix as the whole table and the same seed always gives
 * the same split.
 */
import type { CleanRow } from './clean.js'
import { mulberry32, shuffle } from './random.js'

export interface SplitOptions {
  /** Share of each species held out for testing, strictly between 0 and 1. */
  testFraction: number
  seed: number
}

export interface TrainTestSplit {
  train: CleanRow[]
  test: CleanRow[]
}

export function split(rows: readonly CleanRow[], { testFraction, seed }: SplitOptions): TrainTestSplit {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new Error(`testFraction must be between 0 and 1, got ${testFraction}`)
  }
  const random = mulberry32(seed)

  const bySpecies = new Map<string, CleanRow[]>()
  for (const row of rows) {
    bySpecies.set(row.species, [...(bySpecies.get(row.species) ?? []), row])
  }

  const train: CleanRow[] = []
  const test: CleanRow[] = []
  for (const species of [...bySpecies.keys()].sort()) {
    const group = shuffle(bySpecies.get(species)!, random)
    const nTest = Math.round(group.length * testFraction)
    test.push(...group.slice(0, nTest))
    train.push(...group.slice(nTest))
  }

  // Mix the species back together so neither set is sorted by class.
  return { train: shuffle(train, random), test: shuffle(test, random) }
}
