import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { StoreWatch } from './store-watch.js'

let dir: string
let daemonStore: SqliteStore
let otherProcess: SqliteStore
let watch: StoreWatch | undefined

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-store-watch-'))
  daemonStore = SqliteStore.open(dir)
  otherProcess = SqliteStore.open(dir)
})
afterEach(async () => {
  watch?.close()
  await daemonStore.close()
  await otherProcess.close()
  rmSync(dir, { recursive: true, force: true })
})

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms
  while (!check() && Date.now() < end) await wait(10)
}

test('externalDataVersion changes for another connection’s commits only', async () => {
  const before = daemonStore.externalDataVersion()
  await daemonStore.tryAcquireLease('@daemon', 'daemon-a', 15_000)
  expect(daemonStore.externalDataVersion()).toBe(before)
  await otherProcess.tryAcquireLease('raw', 'run-1', 15_000)
  expect(daemonStore.externalDataVersion()).not.toBe(before)
})

test.each([
  ['fs events', false],
  ['polling', true],
])('%s: another connection’s commit wakes, the daemon’s own writes never do', async (_name, poll) => {
  const commits: number[] = []
  watch = new StoreWatch({
    dir,
    files: [path.basename(daemonStore.file), `${path.basename(daemonStore.file)}-wal`],
    dataVersion: () => daemonStore.externalDataVersion(),
    delayMs: 20,
    poll,
    pollIntervalMs: 50,
    onCommit: () => commits.push(performance.now()),
  })
  expect(watch.mode).toBe(poll ? 'polling' : 'events')
  // The daemon's own writes (a tick, a lease renewal) produce file events but no commit of another connection.
  for (let i = 0; i < 5; i++) await daemonStore.tryAcquireLease('@daemon', 'daemon-a', 15_000)
  await wait(300)
  expect(commits).toEqual([])
  const committed = performance.now()
  await otherProcess.tryAcquireLease('raw', 'run-1', 15_000)
  await until(() => commits.length > 0)
  expect(commits).toHaveLength(1)
  expect(commits[0]! - committed).toBeLessThan(1_000)
  // A burst of commits is one or two wake-ups, not one per commit.
  for (let i = 0; i < 10; i++) await otherProcess.renewLease('raw', 'run-1', 15_000)
  await wait(300)
  expect(commits.length).toBeGreaterThanOrEqual(2)
  expect(commits.length).toBeLessThanOrEqual(poll ? 4 : 3)
  watch.close()
  await otherProcess.releaseLease('raw', 'run-1')
  await wait(200)
  expect(commits.length).toBeLessThanOrEqual(poll ? 4 : 3)
})
