/**
 * Cleaning: keep only complete, plausible rows and give them precise types.
 *
 * A row is dropped when any field is missing or invalid; we count drops by the
 * first offending field so the pipeline can report *why* rows disappeared
 * (on the real file: 2 rows with no measurements, 9 with unknown sex).
 */
import type { RawRow, RawValue } from './dataset.js'

export const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'] as const
export const ISLANDS = ['Biscoe', 'Dream', 'Torgersen'] as const
export const SEXES = ['female', 'male'] as const

export type Species = (typeof SPECIES)[number]
export type Island = (typeof ISLANDS)[number]
export type Sex = (typeof SEXES)[number]

export interface CleanRow {
  /** Position of the row in the source file: a stable id for lineage. */
  id: number
  species: Species
  island: Island
  beakLengthMm: number
  beakDepthMm: number
  flipperLengthMm: number
  bodyMassG: number
  sex: Sex
}

export interface CleanResult {
  rows: CleanRow[]
  /** How many raw rows were dropped. */
  dropped: number
  /** Dropped rows counted by the first field that was missing or invalid. */
  reasons: Partial<Record<keyof RawRow, number>>
}

/** A positive, finite measurement; numeric strings such as "39.1" are accepted. */
function toMeasurement(value: RawValue): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined
}

/** Case-insensitive match of a string against a list of allowed values. */
function toChoice<T extends string>(value: RawValue, allowed: readonly T[]): T | undefined {
  if (typeof value !== 'string') return undefined
  const wanted = value.trim().toLowerCase()
  return allowed.find((choice) => choice.toLowerCase() === wanted)
}

export function clean(raw: readonly RawRow[]): CleanResult {
  const rows: CleanRow[] = []
  const reasons: CleanResult['reasons'] = {}

  raw.forEach((r, id) => {
    const row = {
      id,
      species: toChoice(r.species, SPECIES),
      island: toChoice(r.island, ISLANDS),
      beakLengthMm: toMeasurement(r.beakLengthMm),
      beakDepthMm: toMeasurement(r.beakDepthMm),
      flipperLengthMm: toMeasurement(r.flipperLengthMm),
      bodyMassG: toMeasurement(r.bodyMassG),
      sex: toChoice(r.sex, SEXES),
    }
    const bad = (Object.keys(row) as (keyof typeof row)[]).find((key) => row[key] === undefined)
    if (bad === undefined) {
      rows.push(row as CleanRow) // every field checked above
    } else {
      const field = bad as keyof RawRow
      reasons[field] = (reasons[field] ?? 0) + 1
    }
  })

  return { rows, dropped: raw.length - rows.length, reasons }
}
