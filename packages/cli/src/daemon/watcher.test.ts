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
