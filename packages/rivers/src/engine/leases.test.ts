/**
 * RunLeases between two runs on one store whose calls may complete in any order (as on a
 * PostgreSQL pool): leases taken ahead go back before a run waits, so two runs that each took ahead
 * what the other waits for do not deadlock; a lease a visit claimed while it was being taken ahead
 * is never given back under that visit.
 */
import pino from 'pino'
import { expect, test } from 'vitest'
import type { Store } from '../store/store.js'
import type { Lease } from '../store/types.js'
import { RunLeases } from './leases.js'

/** A lease table in memory; each call resolves after a short random delay (calls overtake each other). */
function leaseStore(): { store: Store; holder(key: string): string | undefined } {
  const rows = new Map<string, Lease>()
  const later = <T>(f: () => T): Promise<T> =>
    new Promise((resolve) => setTimeout(() => resolve(f()), Math.floor(Math.random() * 3)))
  const store = {
    tryAcquireLease: (key: string, runId: string, ttlMs: number) =>
      later(() => {
        const row = rows.get(key)
        if (row !== undefined && row.runId !== runId && row.expiresAt > Date.now()) return false
        rows.set(key, {
          key,
          partition: '',
          runId,
          pid: process.pid,
          host: 'here',
          acquiredAt: Date.now(),
          expiresAt: Date.now() + ttlMs,
        })
        return true
      }),
    renewLease: (key: string, runId: string) => later(() => rows.get(key)?.runId === runId),
    releaseLease: (key: string, runId: string) =>
      later(() => (rows.get(key)?.runId === runId ? rows.delete(key) : false)),
    getLease: (key: string) => later(() => rows.get(key)),
  } as unknown as Store
  return { store, holder: (key) => rows.get(key)?.runId }
}

const log = pino({ level: 'silent' })

test('two runs that took ahead what the other waits for both get their lease (no deadlock)', async () => {
  const { store, holder } = leaseStore()
  const stop = new AbortController()
  const a = new RunLeases(store, 'run-a', log, stop.signal, 5)
  const b = new RunLeases(store, 'run-b', log, stop.signal, 5)
  expect(await a.acquire('x', () => ['y'])).toBe('free') // a holds x, and y taken ahead
  expect(await b.acquire('z', () => ['w'])).toBe('free') // b holds z, and w taken ahead
  // a's next visit wants w, b's wants y: each must give its ahead lease back before waiting.
  const timeout = new Promise((resolve) => setTimeout(() => resolve('deadlock'), 3_000))
  const got = await Promise.race([Promise.all([a.acquire('w'), b.acquire('y')]), timeout])
  expect(got).toEqual(['waited', 'waited'])
  expect([holder('w'), holder('y'), holder('x'), holder('z')]).toEqual(['run-a', 'run-b', 'run-a', 'run-b'])
  stop.abort()
})

test('a lease claimed by its own visit while being taken ahead is not given back when another visit waits', async () => {
  const { store, holder } = leaseStore()
  const stop = new AbortController()
  const other = new RunLeases(store, 'run-b', log, stop.signal, 5)
  expect(await other.acquire('busy')).toBe('free')
  const mine = new RunLeases(store, 'run-a', log, stop.signal, 5)
  // Visit 1 asks for `first` with `k` ahead; visit 2 asks for `k` itself before that take resolves.
  const [one, two] = await Promise.all([mine.acquire('first', () => ['k']), mine.acquire('k')])
  expect([one, two]).toEqual(['free', 'free'])
  mine.hold('k')
  // Visit 3 waits for `busy`: leases taken ahead go back, but not `k`, which visit 2 builds.
  const waiting = mine.acquire('busy')
  await new Promise((r) => setTimeout(r, 50))
  expect(holder('k')).toBe('run-a')
  await other.release('busy')
  expect(await waiting).toBe('waited')
  stop.abort()
})
