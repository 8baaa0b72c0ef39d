import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { SourceWatch, watchedSources } from './source-watch.js'

let dir: string
let watch: SourceWatch | undefined

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-source-watch-'))
})
afterEach(() => {
  watch?.close()
  rmSync(dir, { recursive: true, force: true })
})

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

const assets = [
  { key: 'raw', def: { kind: 'source', path: 'data/raw.csv' } },
  { key: 'raw/copy', def: { kind: 'source', path: './data/raw.csv' } },
  { key: 'api', def: { kind: 'source', path: 'api.json', observe: () => ({ dataVersion: '1' }) } },
  { key: 'table', def: { kind: 'source', observe: () => ({ dataVersion: '1' }) } },
  { key: 'clean', def: { kind: 'asset' } },
]

test('the path sources, resolved against the project folder; those with their own observe are not "watched"', () => {
  expect(watchedSources(assets, dir)).toEqual([
    { key: 'raw', file: path.join(dir, 'data/raw.csv'), byFile: true },
    { key: 'raw/copy', file: path.join(dir, 'data/raw.csv'), byFile: true },
    { key: 'api', file: path.join(dir, 'api.json'), byFile: false },
  ])
})

test.each([
  ['fs events', false],
  ['polling', true],
])('%s: a change wakes with the keys of the changed file, which the next take() returns once', async (_n, poll) => {
  mkdirSync(path.join(dir, 'data'))
  const woken: (readonly string[])[] = []
  watch = new SourceWatch(watchedSources(assets, dir), {
    debounceMs: 30,
    poll,
    pollIntervalMs: 50,
    onChange: (keys) => woken.push(keys),
  })
  expect(watch.mode).toBe(poll ? 'polling' : 'events')
  expect([...watch.watched]).toEqual(['raw', 'raw/copy'])
  await wait(120)
  expect(watch.take()).toEqual([])
  writeFileSync(path.join(dir, 'data', 'raw.csv'), 'a\n') // created after the start
  const end = Date.now() + 5_000
  while (woken.length === 0 && Date.now() < end) await wait(10)
  expect(woken).toEqual([['raw', 'raw/copy']])
  expect(watch.take()).toEqual(['raw', 'raw/copy'])
  expect(watch.take()).toEqual([])
  watch.restore(['raw'])
  expect(watch.take()).toEqual(['raw'])
})
