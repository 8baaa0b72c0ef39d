import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { DAEMON_LEASE_KEY, DaemonLease } from './lease.js'
import { type LoopEvents, runDaemonLoop, Wake } from './loop.js'

let dir: string
let store: SqliteStore

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-daemon-loop-'))
  store = SqliteStore.open(dir)
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

async function held(ttlMs = 15_000): Promise<DaemonLease> {
  const lease = new DaemonLease(store, ttlMs, 'daemon-test')
  expect((await lease.tryAcquire()).acquired).toBe(true)
  return lease
}

/** Events kept as text, in order. */
function recorder(): LoopEvents<string> & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    tick: (report) => lines.push(`tick ${report}`),
    tickFailed: (e) => lines.push(`tick failed: ${(e as Error).message}`),
    runFinished: (runId, outcome) =>
      lines.push(
        `run ${runId} ${outcome.ok ? `ok ${String(outcome.value)}` : `error ${(outcome.error as Error).message}`}`,
      ),
    stopping: (running) => lines.push(`stopping [${running.join(', ')}]`),
  }
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('ticks on a fixed grid: never before its slot, never two at once, an overrun skips slots', async () => {
  const lease = await held()
  const stop = new AbortController()
  const starts: number[] = []
  let running = 0
  let overlapped = false
  const origin = performance.now()
  const end = await runDaemonLoop({
    intervalMs: 100,
    lease,
    stop: stop.signal,
    events: recorder(),
    tick: async () => {
      starts.push(performance.now() - origin)
      if (running++ > 0) overlapped = true
      // The third tick overruns two slots.
      await wait(starts.length === 3 ? 230 : 20)
      running--
      if (starts.length === 6) stop.abort()
      return `#${starts.length}`
    },
  })
  expect(end).toEqual({ reason: 'stopped' })
  expect(overlapped).toBe(false)
  expect(starts).toHaveLength(6)
  // Slots: 0, 100, 200, then the overrun ends after 430: next slot 500, then 600, 700.
  const slots = [0, 100, 200, 500, 600, 700]
  starts.forEach((at, i) => expect(at).toBeGreaterThanOrEqual(slots[i]! - 2))
  // No drift: the sixth tick starts on its slot, not after the sum of the tick durations plus intervals.
  expect(starts[5]! - starts[3]!).toBeLessThan(300)
  expect(await store.getLease(DAEMON_LEASE_KEY)).toBeUndefined()
})

test('stop: no more ticks, running runs are aborted and awaited, then the lease is released', async () => {
  const lease = await held()
  const stop = new AbortController()
  const events = recorder()
  let ticks = 0
  let leaseAtRunEnd: string | undefined
  const end = await runDaemonLoop({
    intervalMs: 50,
    lease,
    stop: stop.signal,
    events,
    tick: async (ctx) => {
      ticks++
      if (ticks === 1) {
        // A run that goes on between ticks until it is cancelled, and takes a while to record that.
        const done = new Promise<string>((resolve) => {
          ctx.signal.addEventListener('abort', () =>
            setTimeout(async () => {
              leaseAtRunEnd = (await store.getLease(DAEMON_LEASE_KEY))?.runId
              resolve('cancelled')
            }, 100),
          )
        })
        ctx.onRun('run-1', done)
      }
      if (ticks === 3) stop.abort()
      return `#${ticks}`
    },
  })
  expect(end).toEqual({ reason: 'stopped' })
  expect(ticks).toBe(3)
  expect(events.lines).toEqual(['tick #1', 'tick #2', 'tick #3', 'stopping [run-1]', 'run run-1 ok cancelled'])
  // The lease was held until the run had recorded, and is free after.
  expect(leaseAtRunEnd).toBe('daemon-test')
  expect(await store.getLease(DAEMON_LEASE_KEY)).toBeUndefined()
})

test('a failing tick is reported and the daemon goes on; a failed run is reported', async () => {
  const lease = await held()
  const stop = new AbortController()
  const events = recorder()
  let ticks = 0
  await runDaemonLoop({
    intervalMs: 20,
    lease,
    stop: stop.signal,
    events,
    tick: async (ctx) => {
      ticks++
      if (ticks === 1) throw new Error('store busy')
      if (ticks === 2)
        ctx.onRun(
          'run-2',
          wait(5).then(() => Promise.reject(new Error('launch failed'))),
        )
      if (ticks === 3) {
        await wait(20)
        stop.abort()
      }
      return `#${ticks}`
    },
  })
  expect(events.lines).toEqual([
    'tick failed: store busy',
    'tick #2',
    'run run-2 error launch failed',
    'tick #3',
    'stopping []',
  ])
})

test('a daemon whose lease another daemon took stops, cancels its runs and leaves the lease alone', async () => {
  const lease = await held(60)
  const stop = new AbortController()
  const events = recorder()
  let aborted = false
  const end = await runDaemonLoop({
    intervalMs: 1_000,
    renewEveryMs: 1_000,
    lease,
    stop: stop.signal,
    events,
    tick: async (ctx) => {
      ctx.onRun(
        'run-3',
        new Promise((resolve) => ctx.signal.addEventListener('abort', () => ((aborted = true), resolve('cancelled')))),
      )
      // Suspended past the lease's end: another daemon takes the store meanwhile.
      await wait(100)
      expect(await store.tryAcquireLease(DAEMON_LEASE_KEY, 'daemon-other', 60_000)).toBe(true)
      return '#1'
    },
  })
  expect(end).toMatchObject({ reason: 'lease_lost', holder: { runId: 'daemon-other' } })
  expect(aborted).toBe(true)
  expect(events.lines).toEqual(['tick #1', 'stopping [run-3]', 'run run-3 ok cancelled'])
  expect((await store.getLease(DAEMON_LEASE_KEY))?.runId).toBe('daemon-other')
})

test('a wake starts a tick at once (not at the next slot), told why; a wake during a tick queues one more', async () => {
  const lease = await held()
  const stop = new AbortController()
  const wake = new Wake()
  const ticks: { at: number; woken: readonly string[] }[] = []
  let running = 0
  let overlapped = false
  const origin = performance.now()
  setTimeout(() => wake.wake('files'), 100)
  const end = await runDaemonLoop({
    intervalMs: 60_000,
    lease,
    stop: stop.signal,
    wake,
    events: recorder(),
    tick: async (ctx) => {
      ticks.push({ at: performance.now() - origin, woken: ctx.woken })
      if (running++ > 0) overlapped = true
      if (ticks.length === 2) {
        // Woken twice while this tick runs: one more tick right after it, with both reasons.
        wake.wake('store')
        await wait(50)
        wake.wake('files')
        wake.wake('store')
      }
      await wait(10)
      running--
      if (ticks.length === 3) stop.abort()
      return `#${ticks.length}`
    },
  })
  expect(end).toEqual({ reason: 'stopped' })
  expect(overlapped).toBe(false)
  expect(ticks.map((t) => t.woken)).toEqual([[], ['files'], ['store', 'files']])
  expect(ticks[1]!.at).toBeGreaterThanOrEqual(95)
  expect(ticks[1]!.at).toBeLessThan(1_000)
  expect(ticks[2]!.at - ticks[1]!.at).toBeLessThan(1_000)
})

test('a run the daemon launched wakes it when it has finished', async () => {
  const lease = await held()
  const stop = new AbortController()
  const ticks: (readonly string[])[] = []
  await runDaemonLoop({
    intervalMs: 60_000,
    lease,
    stop: stop.signal,
    events: recorder(),
    tick: async (ctx) => {
      ticks.push(ctx.woken)
      if (ticks.length === 1)
        ctx.onRun(
          'run-1',
          wait(50).then(() => 'ok'),
        )
      else stop.abort()
      return `#${ticks.length}`
    },
  })
  expect(ticks).toEqual([[], ['run']])
})
