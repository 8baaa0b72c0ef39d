import { describe, expect, it } from 'vitest'

import type { AssetId } from './planner.js'
import { schedule } from './scheduler.js'

const ids = (...n: number[]) => n as AssetId[]
/** 0 <- 1 <- 3, 0 <- 2 <- 3, 4 alone. */
const deps = new Map<number, number[]>([
  [0, []],
  [1, [0]],
  [2, [0]],
  [3, [1, 2]],
  [4, []],
])
const graph = { ids: ids(0, 1, 2, 4, 3), deps: (id: AssetId) => ids(...(deps.get(id) ?? [])) }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('schedule()', () => {
  it('visits each id once, after its deps, at most `concurrency` at a time', async () => {
    const order: number[] = []
    let active = 0
    let peak = 0
    const end = await schedule(
      graph,
      { concurrency: 2, signal: new AbortController().signal, graceMs: 100 },
      async (id) => {
        for (const d of deps.get(id)!) expect(order).toContain(d)
        active++
        peak = Math.max(peak, active)
        await sleep(5)
        active--
        order.push(id)
        return undefined
      },
    )
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4])
    expect(peak).toBe(2)
    expect(end).toEqual({ unfinished: [], abandoned: 0 })
  })

  it('keeps ready ids first in, first out across thousands of them (the queue compacts as it goes)', async () => {
    // 3000 roots, then a child per root: roots start in plan order, each child once its root is done.
    const n = 3000
    const all = ids(...Array.from({ length: 2 * n }, (_, i) => i))
    const wide = { ids: all, deps: (id: AssetId) => (id < n ? [] : ids(id - n)) }
    const started: number[] = []
    const done = new Set<number>()
    const end = await schedule(
      wide,
      { concurrency: 3, signal: new AbortController().signal, graceMs: 100 },
      async (id) => {
        if (id >= n) expect(done.has(id - n)).toBe(true)
        started.push(id)
        await Promise.resolve()
        done.add(id)
        return undefined
      },
    )
    expect(started).toHaveLength(2 * n)
    expect(new Set(started).size).toBe(2 * n)
    const roots = started.filter((id) => id < n)
    expect(roots).toEqual([...roots].sort((a, b) => a - b))
    expect(end).toEqual({ unfinished: [], abandoned: 0 })
  })

  it('hands a block reason down to every descendant, and lets independent branches finish', async () => {
    const seen = new Map<number, string | undefined>()
    await schedule<string>(
      graph,
      { concurrency: 4, signal: new AbortController().signal, graceMs: 100 },
      async (id, blockedBy) => {
        seen.set(id, blockedBy)
        if (blockedBy !== undefined) return blockedBy
        return id === 1 ? 'upstream_failed' : undefined
      },
    )
    expect(Object.fromEntries(seen)).toEqual({
      0: undefined,
      1: undefined,
      2: undefined,
      3: 'upstream_failed',
      4: undefined,
    })
  })

  it('starts nothing once aborted, waits a bounded grace for running visits, and says what did not finish', async () => {
    const controller = new AbortController()
    let abandonedAt: number | undefined
    const end = await schedule(
      graph,
      { concurrency: 1, signal: controller.signal, graceMs: 50, onAbandon: (n) => (abandonedAt = n) },
      async (id) => {
        if (id === 0) {
          controller.abort()
          await sleep(500) // ignores the cancellation
        }
        return undefined
      },
    )
    expect(abandonedAt).toBe(1)
    expect(end).toEqual({ unfinished: ids(0, 1, 2, 4, 3), abandoned: 1 })
  })
})
