/** What each kind of change rebuilds: compared through the `materialized` list of `--json` runs. */
import { afterAll, describe, expect, test } from 'vitest'
import { pipeline, outcome } from './pipeline.js'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const T = { timeout: 30_000 }

describe('a pipeline through its edits', () => {
  const p = makeProject({ 'rivers.config.ts': pipeline() })
  const materialize = async (...args: string[]) => {
    const r = await p.run(['materialize', '--json', ...args])
    expect(r.code, r.stderr).toBe(0)
    return outcome(r.json())
  }

  test('the first run builds everything, dependencies first', T, async () => {
    const r = await p.run(['materialize', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const summary = r.json()
    expect(summary).toMatchObject({ status: 'success', skipped: [], failed: [] })
    expect(summary.runId).toEqual(expect.any(String))
    expect([...summary.materialized].sort()).toEqual(['features', 'model', 'raw', 'report', 'stats'])
    const order = summary.materialized as string[]
    expect(order.indexOf('raw')).toBeLessThan(order.indexOf('features'))
    expect(order.indexOf('features')).toBeLessThan(order.indexOf('model'))
    expect(order.indexOf('model')).toBeLessThan(order.indexOf('report'))
  })

  test('the second run builds nothing', T, async () => {
    expect(await materialize()).toEqual({ materialized: [], skipped: {}, failed: [] })
    const status = (await p.run(['status', '--json'])).json()
    expect(
      status.assets.map((a: { key: string; status: string; planned: boolean }) => [a.key, a.status, a.planned]),
    ).toEqual([
      ['features', 'fresh', false],
      ['model', 'fresh', false],
      ['raw', 'fresh', false],
      ['report', 'fresh', false],
      ['stats', 'fresh', false],
    ])
  })

  test('a code change that yields identical bytes rebuilds nothing downstream', T, async () => {
    p.write({ 'rivers.config.ts': pipeline({ raw: '[1, 2].concat([3])' }) })
    expect(await materialize()).toEqual({
      materialized: ['raw'],
      skipped: {
        features: 'upstream_unchanged',
        stats: 'upstream_unchanged',
        model: 'upstream_unchanged',
        report: 'upstream_unchanged',
      },
      failed: [],
    })
    expect(await materialize()).toEqual({ materialized: [], skipped: {}, failed: [] })
  })

  test('a code change rebuilds the asset and what its new data reaches', T, async () => {
    p.write({ 'rivers.config.ts': pipeline({ raw: '[1, 2].concat([3])', features: 'raw.map((x) => x * 3)' }) })
    const status = (await p.run(['status', '--json'])).json()
    const byKey = Object.fromEntries(status.assets.map((a: { key: string }) => [a.key, a]))
    expect(byKey.features).toMatchObject({
      status: 'stale',
      planned: true,
      causes: [{ kind: 'code_changed' }],
      rootCauses: [{ key: 'features', kind: 'code_changed' }],
    })
    // Status is not transitive: model stays fresh until features really produces new data; it is planned.
    expect(byKey.model).toMatchObject({ status: 'fresh', planned: true, causes: [] })
    expect(byKey.stats).toMatchObject({ status: 'fresh', planned: false })
    expect(await materialize()).toEqual({ materialized: ['features', 'model', 'report'], skipped: {}, failed: [] })
  })

  test('status --json names the upstream change and its root cause', T, async () => {
    p.write({ 'rivers.config.ts': pipeline({ raw: '[1, 2, 3, 4]', features: 'raw.map((x) => x * 3)' }) })
    expect((await p.run(['materialize', 'raw', '--json'])).json().materialized).toEqual(['raw'])
    const status = (await p.run(['status', '--json'])).json()
    const byKey = Object.fromEntries(status.assets.map((a: { key: string }) => [a.key, a]))
    expect(byKey.raw).toMatchObject({ status: 'fresh', planned: false, causes: [] })
    expect(byKey.features).toMatchObject({
      status: 'stale',
      planned: true,
      causes: [{ kind: 'upstream_data_changed', dep: 'raw', message: expect.stringContaining('raw') }],
      rootCauses: [{ key: 'raw', kind: 'new_data_version' }],
    })
    expect(byKey.stats).toMatchObject({ status: 'stale', causes: [{ kind: 'upstream_data_changed', dep: 'raw' }] })
    expect(byKey.model).toMatchObject({ status: 'fresh', planned: true })
    expect(await materialize()).toEqual({
      materialized: expect.arrayContaining(['features', 'stats', 'model', 'report']),
      skipped: {},
      failed: [],
    })
  })

  test('a config change rebuilds the configured asset and what follows', T, async () => {
    expect(await materialize('--config', '{"model":{"epochs":2}}')).toEqual({
      materialized: ['model', 'report'],
      skipped: {},
      failed: [],
    })
    expect(await materialize('--config', '{"model":{"epochs":2}}')).toEqual({
      materialized: [],
      skipped: {},
      failed: [],
    })
    p.write({ 'config.json': '{ "model": { "epochs": 3 } }' })
    expect(await materialize('--config', 'config.json')).toEqual({
      materialized: ['model', 'report'],
      skipped: {},
      failed: [],
    })
  })

  test('a new dependency rebuilds only the asset that gained it', T, async () => {
    p.write({
      'rivers.config.ts': pipeline({
        raw: '[1, 2, 3, 4]',
        features: 'raw.map((x) => x * 3)',
        statsDeps: '{ raw, features }',
      }),
    })
    const stats = (await p.run(['status', 'stats', '--json'])).json().assets[0]
    // The deps object is part of stats' definition text, so its code version changes too.
    expect(stats).toMatchObject({
      key: 'stats',
      status: 'stale',
      causes: [
        {
          kind: 'code_changed',
          message: 'stats has a new code version (code changed: rivers.config.ts (its definition))',
        },
        { kind: 'dep_added', dep: 'features' },
      ],
    })
    expect(await materialize('--config', 'config.json')).toEqual({ materialized: ['stats'], skipped: {}, failed: [] })
  })

  test('a removed dependency rebuilds only the asset that lost it', T, async () => {
    p.write({ 'rivers.config.ts': pipeline({ raw: '[1, 2, 3, 4]', features: 'raw.map((x) => x * 3)' }) })
    const stats = (await p.run(['status', 'stats', '--json'])).json().assets[0]
    expect(stats).toMatchObject({
      status: 'stale',
      causes: [{ kind: 'code_changed' }, { kind: 'dep_removed', dep: 'features' }],
    })
    expect(await materialize('--config', 'config.json')).toEqual({ materialized: ['stats'], skipped: {}, failed: [] })
  })
})

test('a new source version rebuilds its consumers', T, async () => {
  const p = makeProject({
    'data/orders.csv': 'id,amount\n1,10\n',
    'rivers.config.ts': `import { asset, defineProject, source } from '@rivers-orchestrator/rivers'
const orders = source({ key: 'orders', path: 'data/orders.csv' })
const rows = asset({ key: 'rows', deps: { orders } }, ({ orders }) => orders.toString().trim().split('\\n').length - 1)
const unrelated = asset({ key: 'unrelated' }, () => 42)
export default defineProject({ assets: [rows, unrelated] })
`,
  })
  expect(outcome((await p.run(['materialize', '--json'])).json())).toEqual({
    materialized: expect.arrayContaining(['rows', 'unrelated']),
    skipped: {},
    failed: [],
  })
  p.write({ 'data/orders.csv': 'id,amount\n1,10\n2,20\n' })
  const rows = (await p.run(['status', 'rows', '--json'])).json().assets[0]
  expect(rows).toMatchObject({
    status: 'stale',
    causes: [{ kind: 'upstream_data_changed', dep: 'orders' }],
    rootCauses: [{ key: 'orders', kind: 'source_changed' }],
  })
  expect(outcome((await p.run(['materialize', '--json'])).json())).toEqual({
    materialized: ['rows'],
    skipped: {},
    failed: [],
  })
})
