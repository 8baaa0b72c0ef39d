import { mkdtempSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { DAEMON_LEASE_KEY, DaemonLease } from './lease.js'

let dir: string
let store: SqliteStore

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-daemon-lease-'))
  store = SqliteStore.open(dir)
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

test('one daemon per store: the second one learns who holds it (pid, host, since)', async () => {
  const first = new DaemonLease(store, 15_000, 'daemon-a')
  const second = new DaemonLease(store, 15_000, 'daemon-b')
  expect(await first.tryAcquire()).toEqual({ acquired: true })
  const got = await second.tryAcquire()
  expect(got.acquired).toBe(false)
  if (got.acquired) return
  expect(got.holder).toMatchObject({ key: DAEMON_LEASE_KEY, runId: 'daemon-a', pid: process.pid, host: hostname() })
  expect(Date.now() - got.holder.acquiredAt).toBeLessThan(5_000)
  // Re-entrant for the holder; after release the other one gets it.
  expect(await first.tryAcquire()).toEqual({ acquired: true })
  await first.release()
  expect(await store.getLease(DAEMON_LEASE_KEY)).toBeUndefined()
  expect(await second.tryAcquire()).toEqual({ acquired: true })
})

test('an expired lease is taken over, and the previous holder is named', async () => {
  expect(await store.tryAcquireLease(DAEMON_LEASE_KEY, 'daemon-old', 50)).toBe(true)
  await new Promise((r) => setTimeout(r, 80))
  const got = await new DaemonLease(store, 15_000, 'daemon-new').tryAcquire()
  expect(got).toMatchObject({ acquired: true, previous: { runId: 'daemon-old' } })
  expect((await store.getLease(DAEMON_LEASE_KEY))?.runId).toBe('daemon-new')
})

test('--wait: polls until the holder lets go, telling of the holder once', async () => {
  expect(await store.tryAcquireLease(DAEMON_LEASE_KEY, 'daemon-old', 60_000)).toBe(true)
  const waiting: string[] = []
  const started = Date.now()
  setTimeout(() => void store.releaseLease(DAEMON_LEASE_KEY, 'daemon-old'), 300)
  const got = await new DaemonLease(store, 15_000, 'daemon-new').waitFor(new AbortController().signal, 25, (h) =>
    waiting.push(h.runId),
  )
  expect(got).toEqual({ acquired: true })
  expect(Date.now() - started).toBeGreaterThanOrEqual(250)
  expect(waiting).toEqual(['daemon-old'])
})

test('--wait stops waiting when the signal aborts', async () => {
  expect(await store.tryAcquireLease(DAEMON_LEASE_KEY, 'daemon-old', 60_000)).toBe(true)
  const stop = new AbortController()
  setTimeout(() => stop.abort(), 100)
  const got = await new DaemonLease(store, 15_000, 'daemon-new').waitFor(stop.signal, 1_000, () => {})
  expect(got).toBeUndefined()
  expect((await store.getLease(DAEMON_LEASE_KEY))?.runId).toBe('daemon-old')
})

test('renew fails once another daemon took the lease', async () => {
  const lease = new DaemonLease(store, 50, 'daemon-a')
  expect((await lease.tryAcquire()).acquired).toBe(true)
  expect(await lease.renew()).toBe(true)
  await new Promise((r) => setTimeout(r, 80))
  expect(await store.tryAcquireLease(DAEMON_LEASE_KEY, 'daemon-b', 60_000)).toBe(true)
  expect(await lease.renew()).toBe(false)
  await lease.release() // not ours: a no-op
  expect((await store.getLease(DAEMON_LEASE_KEY))?.runId).toBe('daemon-b')
})
