import { describe, expect, it } from 'vitest'

import { metricSeries, timelineOf } from './api.js'

const record = (runId: string, metrics: { name: string; value: number; step?: number }[]) => ({
  runId,
  at: `2026-12-06T00:00:0${runId.slice(1)}.000Z`,
  kind: 'materialization' as const,
  dataVersion: 'd',
  codeVersion: 'c',
  configHash: 'h',
  inputs: [],
  metadata: {},
  metrics,
  checks: [],
})

describe('metricSeries', () => {
  it("takes one value per run (its last step's), oldest first, and the newest run's step curve", () => {
    const history = [
      record('r2', [
        { name: 'loss', value: 0.5, step: 0 },
        { name: 'loss', value: 0.1, step: 1 },
        { name: 'auc', value: 0.9 },
      ]),
      record('r1', [
        { name: 'loss', value: 0.7, step: 0 },
        { name: 'loss', value: 0.3, step: 1 },
      ]),
    ]
    const { metrics, steps } = metricSeries(history)
    expect(metrics.loss!.map((p) => [p.runId, p.value])).toEqual([
      ['r1', 0.3],
      ['r2', 0.1],
    ])
    expect(metrics.auc!.map((p) => p.value)).toEqual([0.9])
    expect(steps).toEqual({
      loss: {
        runId: 'r2',
        points: [
          { step: 0, value: 0.5 },
          { step: 1, value: 0.1 },
        ],
      },
    })
  })
})

describe('timelineOf', () => {
  it("spans each asset's first to last log line, failed when it logged an error", () => {
    const bars = timelineOf([
      { level: 30, time: '2026-12-06T00:00:00.000Z', msg: 'run started' },
      { level: 30, time: '2026-12-06T00:00:01.000Z', asset: 'raw' },
      { level: 30, time: '2026-12-06T00:00:03.000Z', asset: 'raw' },
      { level: 50, time: '2026-12-06T00:00:04.000Z', asset: 'model' },
    ])
    expect(bars).toEqual([
      {
        key: 'raw',
        start: Date.parse('2026-12-06T00:00:01.000Z'),
        end: Date.parse('2026-12-06T00:00:03.000Z'),
        status: 'materialized',
      },
      {
        key: 'model',
        start: Date.parse('2026-12-06T00:00:04.000Z'),
        end: Date.parse('2026-12-06T00:00:04.000Z'),
        status: 'failed',
      },
    ])
  })
})
