import type { StatusReport } from '@rivers-orchestrator/rivers'
import { describe, expect, test } from 'vitest'
import { explain, formatStatus } from './status.js'
import { makeStyle } from './style.js'

const plain = makeStyle({ color: false, unicode: true })
const ascii = makeStyle({ color: false, unicode: false })

const report: StatusReport = {
  assets: [
    {
      key: 'raw',
      status: 'stale',
      planned: true,
      causes: [{ kind: 'code_changed', message: 'raw has a new code version' }],
      rootCauses: [{ key: 'raw', kind: 'code_changed', message: 'raw has a new code version' }],
      last: { runId: 'r1', at: '2026-11-26T12:00:00.000Z', dataVersion: 'aa' },
    },
    {
      key: 'features',
      status: 'stale',
      planned: true,
      causes: [
        { kind: 'upstream_data_changed', dep: 'raw', message: 'raw has a new data version' },
        { kind: 'config_changed', message: 'features has a new config' },
      ],
      rootCauses: [
        { key: 'raw', kind: 'code_changed', message: 'raw has a new code version' },
        { key: 'features', kind: 'config_changed', message: 'features has a new config' },
      ],
      last: { runId: 'r1', at: '2026-11-26T12:00:00.000Z', dataVersion: 'bb' },
    },
    {
      key: 'orders',
      status: 'fresh',
      planned: false,
      causes: [],
      rootCauses: [],
      source: true,
      last: { runId: 'r1', at: '2026-11-26T12:00:00.000Z', dataVersion: 'cc' },
    },
    { key: 'model', status: 'missing', planned: true, causes: [], rootCauses: [] },
    {
      key: 'report',
      status: 'fresh',
      planned: true,
      causes: [],
      rootCauses: [],
      last: { runId: 'r1', at: '2026-11-26T12:00:00.000Z', dataVersion: 'dd' },
    },
    {
      key: 'joined',
      status: 'stale',
      planned: true,
      causes: [
        { kind: 'dep_added', dep: 'orders', message: 'joined now depends on orders' },
        { kind: 'dep_removed', dep: 'legacy', message: 'joined no longer depends on legacy' },
      ],
      rootCauses: [{ key: 'orders', kind: 'source_changed', message: 'orders observed a new version' }],
    },
  ],
}

describe('formatStatus', () => {
  test('table, explanations with root causes, and totals', () => {
    expect(formatStatus(report, plain)).toMatchSnapshot()
  })

  test('ASCII symbols when colour is off', () => {
    expect(formatStatus(report, ascii)).toMatchSnapshot()
  })

  test('everything fresh', () => {
    const fresh: StatusReport = {
      assets: [{ key: 'raw', status: 'fresh', planned: false, causes: [], rootCauses: [] }],
    }
    expect(formatStatus(fresh, plain)).toMatchSnapshot()
  })

  test('colours only when asked for', () => {
    expect(formatStatus(report, makeStyle({ color: true, unicode: true }))).toContain('\u001b[33mstale\u001b[39m')
    expect(formatStatus(report, plain)).not.toContain('\u001b[')
  })
})

describe('explain', () => {
  test('names the upstream change and its root cause', () => {
    const entry = {
      key: 'features',
      status: 'stale' as const,
      planned: true,
      causes: [{ kind: 'upstream_data_changed' as const, dep: 'raw', message: 'raw has a new data version' }],
      rootCauses: [{ key: 'raw', kind: 'code_changed' as const, message: 'raw has a new code version' }],
    }
    expect(explain(entry, plain)).toBe('features is stale: raw has a new data version (root cause: raw code changed)')
  })

  test('leaves out a root cause that only repeats the asset’s own cause', () => {
    expect(explain(report.assets[0]!, plain)).toBe('raw is stale: raw has a new code version')
  })
})
