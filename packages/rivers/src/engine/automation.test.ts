/**
 * The tick engine on real workspaces (temporary SQLite stores, the FileIOManager): eager downstream
 * runs, missing, on_cron with a given time, rate limits, leases, dry runs, and what is stored.
 */

import { describe, expect, it } from 'vitest'

import { asset, defineProject, source, when } from '../definitions/index.js'
import { tickWorkspaces } from './tick-workspaces.fixture.js'

const { workspace, store } = tickWorkspaces('rivers-tick-')

/** raw (a source whose version the test sets) -> features (eager) -> model (eager, rate limited when asked). */
function pipeline(world: { version: string }, modelCondition = when.eager()) {
  const raw = source({ key: 'raw', observe: () => ({ dataVersion: world.version }), load: () => world.version })
  const features = asset({ key: 'features', deps: { raw }, automation: when.eager() }, ({ raw }) => [
    { x: raw.length, v: raw },
  ])
  const model = asset(
    { key: 'model', deps: { features }, automation: modelCondition },
    ({ features }) => features.length,
  )
  return defineProject({ assets: [model] })
}

describe('tick', () => {
  it('runs eager assets with their eager downstream in the same tick, upstream first', async () => {
    const world = { version: 'v1' }
    const ws = await workspace(pipeline(world))
    // First tick: features is missing and its input has data; model's input has none yet, but
    // features is requested in the same tick, so model comes along in the same run, after it.
    const first = await ws.tick()
    expect(first.requested).toEqual(['features', 'model'])
    expect(first.runs).toHaveLength(1)
    expect(first.runs[0]).toMatchObject({ source: 'conditions', select: ['key:features', 'key:model'] })
    expect(first.runs[0]!.summary?.status).toBe('success')
    expect(first.runs[0]!.summary!.materialized).toEqual(['features', 'model'])
    expect(first.decisions.map((d) => [d.key, d.requested, d.runId, d.tree.label])).toEqual([
      ['features', true, first.runs[0]!.runId, 'eager: never materialized'],
      ['model', true, first.runs[0]!.runId, 'eager: never materialized'],
    ])

    const idle = await ws.tick()
    expect(idle.requested).toEqual([])
    expect(idle.runs).toEqual([])
    expect(idle.decisions.map((d) => d.tree.label)).toEqual([
      'eager: no input has a new data version',
      'eager: no input has a new data version',
    ])

    world.version = 'v2'
    const upstream = await ws.tick()
    expect(upstream.requested).toEqual(['features', 'model'])
    expect(upstream.decisions.map((d) => d.tree.label)).toEqual([
      'eager: input raw has a new data version',
      'eager: input features is requested in this tick',
    ])
    // model's own state was fresh: it was planned after features without forcing the run.
    expect(upstream.runs[0]!.summary!.materialized).toEqual(['features', 'model'])
    const after = await ws.tick()
    expect(after.requested).toEqual([])

    // Runs are ordinary runs, recorded with the tick that launched them.
    const s = store()
    try {
      const run = await s.getRun(upstream.runs[0]!.runId)
      expect(run?.argv).toEqual(['automation', 'tick', String(upstream.tickId)])
      expect(run?.status).toBe('success')
      const ticks = await s.automationTicks()
      expect(ticks[0]).toMatchObject({ id: after.tickId, requested: 0, runIds: [] })
      expect(ticks[1]).toMatchObject({
        id: upstream.tickId,
        evaluated: 2,
        requested: 2,
        runIds: [upstream.runs[0]!.runId],
      })
    } finally {
      await s.close()
    }
    const log = await ws.automationLog({ key: 'model', limit: 3 })
    expect(log.map((d) => [d.tickId, d.requested])).toEqual([
      [after.tickId, false],
      [upstream.tickId, true],
      [idle.tickId, false],
    ])
    expect(log[1]!.runId).toBe(upstream.runs[0]!.runId)
    expect((log[1]!.tree as { label: string }).label).toBe('eager: input features is requested in this tick')
  })

  it('dry run: evaluates and reports, stores nothing, launches nothing', async () => {
    const ws = await workspace(pipeline({ version: 'v1' }))
    const dry = await ws.tick({ dryRun: true })
    expect(dry.tickId).toBeNull()
    expect(dry.requested).toEqual(['features', 'model'])
    expect(dry.runs).toEqual([])
    const s = store()
    try {
      expect(await s.automationTicks()).toEqual([])
      expect(await s.automationDecisions()).toEqual([])
      expect(await s.automationState('asset')).toEqual(new Map())
      expect(await s.listRuns()).toEqual([])
    } finally {
      await s.close()
    }
  })

  it('an asset whose input is missing and not requested is not requested, and says why', async () => {
    const raw = asset({ key: 'raw' }, () => 1)
    const model = asset({ key: 'model', deps: { raw }, automation: when.missing() }, ({ raw }) => raw + 1)
    const ws = await workspace(defineProject({ assets: [model] }))
    const r = await ws.tick()
    expect(r.decisions[0]).toMatchObject({
      key: 'model',
      requested: false,
      reason: 'input raw (raw) has no data and is not requested',
    })
    expect(r.decisions[0]!.tree.value).toBe(true)
    expect(r.runs).toEqual([])
    await ws.materialize({ select: ['raw'] })
    expect((await ws.tick()).requested).toEqual(['model'])
    expect((await ws.tick()).requested).toEqual([])
  })

  it('rate limit: a second request within the window waits', async () => {
    const world = { version: 'v1' }
    const ws = await workspace(pipeline(world, when.eager().and(when.rateLimit('1h'))))
    const t0 = Date.now()
    expect((await ws.tick({ now: new Date(t0) })).requested).toEqual(['features', 'model'])
    expect((await ws.tick({ now: new Date(t0 + 1000) })).requested).toEqual([])
    world.version = 'v2'
    // features runs again; model, whose input is requested, waits for its rate limit.
    const limited = await ws.tick({ now: new Date(t0 + 60_000) })
    expect(limited.requested).toEqual(['features'])
    expect(limited.decisions[1]!.tree.children!.map((c) => [c.value, c.label])).toEqual([
      [true, 'eager: input features is requested in this tick'],
      [false, 'rate_limit 1h: last automation run started 1m ago'],
    ])
    const still = await ws.tick({ now: new Date(t0 + 120_000) })
    expect(still.requested).toEqual([])
    expect(still.decisions[1]!.tree.children!.map((c) => [c.value, c.label])).toEqual([
      [true, 'eager: input features has a new data version'],
      [false, 'rate_limit 1h: last automation run started 2m ago'],
    ])
    expect((await ws.tick({ now: new Date(t0 + 3_601_000) })).requested).toEqual(['model'])
  })

  it('on_cron: runs a fresh asset once per cron tick', async () => {
    const raw = asset({ key: 'raw' }, () => 1)
    const report = asset({ key: 'report', deps: { raw }, automation: when.onCron('0 * * * *') }, ({ raw }) => raw)
    const ws = await workspace(defineProject({ assets: [report] }))
    await ws.materialize()
    const hour = 3_600_000
    const nextHour = Math.ceil(Date.now() / hour) * hour
    const due = await ws.tick({ now: new Date(nextHour + 5 * 60_000) })
    expect(due.requested).toEqual(['report'])
    expect(due.runs[0]!.summary?.materialized).toEqual(['report'])
    expect((await ws.tick({ now: new Date(nextHour + 10 * 60_000) })).requested).toEqual([])
    expect((await ws.tick({ now: new Date(nextHour + hour + 60_000) })).requested).toEqual(['report'])
  })

  it('an asset another run is building is not requested', async () => {
    const ws = await workspace(pipeline({ version: 'v1' }))
    const s = store()
    try {
      expect(await s.tryAcquireLease('features', 'someone-else', 60_000)).toBe(true)
    } finally {
      await s.close()
    }
    const r = await ws.tick()
    expect(r.decisions[0]).toMatchObject({ requested: false, reason: 'in progress: run someone-else holds its lease' })
    // model's input features is missing and not requested either.
    expect(r.decisions[1]!.requested).toBe(false)
    expect(r.runs).toEqual([])
  })
})
