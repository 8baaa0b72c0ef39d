/**
 * Schedules and sensors in real ticks: a schedule fires once per cron tick (by the catch-up policy),
 * a sensor's cursor is durable across workspaces and is not advanced when it throws.
 */

import { describe, expect, it } from 'vitest'

import { asset, defineProject, schedule, sensor, when, type SensorContext } from '../definitions/index.js'
import type { CatchUp } from './automation.js'
import { tickWorkspaces } from './tick-workspaces.fixture.js'

const { workspace, store, closeAll } = tickWorkspaces('rivers-triggers-')

const HOUR = 3_600_000
const MIN = 60_000
/** A whole hour in the future of the machine's clock, so records made now are older. */
const H = Math.ceil(Date.now() / HOUR) * HOUR + HOUR

describe('schedules', () => {
  const a = asset({ key: 'a' }, () => 1)
  const project = (catchUpName = 'hourly') =>
    defineProject({ assets: [a], schedules: [schedule({ name: catchUpName, cron: '0 * * * *', select: ['a'] })] })

  it('fires once per cron tick, never for the past on its first evaluation', async () => {
    const ws = await workspace(project())
    const first = await ws.tick({ now: new Date(H + 50 * MIN) })
    expect(first.schedules).toEqual([{ name: 'hourly', fired: false }])
    const fired = await ws.tick({ now: new Date(H + 65 * MIN) })
    expect(fired.schedules).toEqual([{ name: 'hourly', fired: true, tick: new Date(H + HOUR).toISOString() }])
    expect(fired.runs).toHaveLength(1)
    expect(fired.runs[0]).toMatchObject({ source: 'schedule:hourly', select: ['a'] })
    // The selection runs whether stale or not.
    expect(fired.runs[0]!.summary?.materialized).toEqual(['a'])
    const again = await ws.tick({ now: new Date(H + 70 * MIN) })
    expect(again.schedules[0]!.fired).toBe(false)
    expect(again.runs).toEqual([])
  })

  it.each<[CatchUp, number]>([
    ['latest', 1],
    ['skip', 0],
    [{ all: 2 }, 2],
  ])('after downtime with catch-up %j: %i runs', async (catchUp, runs) => {
    const ws = await workspace(project())
    await ws.tick({ now: new Date(H + 5 * MIN) })
    // Four ticks pass while nothing ticks.
    const late = await ws.tick({ now: new Date(H + 4 * HOUR + 5 * MIN), catchUp })
    expect(late.runs).toHaveLength(runs)
    expect(late.schedules[0]!.fired).toBe(runs > 0)
    // Whatever the policy, the missed ticks are handled: the next tick fires nothing.
    expect((await ws.tick({ now: new Date(H + 4 * HOUR + 10 * MIN), catchUp })).runs).toEqual([])
  })
})

describe('sensors', () => {
  it('keeps its cursor across workspaces, reports errors without advancing it, honours every', async () => {
    const world = { batches: 0, fail: false, seen: [] as (string | undefined)[] }
    const a = asset({ key: 'a' }, () => world.batches)
    const model = asset({ key: 'model', deps: { a }, automation: when.eager() }, ({ a }) => a)
    const batches = sensor({
      name: 'batches',
      every: '30s',
      evaluate: (ctx: SensorContext) => {
        world.seen.push(ctx.cursor)
        if (world.fail) throw new Error('the batch folder is unreadable')
        const seen = Number(ctx.cursor ?? '0')
        if (world.batches === seen) return { skipReason: 'no new batch' }
        return { runRequests: [{ select: ['a'] }], cursor: String(world.batches) }
      },
    })
    const project = defineProject({ assets: [model], sensors: [batches] })
    const t0 = Date.now()

    const ws = await workspace(project)
    const idle = await ws.tick({ now: new Date(t0) })
    expect(idle.sensors).toEqual([{ name: 'batches', runRequests: 0, skipped: 'no new batch' }])

    world.batches = 2
    // Not due yet (every 30 s).
    expect((await ws.tick({ now: new Date(t0 + 10_000) })).sensors).toEqual([])
    const due = await ws.tick({ now: new Date(t0 + 30_000) })
    expect(due.sensors).toEqual([{ name: 'batches', runRequests: 1, cursor: '2' }])
    expect(due.runs.map((r) => [r.source, r.select, r.summary?.materialized])).toEqual([
      ['sensor:batches', ['a'], ['a']],
    ])
    await closeAll()

    // A new process: the cursor comes from the store.
    world.batches = 3
    world.fail = true
    const ws2 = await workspace(project)
    const failed = await ws2.tick({ now: new Date(t0 + 60_000) })
    expect(failed.sensors).toEqual([
      { name: 'batches', runRequests: 0, cursor: '2', error: 'the batch folder is unreadable' },
    ])
    // The rest of the tick went on: model (eager) saw a's new value.
    expect(failed.requested).toEqual(['model'])
    // The error is stored with the tick and in the sensor's state.
    const s = store()
    try {
      expect((await s.automationTicks({ limit: 1 }))[0]!.error).toBe('sensor batches: the batch folder is unreadable')
      expect((await s.automationState('sensor')).get('batches')).toMatchObject({
        cursor: '2',
        error: 'the batch folder is unreadable',
      })
    } finally {
      await s.close()
    }
    world.fail = false
    const recovered = await ws2.tick({ now: new Date(t0 + 90_000) })
    expect(recovered.sensors).toEqual([{ name: 'batches', runRequests: 1, cursor: '3' }])
    expect(world.seen).toEqual([undefined, undefined, '2', '2'])
  })
})
