import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { FileWatcher } from './watcher.js'

let dir: string
let watcher: FileWatcher | undefined

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-watcher-'))
})
afterEach(() => {
  watcher?.close()
  rmSync(dir, { recursive: true, force: true })
})

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A watcher whose change batches are collected. */
function start(options: { poll?: boolean; debounceMs?: number } = {}) {
  const batches: string[][] = []
  const w = new FileWatcher({
    debounceMs: options.debounceMs ?? 100,
    ...(options.poll === undefined ? {} : { poll: options.poll }),
    onChange: (files) => batches.push(files.map((f) => path.relative(dir, f))),
  })
  watcher = w
  return { w, batches }
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms
  while (!check() && Date.now() < end) await wait(20)
}

test.each([
  ['fs events', false],
  ['polling', true],
])('%s: writes within the debounce are one change; other files in the folder are ignored', async (_name, poll) => {
  writeFileSync(path.join(dir, 'a.ts'), '1')
  writeFileSync(path.join(dir, 'b.ts'), '1')
  writeFileSync(path.join(dir, 'other.txt'), '1')
  const { w, batches } = start({ poll, debounceMs: 200 })
  w.set([path.join(dir, 'a.ts'), path.join(dir, 'b.ts')])
  expect(w.mode).toBe(poll ? 'polling' : 'events')
  await wait(150) // polling compares against a first stat
  writeFileSync(path.join(dir, 'other.txt'), '2')
  writeFileSync(path.join(dir, 'a.ts'), '22')
  await wait(40)
  writeFileSync(path.join(dir, 'b.ts'), '22')
  await until(() => batches.length > 0)
  await wait(400)
  expect(batches).toEqual([['a.ts', 'b.ts']])
})

test('a file an editor replaces (write elsewhere, rename over it) is still seen, every time', async () => {
  const file = path.join(dir, 'rivers.config.ts')
  writeFileSync(file, 'v1')
  const { w, batches } = start({ debounceMs: 50 })
  w.set([file])
  for (const v of ['v2', 'v3']) {
    writeFileSync(path.join(dir, '.tmp'), v)
    renameSync(path.join(dir, '.tmp'), file)
    await until(() => batches.length === (v === 'v2' ? 1 : 2))
  }
  expect(batches).toEqual([['rivers.config.ts'], ['rivers.config.ts']])
})

test('a file whose folder does not exist yet is polled, and seen when it appears', async () => {
  const fallbacks: string[] = []
  const batches: string[][] = []
  watcher = new FileWatcher({
    debounceMs: 50,
    onChange: (files) => batches.push(files.map((f) => path.relative(dir, f))),
    onFallback: (d) => fallbacks.push(path.relative(dir, d)),
  })
  watcher.set([path.join(dir, 'data', 'raw.csv')])
  expect(watcher.mode).toBe('polling')
  expect(fallbacks).toEqual(['data'])
  await wait(100)
  mkdirSync(path.join(dir, 'data'))
  writeFileSync(path.join(dir, 'data', 'raw.csv'), 'a,b\n')
  await until(() => batches.length > 0)
  expect(batches).toEqual([['data/raw.csv']])
})

test('set() replaces the watched files; close() stops every callback', async () => {
  writeFileSync(path.join(dir, 'a.ts'), '1')
  writeFileSync(path.join(dir, 'b.ts'), '1')
  const { w, batches } = start({ debounceMs: 50 })
  w.set([path.join(dir, 'a.ts')])
  w.set([path.join(dir, 'b.ts')])
  expect(w.files).toEqual([path.join(dir, 'b.ts')])
  writeFileSync(path.join(dir, 'a.ts'), '2')
  writeFileSync(path.join(dir, 'b.ts'), '2')
  await until(() => batches.length > 0)
  expect(batches).toEqual([['b.ts']])
  w.close()
  writeFileSync(path.join(dir, 'b.ts'), '3')
  await wait(200)
  expect(batches).toHaveLength(1)
})

test.each([
  ['fs events', false],
  ['polling', true],
])('%s: a file created after the start is seen, and one replaced by a rename', async (_name, poll) => {
  const file = path.join(dir, 'raw.csv')
  const batches: string[][] = []
  watcher = new FileWatcher({
    debounceMs: 50,
    poll,
    pollIntervalMs: 50,
    onChange: (files) => batches.push(files.map((f) => path.relative(dir, f))),
  })
  watcher.set([file])
  expect(watcher.mode).toBe(poll ? 'polling' : 'events')
  await wait(120)
  writeFileSync(file, 'a\n')
  await until(() => batches.length === 1)
  await wait(120) // polling: the next stat must see the new inode
  writeFileSync(path.join(dir, 'raw.csv.tmp'), 'a\nb\n')
  renameSync(path.join(dir, 'raw.csv.tmp'), file)
  await until(() => batches.length === 2)
  expect(batches).toEqual([['raw.csv'], ['raw.csv']])
})

test('a watched folder that goes away is told once and polled; its file is seen when it comes back', async () => {
  mkdirSync(path.join(dir, 'data'))
  const file = path.join(dir, 'data', 'raw.csv')
  writeFileSync(file, '1')
  const fallbacks: string[] = []
  const batches: string[][] = []
  watcher = new FileWatcher({
    debounceMs: 50,
    pollIntervalMs: 50,
    onChange: (files) => batches.push(files.map((f) => path.relative(dir, f))),
    onFallback: (d, e) => fallbacks.push(`${path.relative(dir, d)} ${(e as { code?: string }).code}`),
  })
  watcher.set([file])
  expect(watcher.mode).toBe('events')
  rmSync(path.join(dir, 'data'), { recursive: true })
  await until(() => batches.length === 1)
  expect(watcher.mode).toBe('polling')
  expect(fallbacks).toEqual(['data ENOENT'])
  await wait(150)
  mkdirSync(path.join(dir, 'data'))
  writeFileSync(file, '2')
  await until(() => batches.length === 2)
  expect(batches).toEqual([['data/raw.csv'], ['data/raw.csv']])
  expect(fallbacks).toHaveLength(1)
})
