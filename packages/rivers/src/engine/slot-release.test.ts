/**
 * An asset without checks frees its concurrency slot once its output is written and only the disk
 * is awaited (`IOManager.write`'s `written`): the run must come out exactly as when the IO manager
 * ignores `written` (the slow path), user code must never run beyond `concurrency`, and an attempt
 * whose write fails after freeing its slot takes one again before it is retried.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { type AssetDef, asset, defineProject } from '../definitions/index.js'
import { FileIOManager } from '../io/file-io-manager.js'
import type { IOManager, StoredOutput, WriteContext } from '../io/types.js'
import { openWorkspace } from '../open.js'
import { SqliteStore } from '../store/sqlite-store.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-slot-release-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** User code running now, and the most at once. */
const running = { now: 0, peak: 0 }
const enter = async <T>(value: T, ms?: number): Promise<T> => {
  running.now++
  running.peak = Math.max(running.peak, running.now)
  await new Promise((r) => (ms === undefined ? setImmediate(r) : setTimeout(r, ms)))
  running.now--
  return value
}

/** A diamond per lane, lanes joined at the end: 4 * lanes + 1 assets. */
function project(lanes: number, io?: IOManager) {
  const ends: AssetDef<number>[] = []
  for (let l = 0; l < lanes; l++) {
    const top = asset({ key: `l${l}/top` }, () => enter(l))
    const left = asset({ key: `l${l}/left`, deps: { top } }, ({ top }) => enter(top * 2))
    const right = asset({ key: `l${l}/right`, deps: { top } }, ({ top }) => enter({ v: top + 1, tag: `r${l}` }))
    ends.push(asset({ key: `l${l}/bottom`, deps: { left, right } }, ({ left, right }) => enter(left + right.v)))
  }
  const deps = Object.fromEntries(ends.map((e, i) => [`e${i}`, e]))
  const all = asset({ key: 'all', deps }, (xs) =>
    enter(Object.values(xs).reduce((a: number, b) => a + (b as number), 0)),
  )
  return defineProject({ assets: [all], concurrency: 2, ...(io === undefined ? {} : { io }) })
}

/** The FileIOManager without `written`: every asset keeps its slot until its output is durable. */
class SlowPath implements IOManager {
  readonly #inner: FileIOManager
  constructor(baseDir: string) {
    this.#inner = new FileIOManager(baseDir)
  }
  write(ctx: WriteContext, value: unknown): Promise<StoredOutput> {
    const { written: _, ...rest } = ctx
    return this.#inner.write(rest, value)
  }
  read(ctx: { key: string; partition?: string }, stored: { storagePath?: string | null }): Promise<unknown> {
    return this.#inner.read(ctx, stored)
  }
}

/** Runs `p` into a fresh store; returns the summary and every asset's latest data version. */
async function runInto(name: string, p: ReturnType<typeof project>) {
  const storeDir = path.join(dir, name)
  const ws = await openWorkspace(p, { storeDir, logLevel: 'silent' })
  const summary = await ws.materialize({})
  const again = await ws.materialize({}) // incremental: nothing left to do
  await ws.close()
  const store = SqliteStore.open(storeDir)
  const latest = await store.latestRecords()
  await store.close()
  const versions = Object.fromEntries(latest.keys.map((k, i) => [k, latest.dataVersions[i]]))
  return { summary, again, versions }
}

describe('freeing the slot while the output is made durable', () => {
  it('records exactly what the slow path records, never running more user code than concurrency', async () => {
    running.peak = 0
    const fast = await runInto('fast', project(6))
    const fastPeak = running.peak
    running.peak = 0
    const slow = await runInto('slow', project(6, new SlowPath(path.join(dir, 'slow-io'))))
    expect(fast.summary.status).toBe('success')
    expect(fast.summary.materialized).toHaveLength(25)
    expect([...fast.summary.materialized].sort()).toEqual([...slow.summary.materialized].sort())
    expect(fast.versions).toEqual(slow.versions)
    expect(Object.keys(fast.versions)).toHaveLength(25)
    expect(fast.again.materialized).toEqual([])
    expect(slow.again.materialized).toEqual([])
    expect(fastPeak).toBeLessThanOrEqual(2)
    expect(running.peak).toBeLessThanOrEqual(2)
  })

  it('takes a slot again before retrying an attempt whose write failed after freeing it', async () => {
    const inner = new FileIOManager(path.join(dir, 'flaky-io'))
    let failures = 0
    const flaky: IOManager = {
      async write(ctx, value) {
        if (ctx.key === 'b' && failures === 0) {
          ctx.written?.()
          await new Promise((r) => setTimeout(r, 20)) // others start meanwhile, in b's slot
          failures++
          throw new Error('disk went away')
        }
        return inner.write(ctx, value)
      },
      read: (ctx, stored) => inner.read(ctx, stored),
    }
    const a = asset({ key: 'a' }, () => enter(1))
    const b = asset({ key: 'b', retry: { maxRetries: 1 } }, () => enter(2))
    const others = Array.from({ length: 6 }, (_, i) =>
      asset({ key: `o${i}`, deps: { a } }, ({ a }) => enter(a + i, 10)),
    )
    const p = defineProject({ assets: [b, ...others], concurrency: 1, io: flaky })
    running.peak = 0
    const ws = await openWorkspace(p, { storeDir: path.join(dir, 'flaky'), logLevel: 'silent' })
    const summary = await ws.materialize({})
    await ws.close()
    expect(failures).toBe(1)
    expect(summary.status).toBe('success')
    expect([...summary.materialized].sort()).toEqual(['a', 'b', 'o0', 'o1', 'o2', 'o3', 'o4', 'o5'])
    expect(running.peak).toBe(1)
  })
})
