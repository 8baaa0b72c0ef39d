/**
 * Feature engineering: turn cleaned penguins into numeric vectors.
 *
 * - the four body measurements, standardised to mean 0 / std 1;
 * - island and sex, one-hot encoded.
 *
 * The standardisation statistics (the "scaler") are fitted on the TRAIN rows
 * only and then applied unchanged to the test rows, so nothing about the test
 * set leaks into training. The label is 1 for Adelie penguins, 0 otherwise.
 */
import { ISLANDS, SEXES, type CleanRow } from './clean.js'
import type { TrainTestSplit } from './split.js'

export const POSITIVE_SPECIES = 'Adelie'

export const NUMERIC_FEATURES = ['beakLengthMm', 'beakDepthMm', 'flipperLengthMm', 'bodyMassG'] as const

export const FEATURE_NAMES: readonly string[] = [
  ...NUMERIC_FEATURES,
  ...ISLANDS.map((island) => `island=${island}`),
  ...SEXES.map((sex) => `sex=${sex}`),
]

/** Per-feature mean and standard deviation of the numeric features. */
export interface Scaler {
  features: string[]
  mean: number[]
  std: number[]
}

/** A design matrix with its labels; self-describing so it can be stored as JSON. */
export interface LabeledData {
  featureNames: string[]
  X: number[][]
  y: number[]
}

export interface Features {
  train: LabeledData
  test: LabeledData
  featureNames: string[]
  scaler: Scaler
}

export function fitScaler(rows: readonly CleanRow[]): Scaler {
  if (rows.length === 0) throw new Error('cannot fit a scaler on zero rows')
  const mean = NUMERIC_FEATURES.map((f) => rows.reduce((sum, r) => sum + r[f], 0) / rows.length)
  const std = NUMERIC_FEATURES.map((f, i) => {
    const variance = rows.reduce((sum, r) => sum + (r[f] - mean[i]!) ** 2, 0) / rows.length
    return Math.sqrt(variance) || 1 // a constant column stays as-is instead of dividing by 0
  })
  return { features: [...NUMERIC_FEATURES], mean, std }
}

/** One row -> one feature vector, in the order of FEATURE_NAMES. */
export function encodeRow(row: CleanRow, scaler: Scaler): number[] {
  return [
    ...NUMERIC_FEATURES.map((f, i) => (row[f] - scaler.mean[i]!) / scaler.std[i]!),
    ...ISLANDS.map((island) => (row.island === island ? 1 : 0)),
    ...SEXES.map((sex) => (row.sex === sex ? 1 : 0)),
  ]
}

export function labelOf(row: CleanRow): number {
  return row.species === POSITIVE_SPECIES ? 1 : 0
}

export function featurize({ train, test }: TrainTestSplit): Features {
  const scaler = fitScaler(train)
  const featureNames = [...FEATURE_NAMES]
  const toData = (rows: readonly CleanRow[]): LabeledData => ({
    featureNames,
    X: rows.map((row) => encodeRow(row, scaler)),
    y: rows.map(labelOf),
  })
  return { train: toData(train), test: toData(test), featureNames, scaler }
}
