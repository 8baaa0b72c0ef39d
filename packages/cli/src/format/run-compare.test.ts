import type { RunInfo } from '@rivers-orchestrator/rivers'
import { describe, expect, it } from 'vitest'
import { flattenParams, formatRunCompare } from './run-compare.js'
import { makeStyle } from './style.js'

const style = makeStyle({ color: false, unicode: true })
const run = (id: string, params: unknown, metrics: Record<string, number>): RunInfo => ({
  runId: id,
  status: 'success',
  startedAt: '2026-12-06T08:00:00.000Z',
  finishedAt: '2026-12-06T08:00:01.500Z',
  selection: ['*'],
  materialized: 1,
  failed: 0,
  skipped: 0,
  record: { dataVersion: 'ab'.repeat(16), params, metrics },
})

describe('assets runs --asset KEY', () => {
  it('shows the params that differ as columns, the others once, and every metric', () => {
    const text = formatRunCompare(
      [
        run('r2', { epochs: 30, opt: { lr: 0.1 }, seed: 1 }, { accuracy: 0.95, loss: 0.2 }),
        run('r1', { epochs: 300, opt: { lr: 0.1 }, seed: 1 }, { accuracy: 0.97 }),
      ],
      'model',
      style,
    )
    expect(text).toMatchInlineSnapshot(`
      "model across 2 runs (newest first):
      RUN  STARTED              TIME  STATUS   DATA      epochs  accuracy  loss
      r2   2026-12-06 08:00:00  1.5s  success  abababab  30      0.95      0.2
      r1   2026-12-06 08:00:00  1.5s  success  abababab  300     0.97      -

      Same in every run: opt.lr=0.1, seed=1"
    `)
  })

  it('flattens nested params to dotted paths', () => {
    expect([...flattenParams({ a: { b: [1, 2], c: 'x' }, d: null })]).toEqual([
      ['a.b', '[1,2]'],
      ['a.c', 'x'],
      ['d', 'null'],
    ])
    expect(formatRunCompare([], 'model', style)).toBe('No runs of model yet.')
  })
})
