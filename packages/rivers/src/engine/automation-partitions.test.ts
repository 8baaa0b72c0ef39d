/**
 * Conditions on partitioned assets are judged per partition: `eager` requests an asset when a
 * partition is missing or stale after new input data (not when it is stale by code alone), `missing`
 * when any partition was never built (a new dynamic key), and the run they start builds exactly
 * those partitions.
 */
import { describe, expect, it } from 'vitest'

import { asset, daily, defineProject, dynamicPartitions, mapped, source, when } from '../index.js'
import { tickWorkspaces } from './tick-workspaces.fixture.js'

const { workspace } = tickWorkspaces('rivers-tick-partitions-')

const days = daily({ start: '2024-01-01', end: '2024-01-06' })

describe('conditions on partitioned assets', () => {
  it('eager: missing partitions, then partitions stale after new input data, and the reader of all of them', async () => {
    const world = { values: { '2024-01-01': 1, '2024-01-02': 2 } as Record<string, number> }
    const raw = source({
      key: 'raw',
      observe: () => ({ dataVersion: JSON.stringify(world.values) }),
      load: () => ({ ...world.values }),
    })
    const events = asset(
      { key: 'events', partitions: days, deps: { raw }, automation: when.eager() },
      ({ raw }, ctx) => raw[ctx.partition!.key] ?? 0,
    )
    const total = asset({ key: 'total', deps: { events: mapped(events) }, automation: when.eager() }, ({ events }) =>
      Object.values(events).reduce((a, b) => a + b, 0),
    )
    const ws = await workspace(defineProject({ assets: [raw, events, total] }))

    const first = await ws.tick()
    expect(first.requested).toEqual(['events', 'total'])
    expect(first.decisions.find((d) => d.key === 'events')?.tree.label).toBe(
      'eager: 5 of 5 partitions missing (2024-01-01...2024-01-05)',
    )
    expect(first.runs[0]!.summary?.partitions).toEqual({
      events: { planned: 5, materialized: 5, skipped: 0, failed: 0 },
    })

    const idle = await ws.tick()
    expect(idle.requested).toEqual([])
    expect(idle.decisions.find((d) => d.key === 'events')?.tree.label).toBe('eager: all 5 partitions fresh')

    world.values = { ...world.values, '2024-01-03': 3 }
    const changed = await ws.tick()
    expect(changed.requested).toEqual(['events', 'total'])
    expect(changed.decisions.find((d) => d.key === 'events')?.tree).toMatchObject({
      label: 'eager: 5 stale after new input data (2024-01-01...2024-01-05)',
      details: { missingPartitions: 0, stalePartitions: 5 },
    })
    // Every partition reads the whole source and re-runs; only 2024-01-03 got a new value.
    expect(changed.runs[0]!.summary?.status).toBe('success')
    expect(await ws.load('total')).toBe(6)
  })

  it('eager waits on partitions stale by a code change alone', async () => {
    const make = (factor: number) => {
      const events = asset(
        { key: 'events', partitions: days, automation: when.eager(), codeVersion: `v${factor}` },
        (_, ctx) => ctx.partition!.index * factor,
      )
      return defineProject({ assets: [events] })
    }
    const ws = await workspace(make(1))
    expect((await ws.tick()).requested).toEqual(['events'])
    await ws.close()
    const changedCode = await workspace(make(2))
    const tick = await changedCode.tick()
    expect(tick.requested).toEqual([])
    expect(tick.decisions[0]?.tree.label).toBe('eager: 5 partitions stale by code_changed only, not by new input data')
  })

  it('missing: requests a new dynamic key, and the run builds only that partition', async () => {
    const customers = asset(
      { key: 'customers', partitions: dynamicPartitions('customers'), automation: when.missing() },
      (_, ctx) => ctx.partition!.key.toUpperCase(),
    )
    const ws = await workspace(defineProject({ assets: [customers] }))
    const none = await ws.tick()
    expect(none.requested).toEqual([])
    expect(none.decisions[0]?.tree.label).toBe('missing: all 0 partitions materialized')

    await ws.addPartitions('customers', ['acme'])
    const one = await ws.tick()
    expect(one.requested).toEqual(['customers'])
    expect(one.decisions[0]?.tree.label).toBe('missing: 1 of 1 partitions (acme)')
    expect(one.runs[0]!.summary?.partitions?.customers).toMatchObject({ planned: 1, materialized: 1 })

    await ws.addPartitions('customers', ['globex', 'initech'])
    const two = await ws.tick()
    expect(two.decisions[0]?.tree.label).toBe('missing: 2 of 3 partitions (globex...initech)')
    expect(two.runs[0]!.summary?.partitions?.customers).toMatchObject({ planned: 2, materialized: 2 })
    expect(await ws.load('customers', { partition: 'initech' })).toBe('INITECH')
    expect((await ws.tick()).requested).toEqual([])
  })

  it('a tick reads only the partition records made since the last one, and evaluates only what they reach', async () => {
    const world = { bump: 0 }
    const make = () => {
      const events = asset(
        { key: 'events', partitions: days, automation: when.eager(), codeVersion: 'v1' },
        (_, ctx) => ctx.partition!.index + (ctx.partition!.key === '2024-01-03' ? world.bump : 0),
      )
      const total = asset({ key: 'total', deps: { events: mapped(events) }, automation: when.eager() }, ({ events }) =>
        Object.values(events).reduce((a, b) => a + b, 0),
      )
      const other = asset({ key: 'other', automation: when.eager() }, () => 'unrelated')
      return defineProject({ assets: [total, other] })
    }
    const ws = await workspace(make())
    expect((await ws.tick()).requested).toEqual(['events', 'other', 'total'])
    expect((await ws.tick()).requested).toEqual([])
    // Another process rebuilds one partition with a new value.
    world.bump = 100
    const elsewhere = await workspace(make())
    const run = await elsewhere.materialize({ select: ['events'], partitions: ['2024-01-03'], force: true })
    expect(run.partitions?.events).toMatchObject({ materialized: 1 })
    const tick = await ws.tick()
    // Only what the new record reaches is evaluated: events and its reader, not `other`.
    expect(tick.decisions.map((d) => d.key).sort()).toEqual(['events', 'total'])
    expect(tick.requested).toEqual(['total'])
    expect(tick.decisions.find((d) => d.key === 'total')?.tree.label).toBe('eager: input events has a new data version')
    expect(await ws.load('total')).toBe(0 + 1 + 2 + 3 + 4 + 100)
  })
})
