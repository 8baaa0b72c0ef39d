/** Failed assets and failed blocking checks: exactly their descendants are skipped, exit 1. */
import { afterAll, expect, test } from 'vitest'
import { outcome, pipeline } from './pipeline.js'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const T = { timeout: 30_000 }

test('a failing asset skips exactly its descendants (upstream_failed), exits 1, and stays planned', T, async () => {
  const p = makeProject({ 'rivers.config.ts': pipeline({ modelThrows: true }) })
  const r = await p.run(['materialize', '--json'])
  expect(r.code).toBe(1)
  const summary = r.json()
  expect(summary.status).toBe('failed')
  expect(outcome(summary)).toEqual({
    materialized: expect.arrayContaining(['raw', 'features', 'stats']),
    skipped: { report: 'upstream_failed' },
    failed: ['model'],
  })
  expect(summary.materialized).toHaveLength(3)
  expect(summary.failed[0].error).toContain('training diverged at epoch 1')
  // The failed asset and its descendants stay in the next plan; its succeeded siblings do not.
  expect((await p.run(['plan', '--json'])).json()).toMatchObject({ layers: [['model'], ['report']], count: 2 })
})

test('human output of a failed run: one line per event, the error, exit 1', T, async () => {
  const p = makeProject({ 'rivers.config.ts': pipeline({ modelThrows: true }) })
  const r = await p.run(['materialize'])
  expect(r.code).toBe(1)
  const lines = r.stdout.trim().split('\n')
  expect(lines).toContainEqual(expect.stringMatching(/^\[ok\] raw \d+(ms|\.\ds)$/))
  expect(lines).toContain('[skip] report skipped (upstream_failed)')
  expect(lines).toContainEqual(expect.stringMatching(/^\[fail\] model failed: .*training diverged at epoch 1/))
  expect(lines.at(-1)).toMatch(/^Run \S+ failed in \d+(ms|\.\ds): 3 materialized, 1 skipped, 1 failed\.$/)
})

test('a failing blocking check skips exactly its descendants (check_failed) and exits 1', T, async () => {
  const p = makeProject({ 'rivers.config.ts': pipeline({ failingCheck: true }) })
  const r = await p.run(['materialize', '--json'])
  expect(r.code).toBe(1)
  const summary = r.json()
  expect(summary.status).toBe('failed')
  const o = outcome(summary)
  expect(o.skipped).toEqual({ model: 'check_failed', report: 'check_failed' })
  expect(o.materialized).toEqual(expect.arrayContaining(['raw', 'stats']))
  // A failed blocking check fails the asset (docs/cli.md, "JSON output"): features is failed, not materialized.
  expect(o.failed).toEqual(['features'])
  expect(o.materialized).not.toContain('features')
})
