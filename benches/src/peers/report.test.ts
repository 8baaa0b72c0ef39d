import { describe, expect, it } from 'vitest'
import type { MachineInfo } from '../machine.js'
import { peerRatio, renderPeers, type PeersReport } from './report.js'

const machine: MachineInfo = {
  cpuModel: 'test CPU',
  cores: 2,
  memoryBytes: 1,
  node: 'v20',
  v8: '11',
  rust: null,
  gitCommit: '0123456789abcdef',
  gitDirty: false,
  loadStart: [1, 1, 1],
  loadEnd: [2, 2, 2],
} as MachineInfo

function report(): PeersReport {
  const rivers = {
    load_s: 0.05,
    materialize_s: 2,
    materialized: 850,
    status_s: 0.01,
    stale: 3,
    rerun_s: 0.02,
    rerun_materialized: 3,
  }
  return {
    startedAt: '2026-12-05T00:00:00Z',
    durationS: 100,
    machine,
    dagster: '1.13.0',
    python: '3.11.7',
    venvSetupS: 0,
    rows: [
      {
        n: 1000,
        edges: 2000,
        changedKey: 'd000/raw_orders_0',
        cap: 1000,
        rivers,
        dagster: {
          load_s: 0.5,
          materialize_s: 400,
          materialized: 850,
          observe_one_s: 1,
          status_s: 9,
          stale: 40,
          rerun_s: 20,
          rerun_materialized: 40,
        },
      },
      {
        n: 10_000,
        edges: 20_000,
        changedKey: 'd000/raw_orders_0',
        cap: 1000,
        rivers: { ...rivers, load_s: 0.4 },
        dagster: { load_s: 6, observe_one_s: 1, rerun_s: 30, rerun_materialized: 50 },
      },
    ],
  }
}

describe('peers report', () => {
  it('puts Dagster ÷ Rivers beside each phase', () => {
    expect(peerRatio(0.01, 1.2)).toBe('120×')
    expect(peerRatio(2, 3)).toBe('1.50×')
    expect(peerRatio(undefined, 3)).toBe('–')
    const md = renderPeers(report())
    expect(md).toContain('Dagster 1.13.0 on Python 3.11.7')
    expect(md).toContain('| definition load + graph build | 50.0 ms | 500 ms | 10.0× |')
    // Status: Dagster's observe of the source + the stale status of every asset.
    expect(md).toContain('| status after one source change (d000/raw_orders_0) | 10.0 ms | 10.0 s | 1000× |')
  })

  it('says where Dagster was not asked to materialize everything', () => {
    const md = renderPeers(report())
    const tenK = md.slice(md.indexOf('## 10,000 assets'))
    expect(tenK).toContain('| materialize everything | 2.00 s | not run: Dagster materializes about 2 assets a second')
    expect(tenK).toContain('| definition load + graph build | 400 ms | 6.00 s | 15.0× |')
  })
})
