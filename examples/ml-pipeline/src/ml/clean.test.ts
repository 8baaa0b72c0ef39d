import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { clean } from './clean.js'
import { datasetPath, parseRaw, type RawRow } from './dataset.js'

const good: RawRow = {
  species: 'Adelie',
  island: 'Torgersen',
  beakLengthMm: 39.1,
  beakDepthMm: 18.7,
  flipperLengthMm: 181,
  bodyMassG: 3750,
  sex: 'MALE',
}

describe('dataset + clean', () => {
  it('reads the real penguins table from vega-datasets', () => {
    expect(datasetPath()).toMatch(/vega-datasets[\\/]data[\\/]penguins\.json$/)
    const raw = parseRaw(readFileSync(datasetPath()))
    expect(raw).toHaveLength(344)
    expect(raw[0]).toEqual(good)
  })

  it('drops the incomplete rows of the real file', () => {
    const { rows, dropped, reasons } = clean(parseRaw(readFileSync(datasetPath())))
    expect(rows).toHaveLength(333)
    expect(dropped).toBe(11)
    expect(reasons).toEqual({ beakLengthMm: 2, sex: 9 }) // 2 unmeasured birds, 9 with sex null or "."
  })

  it('normalises types and keeps the source position as id', () => {
    const { rows } = clean([{ ...good, species: ' adelie ', beakLengthMm: '39.1', sex: 'Female' }])
    expect(rows).toEqual([{ ...good, id: 0, species: 'Adelie', beakLengthMm: 39.1, sex: 'female' }])
  })

  it('drops missing, unknown and implausible values', () => {
    const bad: RawRow[] = [
      { ...good, sex: '.' },
      { ...good, sex: null },
      { ...good, species: 'Emperor' },
      { ...good, island: 'Atlantis' },
      { ...good, bodyMassG: -1 },
      { ...good, flipperLengthMm: 'n/a' },
      { ...good, beakDepthMm: '' },
    ]
    const { rows, dropped, reasons } = clean([good, ...bad])
    expect(rows.map((r) => r.id)).toEqual([0])
    expect(dropped).toBe(bad.length)
    expect(reasons).toEqual({ sex: 2, species: 1, island: 1, bodyMassG: 1, flipperLengthMm: 1, beakDepthMm: 1 })
  })

  it('rejects a file that is not an array of records', () => {
    expect(() => parseRaw(Buffer.from('{"Species":"Adelie"}'))).toThrow(/array/)
  })
})
