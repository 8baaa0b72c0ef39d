/**
 * The data-centric conditions in real ticks: drift between values stored by the FileIOManager,
 * data amount from a source's observation metadata, performance from metrics an asset recorded.
 */

import { expect, it } from 'vitest'

import { asset, defineProject, source, when } from '../definitions/index.js'
import { tickWorkspaces } from './tick-workspaces.fixture.js'

const { workspace } = tickWorkspaces('rivers-tick-data-')

/** 200 rows of a deterministic sample, shifted by `shift`, with a second batch id column. */
function sample(shift: number, batch: number): { bill_length_mm: number; batch: number }[] {
  return Array.from({ length: 200 }, (_, i) => ({ bill_length_mm: 40 + ((i * 37) % 100) / 10 + shift, batch }))
}

it('drift: retrains when the features the model consumed moved, through stored values', async () => {
  const world = { shift: 0, batch: 1 }
  const raw = source({
    key: 'raw',
    observe: () => ({ dataVersion: `${world.shift}-${world.batch}` }),
    load: () => null,
  })
  const features = asset({ key: 'features', deps: { raw }, automation: when.eager() }, () =>
    sample(world.shift, world.batch),
  )
  const model = asset(
    {
      key: 'model',
      deps: { features },
      automation: when.drift({ input: 'features', columns: ['bill_length_mm'], test: 'ks', threshold: 0.2 }),
    },
    ({ features }) => features.length,
  )
  const ws = await workspace(defineProject({ assets: [model] }))
  expect((await ws.materialize()).status).toBe('success')

  // A new batch from the same distribution: features re-run, the model does not.
  world.batch = 2
  expect((await ws.tick()).requested).toEqual(['features'])
  const same = await ws.tick()
  expect(same.requested).toEqual([])
  expect(same.decisions.find((d) => d.key === 'model')!.tree.label).toBe('drift ks(bill_length_mm)=0 <= 0.2')

  // The distribution shifts: the model retrains on the tick after features.
  world.shift = 3
  world.batch = 3
  expect((await ws.tick()).requested).toEqual(['features'])
  const drifted = await ws.tick()
  expect(drifted.requested).toEqual(['model'])
  const node = drifted.decisions.find((d) => d.key === 'model')!.tree
  expect(node.label).toBe('drift ks(bill_length_mm)=0.3 > 0.2')
  expect(node.details).toMatchObject({ threshold: 0.2, columns: ['bill_length_mm'] })
  expect(node.details!.statistic).toBeCloseTo(0.3, 12)
  expect(drifted.runs[0]!.summary?.materialized).toEqual(['model'])
  // The model consumed the shifted features: no drift left.
  expect((await ws.tick()).decisions.find((d) => d.key === 'model')!.tree.label).toBe(
    'drift ks(features): no new data since the reference',
  )
})

it('data amount: counts rows from the source observation metadata, recorded or not', async () => {
  const world = { rows: 100 }
  const raw = source({
    key: 'raw',
    observe: () => ({ dataVersion: `rows-${world.rows}`, metadata: { rows: world.rows } }),
    load: () => world.rows,
  })
  const model = asset(
    { key: 'model', deps: { raw }, automation: when.dataAmount({ input: 'raw', atLeast: 50 }) },
    () => world.rows,
  )
  const ws = await workspace(defineProject({ assets: [model] }))
  expect((await ws.materialize()).status).toBe('success')
  world.rows = 130
  const few = await ws.tick()
  expect(few.requested).toEqual([])
  expect(few.decisions[0]!.tree.label).toBe('data_amount raw >= 50 rows: 30 new')
  world.rows = 170
  const enough = await ws.tick()
  expect(enough.requested).toEqual(['model'])
  expect(enough.decisions[0]!.tree.details).toMatchObject({ rows: 70, atLeast: 50 })
  expect((await ws.tick()).decisions[0]!.tree.label).toBe('data_amount raw >= 50 rows: 0 new (no new data version)')
})

it('performance: retrains when the evaluation metric falls below the bound', async () => {
  const world = { accuracy: 0.95 }
  const model = asset({ key: 'model', codeVersion: 'v1' }, () => 1)
  const evaluation = asset({ key: 'eval', deps: { model } }, ({ model }, ctx) => {
    ctx.addMetric('accuracy', world.accuracy)
    return model
  })
  const retrain = asset(
    {
      key: 'retrain',
      deps: { model },
      automation: when.performance({ asset: 'eval', metric: 'accuracy', below: 0.9 }),
    },
    ({ model }) => model,
  )
  const ws = await workspace(defineProject({ assets: [evaluation, retrain] }))
  expect((await ws.materialize()).status).toBe('success')
  const good = await ws.tick()
  expect(good.requested).toEqual([])
  expect(good.decisions[0]!.tree.label).toBe('performance eval:accuracy=0.95 >= 0.9')
  world.accuracy = 0.82
  await ws.materialize({ select: ['eval'], force: true })
  const bad = await ws.tick()
  expect(bad.requested).toEqual(['retrain'])
  expect(bad.decisions[0]!.tree.label).toBe('performance eval:accuracy=0.82 < 0.9')
  expect(bad.runs[0]!.summary?.materialized).toEqual(['retrain'])
})
