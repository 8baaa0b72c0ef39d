/**
 * The concurrency slots of `schedule()`: a visit that releases its slot lets the next ready id start,
 * a visit that takes one again waits for a free one (before any new visit), the slots held never
 * exceed `concurrency`, and the visits without one stay bounded.
 */
import { describe, expect, it } from 'vitest'

import type { AssetId } from './planner.js'
import { RELEASED_MAX, type Slot, schedule } from './scheduler.js'

const ids = (n: number) => Array.from({ length: n }, (_, i) => i as AssetId)
const independent = (n: number) => ({ ids: ids(n), deps: () => [] })
const options = (concurrency: number) => ({ concurrency, signal: new AbortController().signal, graceMs: 100 })
const tick = () => new Promise((r) => setImmediate(r))

/** Counts the visits that hold a slot (as the visits themselves see it) and their peak. */
function holders() {
  let now = 0
  let peak = 0
  return {
    take: () => {
      now++
      peak = Math.max(peak, now)
    },
    drop: () => void now--,
    get peak() {
      return peak
    },
  }
}

describe('schedule() slots', () => {
  it('starts the next id when a visit releases its slot, holders never above concurrency', async () => {
    const h = holders()
    const gates: (() => void)[] = []
    const started: number[] = []
    const run = schedule(independent(3), options(1), async (id, _b, _u, slot) => {
      h.take()
      started.push(id)
      await tick()
      h.drop()
      slot.release()
      await new Promise<void>((r) => gates.push(r)) // waiting for the disk, without a slot
      return undefined
    })
    for (let i = 0; i < 10; i++) await tick()
    // All three started, one after the other, each after the one before released its slot.
    expect(started).toEqual([0, 1, 2])
    expect(h.peak).toBe(1)
    for (const g of gates) g()
    expect(await run).toEqual({ unfinished: [], abandoned: 0 })
  })

  it('a visit that takes a slot again waits for one, before any new visit starts', async () => {
    const h = holders()
    const order: string[] = []
    let resumeFirst: (() => void) | undefined
    let endSecond: (() => void) | undefined
    const run = schedule(independent(4), options(1), async (id, _b, _u, slot: Slot) => {
      h.take()
      order.push(`start ${id}`)
      if (id === 0) {
        h.drop()
        slot.release()
        await new Promise<void>((r) => (resumeFirst = r))
        await slot.acquire() // a retry: code runs again, so it needs a slot
        h.take()
        order.push('0 again')
      }
      if (id === 1) await new Promise<void>((r) => (endSecond = r))
      await tick()
      h.drop()
      order.push(`end ${id}`)
      return undefined
    })
    for (let i = 0; i < 5; i++) await tick()
    resumeFirst!() // while id 1 holds the only slot
    for (let i = 0; i < 5; i++) await tick()
    expect(order).toEqual(['start 0', 'start 1']) // 0 waits for the slot, and nothing new starts
    endSecond!()
    await run
    expect(h.peak).toBe(1)
    // 0 took the slot back as soon as 1 ended, before 2 and 3 could start.
    expect(order.slice(0, 5)).toEqual(['start 0', 'start 1', 'end 1', '0 again', 'end 0'])
    expect(order.slice(5)).toEqual(['start 2', 'end 2', 'start 3', 'end 3'])
  })

  it('keeps the visits under way bounded (concurrency + RELEASED_MAX), with a slot or not', async () => {
    const concurrency = 2
    let waiting = 0
    let peakWaiting = 0
    const gates: (() => void)[] = []
    const n = concurrency + RELEASED_MAX + 10
    const run = schedule(independent(n), options(concurrency), async (_id, _b, _u, slot) => {
      slot.release()
      waiting++
      peakWaiting = Math.max(peakWaiting, waiting)
      await new Promise<void>((r) => gates.push(r))
      waiting--
      return undefined
    })
    for (let i = 0; i < 10; i++) await tick()
    expect(peakWaiting).toBe(concurrency + RELEASED_MAX)
    while (gates.length > 0) {
      for (const g of gates.splice(0)) g()
      for (let i = 0; i < 5; i++) await tick()
    }
    expect((await run).unfinished).toEqual([])
  })

  it('a visit that ends while waiting for a slot leaves no slot taken', async () => {
    const h = holders()
    const run = schedule(independent(3), options(1), async (id, _b, _u, slot) => {
      h.take()
      if (id === 0) {
        h.drop()
        slot.release()
        void slot.acquire() // not waited for: the visit ends without its slot
        return undefined
      }
      await tick()
      h.drop()
      return undefined
    })
    expect(await run).toEqual({ unfinished: [], abandoned: 0 })
    expect(h.peak).toBe(1)
  })
})
