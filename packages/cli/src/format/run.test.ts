import type { RunEvent, RunSummary } from '@rivers-orchestrator/rivers'
import { describe, expect, test } from 'vitest'
import { errorText, formatEvent, formatSummary, formatTotals } from './run.js'
import { makeStyle } from './style.js'

const unicode = makeStyle({ color: false, unicode: true })
const ascii = makeStyle({ color: false, unicode: false })

const events: RunEvent[] = [
  { type: 'run_started', runId: 'r1', planned: ['raw', 'features', 'model', 'report', 'deploy'] },
  { type: 'asset_started', key: 'raw', attempt: 1 },
  { type: 'asset_materialized', key: 'raw', durationMs: 12, dataVersion: 'aa' },
  { type: 'check_evaluated', key: 'raw', name: 'non_empty', passed: true, blocking: true },
  { type: 'check_evaluated', key: 'raw', name: 'no_nulls', passed: false, blocking: false, message: '2 nulls' },
  { type: 'asset_skipped', key: 'report', reason: 'upstream_unchanged' },
  {
    type: 'asset_failed',
    key: 'model',
    error: 'asset "model" failed in run r1: Error: CUDA out of memory',
    willRetry: true,
  },
  { type: 'asset_started', key: 'model', attempt: 2 },
  {
    type: 'asset_failed',
    key: 'model',
    error: 'asset "model" failed in run r1: Error: CUDA out of memory\n  at train (model.ts:3:9)',
    willRetry: false,
  },
  { type: 'asset_skipped', key: 'deploy', reason: 'upstream_failed' },
  { type: 'log', level: 'info', message: 'hello' },
]

const summary: RunSummary = {
  runId: 'r1',
  status: 'failed',
  durationMs: 1834,
  materialized: ['raw', 'features'],
  skipped: [
    { key: 'report', reason: 'upstream_unchanged' },
    { key: 'deploy', reason: 'upstream_failed' },
  ],
  failed: [
    { key: 'model', error: 'asset "model" failed in run r1: Error: CUDA out of memory\n  at train (model.ts:3:9)' },
  ],
}

const lines = (style = unicode) =>
  events
    .map((e) => formatEvent(e, style))
    .filter((l) => l !== undefined)
    .join('\n')

describe('formatEvent', () => {
  test('one plain line per finished asset, check and retry', () => {
    expect(lines()).toMatchSnapshot()
  })

  test('ASCII fallbacks', () => {
    expect(lines(ascii)).toMatchSnapshot()
  })

  test('the shapes the brief promises', () => {
    expect(formatEvent({ type: 'asset_materialized', key: 'raw', durationMs: 12, dataVersion: 'x' }, unicode)).toBe(
      '✔ raw 12ms',
    )
    expect(formatEvent({ type: 'asset_skipped', key: 'report', reason: 'upstream_unchanged' }, unicode)).toBe(
      '↷ report skipped (upstream_unchanged)',
    )
    expect(formatEvent({ type: 'asset_failed', key: 'model', error: 'boom', willRetry: false }, unicode)).toBe(
      '✖ model failed: boom',
    )
  })
})

describe('formatSummary', () => {
  test('table in finishing order with durations, then totals', () => {
    expect(
      formatSummary(
        summary,
        unicode,
        new Map([
          ['raw', 12],
          ['features', 1520],
          ['model', 230],
        ]),
      ),
    ).toMatchSnapshot()
  })

  test('success and nothing to do', () => {
    expect(
      formatTotals(
        { runId: 'r2', status: 'success', durationMs: 8, materialized: [], skipped: [], failed: [] },
        unicode,
      ),
    ).toMatchInlineSnapshot(`"Run r2 success in 8ms: nothing to do, every selected asset is fresh."`)
    expect(formatTotals({ ...summary, status: 'cancelled', durationMs: 65_000 }, unicode)).toMatchInlineSnapshot(
      `"Run r1 cancelled in 1m 05s: 2 materialized, 2 skipped, 1 failed."`,
    )
  })
})

test('errorText drops the wrapper that repeats the key and run', () => {
  expect(errorText('model', 'asset "model" failed in run r1: Error: x')).toBe('Error: x')
  expect(errorText('model', 'asset "model" failed: x')).toBe('x')
  expect(errorText('model', 'Error: x')).toBe('Error: x')
})
