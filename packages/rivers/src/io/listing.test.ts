import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { FileIOManager } from './file-io-manager.js'

let dir = ''
afterEach(() => rmSync(dir, { recursive: true, force: true }))

test('list: versioned, unversioned and temp files with their keys; other files are not ours', async () => {
  dir = mkdtempSync(join(tmpdir(), 'rivers-list-'))
  const io = new FileIOManager(dir)
  await io.write({ key: 'raw', runId: 'r1' }, [1])
  await io.write({ key: 'raw/orders', runId: 'r1' }, new Uint8Array([1]))
  writeFileSync(join(dir, 'old.json'), '1')
  writeFileSync(join(dir, 'raw', '.tmp-4242-0a1b-@r2.json'), '[')
  writeFileSync(join(dir, '.tmp-4242-0a1b-old.json'), '[')
  writeFileSync(join(dir, 'raw', 'notes.txt'), 'mine')
  const files = await io.list()
  expect(files.map((f) => [f.key, f.storagePath, f.temp?.pid ?? null])).toEqual([
    ['old', '.tmp-4242-0a1b-old.json', 4242],
    ['old', 'old.json', null],
    ['raw', 'raw/.tmp-4242-0a1b-@r2.json', 4242],
    ['raw', 'raw/@r1.json', null],
    ['raw/orders', 'raw/orders/@r1.bin', null],
  ])
  expect((await io.list({ keys: ['raw/orders'] })).map((f) => f.storagePath)).toEqual(['raw/orders/@r1.bin'])
})

test('delete: removes a file and the folders it leaves empty, temp files too, never the base folder', async () => {
  dir = mkdtempSync(join(tmpdir(), 'rivers-delete-'))
  const io = new FileIOManager(join(dir, 'storage'))
  const a = await io.write({ key: 'deep/key', runId: 'r1' }, { v: 1 })
  mkdirSync(join(dir, 'storage', 'other'))
  writeFileSync(join(dir, 'storage', 'other', '.tmp-1-ab-@r1.json'), '{')
  await io.delete({ key: 'deep/key' }, a)
  expect(existsSync(join(dir, 'storage', 'deep'))).toBe(false)
  await io.delete({ key: 'other' }, { storagePath: 'other/.tmp-1-ab-@r1.json' })
  expect(existsSync(join(dir, 'storage', 'other'))).toBe(false)
  expect(existsSync(join(dir, 'storage'))).toBe(true)
  await expect(io.delete({ key: 'x' }, { storagePath: '../.tmp-1-ab-@r1.json' })).rejects.toThrow(/x/)
})
