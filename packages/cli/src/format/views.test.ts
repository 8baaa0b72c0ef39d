import type { AssetDetail, AssetInfo, LineageView, RunInfo } from '@rivers-orchestrator/rivers'
import { describe, expect, test } from 'vitest'
import { toDot, toMermaid } from './graph.js'
import { formatList } from './list.js'
import { formatRuns } from './runs.js'
import { formatShow } from './show.js'
import { makeStyle } from './style.js'

const plain = makeStyle({ color: false, unicode: true })

const raw: AssetInfo = {
  key: 'raw/orders',
  deps: [],
  isSource: true,
  tags: {},
  kinds: [],
  owners: [],
  description: 'orders export',
}
const features: AssetInfo = {
  key: 'features',
  deps: ['raw/orders'],
  isSource: false,
  group: 'ml',
  tags: { pii: true, tier: 'gold' },
  kinds: ['pandas'],
  owners: ['team:ml'],
}
const odd: AssetInfo = { key: 'a"b', deps: ['features'], isSource: false, tags: {}, kinds: [], owners: [] }

describe('graph', () => {
  const view: LineageView = {
    nodes: [raw, features, odd],
    edges: [
      ['raw/orders', 'features'],
      ['features', 'a"b'],
      ['outside', 'features'],
    ],
  }

  test('mermaid: ids for nodes, keys as quoted labels, sources as cylinders', () => {
    expect(toMermaid(view)).toMatchInlineSnapshot(`
      "flowchart LR
        n0[("raw/orders")]
        n1["features"]
        n2["a#34;b"]
        n0 --> n1
        n1 --> n2"
    `)
  })

  test('dot: quoted ids with escapes', () => {
    expect(toDot(view)).toMatchInlineSnapshot(`
      "digraph assets {
        rankdir=LR;
        node [shape=box];
        "raw/orders" [shape=cylinder];
        "features";
        "a\\"b";
        "raw/orders" -> "features";
        "features" -> "a\\"b";
        "outside" -> "features";
      }"
    `)
  })
})

test('list drops empty columns', () => {
  expect(formatList([raw, features], plain)).toMatchSnapshot()
})

describe('runs', () => {
  const runs: RunInfo[] = [
    {
      runId: 'r3',
      status: 'failed',
      startedAt: '2026-11-26T12:10:00.000Z',
      finishedAt: '2026-11-26T12:10:02.500Z',
      selection: ['+model'],
      materialized: 2,
      failed: 1,
      skipped: 1,
      metric: 0.87,
    },
    {
      runId: 'r2',
      status: 'success',
      startedAt: '2026-11-26T12:05:00.000Z',
      finishedAt: '2026-11-26T12:05:00.040Z',
      selection: ['*'],
      materialized: 0,
      failed: 0,
      skipped: 0,
      metric: 0.91,
    },
    {
      runId: 'r1',
      status: 'running',
      startedAt: '2026-11-26T12:00:00.000Z',
      selection: ['*'],
      materialized: 3,
      failed: 0,
      skipped: 0,
    },
    {
      runId: 'r0',
      status: 'failed',
      startedAt: '2026-11-26T11:00:00.000Z',
      finishedAt: '2026-11-26T11:59:00.000Z',
      selection: ['*'],
      materialized: 1,
      failed: 0,
      skipped: 0,
      interrupted: true,
    },
  ]

  test('table', () => {
    expect(
      formatRuns(
        runs.map(({ metric: _, ...r }) => r),
        plain,
      ),
    ).toMatchSnapshot()
  })

  test('a metric across runs', () => {
    expect(formatRuns(runs, plain, { asset: 'model', metric: 'accuracy' })).toMatchSnapshot()
  })

  test('no runs', () => {
    expect(formatRuns([], plain)).toBe('No runs yet. Run `assets materialize` to start one.')
  })
})

test('show: definition, status, failed attempts (with where they failed), history with config, inputs, metadata, metrics and checks', () => {
  const detail: AssetDetail = {
    info: features,
    status: {
      key: 'features',
      status: 'stale',
      planned: true,
      causes: [{ kind: 'upstream_data_changed', dep: 'raw/orders', message: 'raw/orders has a new data version' }],
      rootCauses: [{ key: 'raw/orders', kind: 'source_changed', message: 'raw/orders observed a new version' }],
    },
    pins: [],
    history: [
      {
        runId: 'r2',
        at: '2026-11-26T12:05:00.000Z',
        kind: 'materialization',
        dataVersion: '0123456789abcdef0123456789abcdef',
        codeVersion: 'fedcba9876543210fedcba9876543210',
        configHash: '00112233445566778899aabbccddeeff',
        durationMs: 1520,
        storagePath: 'features.json',
        config: { window: 7, token: '[redacted]' },
        inputs: [{ key: 'raw/orders', dataVersion: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }],
        metadata: { rows: 1200, columns: ['a', 'b'] },
        metrics: [
          { name: 'loss', value: 0.9, step: 0 },
          { name: 'loss', value: 0.4, step: 1 },
          { name: 'loss', value: 0.2512345678, step: 2 },
          { name: 'accuracy', value: 0.91 },
        ],
        checks: [
          { name: 'non_empty', passed: true, blocking: true },
          { name: 'no_nulls', passed: false, blocking: false, message: '2 nulls' },
        ],
      },
    ],
    failures: [
      {
        runId: 'r3',
        at: '2026-11-26T12:10:02.000Z',
        attempt: 2,
        of: 2,
        error: 'asset "features" timed out after 500 ms (its `timeout`)',
        willRetry: false,
      },
      {
        runId: 'r3',
        at: '2026-11-26T12:10:01.000Z',
        attempt: 1,
        of: 2,
        error: 'ECONNRESET',
        location: 'src/features.ts:41:11',
        willRetry: true,
      },
    ],
  }
  expect(formatShow(detail, plain)).toMatchSnapshot()
})

test('show: pins, a pinned record and a record whose artifact gc collected', () => {
  const record = (runId: string, extra: Partial<AssetDetail['history'][number]>): AssetDetail['history'][number] => ({
    runId,
    at: '2026-11-26T12:05:00.000Z',
    kind: 'materialization',
    dataVersion: '0123456789abcdef0123456789abcdef',
    codeVersion: 'fedcba9876543210fedcba9876543210',
    configHash: '00112233445566778899aabbccddeeff',
    storagePath: `model/@${runId}.json`,
    inputs: [],
    metadata: {},
    metrics: [],
    checks: [],
    ...extra,
  })
  const detail: AssetDetail = {
    info: { ...features, key: 'model' },
    status: { key: 'model', status: 'fresh', planned: false, causes: [], rootCauses: [] },
    pins: [
      {
        runId: 'r2',
        at: '2026-11-26T12:05:00.000Z',
        note: 'registered as churn v3',
        pinnedAt: '2026-11-27T09:00:00.000Z',
      },
    ],
    history: [
      record('r3', {}),
      record('r2', { pin: { note: 'registered as churn v3', pinnedAt: '2026-11-27T09:00:00.000Z' } }),
      record('r1', { collectedAt: '2026-11-28T09:00:00.000Z' }),
    ],
    failures: [],
  }
  expect(formatShow(detail, plain)).toMatchSnapshot()
})
