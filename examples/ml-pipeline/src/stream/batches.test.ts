import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readFileSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { clean, datasetPath, parseRaw } from '../ml/index.js'
import { listBatches, observeBatches, readBatches, SHIFTED_COLUMN, sampleBatch, writeBatch } from './batches.js'

const records = JSON.parse(readFileSync(datasetPath(), 'utf8')) as Record<string, unknown>[]
const dirs: string[] = []
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'rivers-stream-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

it('samples the same rows for the same seed, other rows for another', () => {
  const a = sampleBatch(records, { rows: 50, shift: 1, seed: 7 })
  expect(a).toHaveLength(50)
  expect(sampleBatch(records, { rows: 50, shift: 1, seed: 7 })).toEqual(a)
  expect(sampleBatch(records, { rows: 50, shift: 1, seed: 8 })).not.toEqual(a)
  expect(clean(parseRaw(Buffer.from(JSON.stringify(a)))).rows.length).toBeGreaterThan(40)
})

it('shift scales beak lengths and nothing else', () => {
  const plain = sampleBatch(records, { rows: 30, shift: 1, seed: 3 })
  const shifted = sampleBatch(records, { rows: 30, shift: 1.5, seed: 3 })
  plain.forEach((row, i) => {
    const other = shifted[i]!
    const beak = row[SHIFTED_COLUMN]
    if (typeof beak === 'number')
      expect(Math.abs(Number(other[SHIFTED_COLUMN]) - beak * 1.5)).toBeLessThanOrEqual(0.05 + 1e-9)
    else expect(other[SHIFTED_COLUMN]).toBe(beak)
    expect({ ...other, [SHIFTED_COLUMN]: 0 }).toEqual({ ...row, [SHIFTED_COLUMN]: 0 })
  })
  expect(() => sampleBatch(records, { rows: 0, shift: 1, seed: 1 })).toThrow(/rows must be a positive integer, got 0/)
  expect(() => sampleBatch(records, { rows: 1, shift: -1, seed: 1 })).toThrow(/shift must be a positive number/)
})

it('writes numbered batches, lists them in order and ignores other files', () => {
  const dir = tempDir()
  expect(listBatches(path.join(dir, 'absent'))).toEqual([])
  writeFileSync(path.join(dir, 'notes.txt'), 'not a batch')
  for (let i = 0; i < 3; i++) writeBatch(dir, sampleBatch(records, { rows: 5, shift: 1, seed: i }))
  expect(listBatches(dir).map((b) => b.name)).toEqual(['batch-000001.json', 'batch-000002.json', 'batch-000003.json'])
  expect(readBatches(dir).map((b) => JSON.parse(b.bytes.toString('utf8')).length)).toEqual([5, 5, 5])
})

it('observes a new data version when a batch is added or edited, with the total rows', () => {
  const dir = tempDir()
  const empty = observeBatches(dir)
  expect(empty.metadata).toEqual({ files: 0, rows: 0, latest: null })
  writeBatch(dir, sampleBatch(records, { rows: 4, shift: 1, seed: 1 }))
  const one = observeBatches(dir)
  expect(one.metadata).toEqual({ files: 1, rows: 4, latest: 'batch-000001.json' })
  expect(one.dataVersion).not.toBe(empty.dataVersion)
  expect(observeBatches(dir).dataVersion).toBe(one.dataVersion)
  const second = writeBatch(dir, sampleBatch(records, { rows: 6, shift: 1, seed: 2 }))
  const two = observeBatches(dir)
  expect(two.metadata).toEqual({ files: 2, rows: 10, latest: 'batch-000002.json' })
  writeFileSync(second.file, JSON.stringify(sampleBatch(records, { rows: 6, shift: 1, seed: 9 })))
  expect(observeBatches(dir).dataVersion).not.toBe(two.dataVersion)
  writeFileSync(second.file, '{"not": "an array"}')
  expect(() => observeBatches(dir)).toThrow(/batch-000002\.json: expected a JSON array of records/)
})
