/**
 * The raw data: the Palmer Penguins table that ships inside the
 * `vega-datasets` npm package (`data/penguins.json`, 344 birds).
 *
 * Reading the file stays with the caller (an asset reads it, hashes it, ...);
 * this module only knows where the file lives and how to turn its bytes into
 * rows. Values are deliberately loosely typed: raw data is untrusted, and the
 * real file contains `null`s and a stray `"."` for sex. `clean()` decides what
 * is valid.
 */
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** A scalar as it may appear in the file. Anything else is read as `null`. */
export type RawValue = string | number | null

export interface RawRow {
  species: RawValue
  island: RawValue
  beakLengthMm: RawValue
  beakDepthMm: RawValue
  flipperLengthMm: RawValue
  bodyMassG: RawValue
  sex: RawValue
}

/** Our field name -> the column name used in penguins.json. */
const COLUMNS = {
  species: 'Species',
  island: 'Island',
  beakLengthMm: 'Beak Length (mm)',
  beakDepthMm: 'Beak Depth (mm)',
  flipperLengthMm: 'Flipper Length (mm)',
  bodyMassG: 'Body Mass (g)',
  sex: 'Sex',
} as const satisfies Record<keyof RawRow, string>

/**
 * Absolute path of `penguins.json` inside the installed `vega-datasets`.
 *
 * The package's `exports` map hides `package.json`, so we resolve its entry
 * point (`build/index.js`) and walk up to the directory that holds `data/`.
 */
export function datasetPath(): string {
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const candidate = join(dir, 'data', 'penguins.json')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) {
      throw new Error(`penguins.json not found above ${entry}`)
    }
  }
}

/** Parse the bytes of penguins.json into raw rows (no validation of values). */
export function parseRaw(bytes: Uint8Array): RawRow[] {
  const data: unknown = JSON.parse(new TextDecoder().decode(bytes))
  if (!Array.isArray(data)) {
    throw new Error('penguins.json: expected a top-level array of records')
  }
  return data.map((record: unknown) => {
    const source = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>
    const pick = (column: string): RawValue => {
      const value = source[column]
      return typeof value === 'string' || typeof value === 'number' ? value : null
    }
    return {
      species: pick(COLUMNS.species),
      island: pick(COLUMNS.island),
      beakLengthMm: pick(COLUMNS.beakLengthMm),
      beakDepthMm: pick(COLUMNS.beakDepthMm),
      flipperLengthMm: pick(COLUMNS.flipperLengthMm),
      bodyMassG: pick(COLUMNS.bodyMassG),
      sex: pick(COLUMNS.sex),
    }
  })
}
