import { describe, expect, it } from 'vitest'
import type { CleanRow } from './clean.js'
import { encodeRow, FEATURE_NAMES, featurize } from './features.js'

const penguin = (id: number, beakLengthMm: number, species: CleanRow['species'] = 'Gentoo'): CleanRow => ({
  id,
  species,
  island: 'Biscoe',
  beakLengthMm,
  beakDepthMm: 15,
  flipperLengthMm: 210,
  bodyMassG: 5000,
  sex: 'male',
})

describe('featurize', () => {
  const train = [penguin(0, 40, 'Adelie'), penguin(1, 50)]
  const test = [penguin(2, 100, 'Adelie')] // an outlier that must NOT move the scaler
  const features = featurize({ train, test })

  it('fits the scaler on the train split only', () => {
    expect(features.scaler.mean[0]).toBe(45) // mean of 40 and 50, not of 40, 50, 100
    expect(features.scaler.std[0]).toBe(5)
    expect(features.train.X.map((x) => x[0])).toEqual([-1, 1])
    expect(features.test.X[0]![0]).toBe((100 - 45) / 5)
  })

  it('guards constant columns against division by zero', () => {
    expect(features.scaler.std.slice(1)).toEqual([1, 1, 1])
    expect(features.train.X[0]!.slice(1, 4)).toEqual([0, 0, 0])
  })

  it('one-hot encodes island and sex and labels Adelie as 1', () => {
    expect(features.featureNames).toEqual(FEATURE_NAMES)
    expect(FEATURE_NAMES.slice(4)).toEqual([
      'island=Biscoe',
      'island=Dream',
      'island=Torgersen',
      'sex=female',
      'sex=male',
    ])
    expect(encodeRow({ ...penguin(3, 45), island: 'Dream', sex: 'female' }, features.scaler).slice(4)).toEqual([
      0, 1, 0, 1, 0,
    ])
    expect(features.train.y).toEqual([1, 0])
    expect(features.test.y).toEqual([1])
  })
})
