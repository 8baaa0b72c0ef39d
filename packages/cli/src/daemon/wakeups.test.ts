import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { Wake } from './loop.js'
import { StoreWatch } from './store-watch.js'
import { STORE_DELAY_MS, startWakeups, type Wakeups, wantsPolling } from './wakeups.js'

let dir: string
let store: SqliteStore
let wakeups: Wakeups | undefined

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-wakeups-'))
  store = SqliteStore.open(path.join(dir, '.rivers'))
})
afterEach(async () => {
  wakeups?.close()
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const assets = [
  { key: 'raw', def: { kind: 'source', path: 'data/raw.csv' } },
  { key: 'later', def: { kind: 'source', path: 'incoming/batch.csv' } },
]

function start(poll: boolean, fallbacks: string[] = []) {
  const wake = new Wake()
  const storeWatch = new StoreWatch({
    dir: path.dirname(store.file),
    files: [path.basename(store.file), `${path.basename(store.file)}-wal`],
    dataVersion: () => store.externalDataVersion(),
    delayMs: STORE_DELAY_MS,
    poll,
    pollIntervalMs: 1_000,
    onCommit: () => wake.wake('store'),
  })
  wakeups = startWakeups({
    assets,
    baseDir: dir,
    store: storeWatch,
    poll,
    pollIntervalMs: 1_000,
    wake,
    onFallback: (d, e) => fallbacks.push(`${path.relative(dir, d)} ${(e as { code?: string }).code}`),
  })
  return { wake, w: wakeups }
}

test('--poll or RIVERS_WATCH=poll', () => {
  expect(wantsPolling(true, {})).toBe(true)
  expect(wantsPolling(undefined, { RIVERS_WATCH: 'poll' })).toBe(true)
  expect(wantsPolling(undefined, { RIVERS_WATCH: 'POLL ' })).toBe(true)
  expect(wantsPolling(undefined, { RIVERS_WATCH: 'events' })).toBe(false)
  expect(wantsPolling(false, {})).toBe(false)
})

test('the start-up words: fs events, with the folders that do not exist yet polled', async () => {
  mkdirSync(path.join(dir, 'data'))
  const fallbacks: string[] = []
  const { w, wake } = start(false, fallbacks)
  expect(w.describe()).toBe(
    'watching 2 source files with fs events (some folders polled every 1.0s); store commits with fs events',
  )
  expect(fallbacks).toEqual(['incoming ENOENT'])
  writeFileSync(path.join(dir, 'data', 'raw.csv'), '1')
  const end = Date.now() + 5_000
  while (w.sources.take().length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
  expect(wake.take()).toEqual(['files'])
})

test('polling: both say so', () => {
  const { w } = start(true)
  expect(w.describe()).toBe('watching 2 source files with polling every 1.0s; store commits with polling every 1.0s')
})

test('a PostgreSQL store’s watch says LISTEN/NOTIFY, or polling while its connection is down', () => {
  let mode: 'events' | 'polling' = 'events'
  const watch = {
    get mode() {
      return mode
    },
    close() {},
  }
  wakeups = startWakeups({
    assets: [],
    baseDir: dir,
    store: watch,
    storeEvents: 'LISTEN/NOTIFY',
    poll: false,
    pollIntervalMs: 1_000,
    wake: new Wake(),
    onFallback: () => {},
  })
  expect(wakeups.describe()).toBe('watching no source files; store commits with LISTEN/NOTIFY')
  mode = 'polling'
  expect(wakeups.describe()).toBe('watching no source files; store commits with polling every 1.0s')
})
