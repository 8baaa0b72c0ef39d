/**
 * Sensors that report data versions of sources (`reportedBy`): the report is recorded before the
 * conditions are evaluated, so an eager consumer runs in the same tick; a repeated report changes
 * nothing; an invalid report records nothing and keeps the cursor; a dry run records nothing.
 */

import { describe, expect, it } from 'vitest'

import { asset, defineProject, sensor, source, when, type SensorResult } from '../definitions/index.js'
import { tickWorkspaces } from './tick-workspaces.fixture.js'

const { workspace, store } = tickWorkspaces('rivers-reports-')

/** A warehouse table Rivers cannot look at: the sensor reports its batch number. */
function project(world: { batch: number; result?: (batch: number) => SensorResult }) {
  const events = source({ key: 'raw/events', reportedBy: 'warehouse', load: () => world.batch })
  const counts = asset({ key: 'counts', deps: { events }, automation: when.eager() }, ({ events }) => events * 10)
  const warehouse = sensor({
    name: 'warehouse',
    evaluate: (ctx) =>
      world.result?.(world.batch) ??
      (ctx.cursor === String(world.batch)
        ? { skipReason: 'no new batch' }
        : {
            observations: [{ key: 'raw/events', dataVersion: `batch-${world.batch}`, metadata: { rows: world.batch } }],
            cursor: String(world.batch),
          }),
  })
  return defineProject({ assets: [counts], sensors: [warehouse] })
}

describe('sensors reporting data versions', () => {
  it('records the report and runs the eager consumer in the same tick; a repeat changes nothing', async () => {
    const world = { batch: 1 }
    const ws = await workspace(project(world))
    expect((await ws.status()).assets.find((s) => s.key === 'raw/events')?.status).toBe('missing')

    const first = await ws.tick()
    expect(first.sensors).toMatchObject([{ name: 'warehouse', runRequests: 0, observations: 1, cursor: '1' }])
    expect(first.requested).toEqual(['counts'])
    expect(first.runs.map((r) => r.summary?.materialized)).toEqual([['counts']])

    const s = store()
    try {
      const [report] = await s.assetHistory('raw/events', { limit: 1 })
      expect(report).toMatchObject({ kind: 'observation', metadata: { rows: 1 } })
      expect(report!.runId).toBe(first.sensors[0]!.observationRunId)
      const run = await s.getRun(report!.runId)
      expect(run).toMatchObject({
        status: 'success',
        selection: ['key:raw/events'],
        argv: ['automation', 'tick', String(first.tickId), 'sensor', 'warehouse'],
      })
      // counts consumed the reported version.
      const [made] = await s.assetHistory('counts', { limit: 1 })
      expect(made!.inputs).toEqual([{ key: 'raw/events', partition: '', dataVersion: report!.dataVersion }])
      expect((await s.automationTicks({ limit: 1 }))[0]!.runIds).toContain(report!.runId)
    } finally {
      await s.close()
    }

    // The same version again (the sensor lost its cursor, say): nothing recorded, nothing requested.
    const again = await ws.tick({ now: new Date(Date.now() + 1000) })
    expect(again.sensors).toEqual([{ name: 'warehouse', runRequests: 0, skipped: 'no new batch', cursor: '1' }])
    expect(again.requested).toEqual([])

    world.batch = 2
    const next = await ws.tick({ now: new Date(Date.now() + 2000) })
    expect(next.sensors[0]).toMatchObject({ observations: 1, cursor: '2' })
    expect(next.runs.map((r) => r.summary?.materialized)).toEqual([['counts']])
    expect((await ws.status()).assets.find((x) => x.key === 'counts')?.status).toBe('fresh')
  })

  it('refuses a report of a key it does not report: nothing recorded, cursor kept', async () => {
    const world: { batch: number; result?: (batch: number) => SensorResult } = { batch: 1 }
    const ws = await workspace(project(world))
    await ws.tick()
    world.batch = 2
    world.result = (b) => ({
      observations: [
        { key: 'raw/events', dataVersion: `batch-${b}` },
        { key: 'counts', dataVersion: 'x' },
      ],
      cursor: String(b),
    })
    const bad = await ws.tick({ now: new Date(Date.now() + 1000) })
    expect(bad.sensors).toEqual([
      {
        name: 'warehouse',
        runRequests: 0,
        cursor: '1',
        error:
          'sensor "warehouse" reported a data version of "counts" (observations[1]), which is an asset Rivers materializes, not a source; ' +
          'it reports "raw/events". Fix: give the source `reportedBy: \'warehouse\'`, or report one of those keys. Nothing of this evaluation was recorded.',
      },
    ])
    expect(bad.requested).toEqual([])
    const s = store()
    try {
      expect(await s.assetHistory('raw/events')).toHaveLength(1)
    } finally {
      await s.close()
    }
    world.result = (b) => ({ observations: [{ key: 'raw/events', dataVersion: '' }], cursor: String(b) })
    expect((await ws.tick({ now: new Date(Date.now() + 2000) })).sensors[0]!.error).toMatch(
      /observations\[0\]\.dataVersion is not a non-empty string/,
    )
  })

  it('a dry run shows the report and records nothing', async () => {
    const ws = await workspace(project({ batch: 1 }))
    const dry = await ws.tick({ dryRun: true })
    expect(dry.sensors).toMatchObject([{ name: 'warehouse', observations: 1 }])
    expect(dry.sensors[0]!.observationRunId).toBeUndefined()
    const s = store()
    try {
      expect(await s.assetHistory('raw/events')).toEqual([])
    } finally {
      await s.close()
    }
  })

  it('materialize refuses a consumer while its reported source has no report yet', async () => {
    const ws = await workspace(project({ batch: 1 }))
    await expect(ws.materialize({ select: ['counts'] })).rejects.toThrow(
      'asset "counts" needs source "raw/events", which sensor "warehouse" has not reported yet: run `assets tick` (or `assets daemon`) so that the sensor reports its data version, then materialize "counts"',
    )
  })
})

describe('reportedBy in definitions', () => {
  it('names a sensor of the project (did-you-mean), and excludes observe and every', () => {
    const events = source({ key: 'raw/events', reportedBy: 'warehouse_sensr' })
    const counts = asset({ key: 'counts', deps: { events } }, () => 1)
    const warehouse = sensor({ name: 'warehouse_sensor', evaluate: () => ({}) })
    expect(() => defineProject({ assets: [counts], sensors: [warehouse] })).toThrowErrorMatchingInlineSnapshot(`
      [DefinitionError: Source 'raw/events' is reportedBy sensor 'warehouse_sensr', which is not a sensor of this project. Did you mean 'warehouse_sensor'? (sensors: warehouse_sensor).
      Fix: add the sensor to defineProject({ sensors }), or correct reportedBy.]
    `)
    const message = (() => {
      try {
        source({ key: 'raw/x', reportedBy: 'warehouse', observe: () => ({ dataVersion: '1' }), every: '1m' })
      } catch (e) {
        return (e as Error).message.replace(/ \(defined at [^)]*\)/, '')
      }
    })()
    expect(message).toMatchInlineSnapshot(`
      "Invalid definition of source 'raw/x':
        - observe: a source reported by a sensor gets its data versions from the sensor's reports, not from \`observe\`
          Fix: drop \`observe\`, or drop reportedBy and let Rivers observe the source.
        - every: a source reported by a sensor gets its data versions from the sensor's reports, not from \`every\`
          Fix: drop \`every\`, or drop reportedBy and let Rivers observe the source."
    `)
  })
})
