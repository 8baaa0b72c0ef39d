import { BUILT_STATUS } from '../scenarios/e2e.js'
import { describe, expect, it } from 'vitest'
import type { Row } from '../results.js'
import { EXECUTOR_VARIANT } from '../scenarios/e2eExecutor.js'
import { START_VARIANTS } from '../scenarios/e2eStart.js'
import { summarize } from '../stats.js'
import { evaluateIssue12Targets } from './targets12.js'

function e2e(variant: string, p50Ns: number, extra: Row['extra'] = {}, n = 100_000): Row {
  return {
    scenario: 'e2e-status',
    variant,
    shape: 'dbt',
    order: 'topo',
    n,
    impl: 'rivers',
    stats: summarize([p50Ns]),
    work: { nodes: n, edges: 0 },
    extra,
  }
}

function exec(shape: string, n: number, perAssetMs: number, capped = false): Row {
  const materialized = capped ? n / 4 : n
  return {
    scenario: 'e2e-materialize',
    variant: EXECUTOR_VARIANT,
    shape,
    order: 'topo',
    n,
    impl: 'rivers',
    stats: summarize([perAssetMs * materialized * 1e6]),
    work: { nodes: n, edges: 0 },
    extra: { materialized, perAssetMs, capped, capS: 60 },
  }
}

const byId = (rows: Row[]) => new Map(evaluateIssue12Targets(rows).map((t) => [t.id, t]))

describe('issue 12 targets', () => {
  it('says NOT MEASURED for every row the run did not make', () => {
    expect([...byId([]).values()].map((t) => t.verdict)).toEqual(Array(6).fill('NOT MEASURED'))
  })

  it('judges status, definitions, open and start-up, naming the phases of a missed status', () => {
    const split = { importMs: 90, defineMs: 400, definePerAssetUs: 4, openMs: 300, reloadMs: 120 }
    const rows = [
      e2e('CLI start-up only (assets --version)', 0.12e9),
      e2e('CLI, populated store (everything fresh)', 1.4e9, { fresh: 100_000 }),
      e2e('fresh process: node -e "await import(…)"', 0.2e9),
      e2e('fresh process: define (asset() + defineProject) + open + reload', 0.7e9, split),
    ]
    const t = byId(rows)
    expect(t.get('12-status')?.verdict).toBe('MISS')
    expect(t.get('12-status')?.note).toContain('definitions 400 ms')
    expect(t.get('12-status')?.note).toContain('workspace open 300 ms')
    expect(t.get('12-define')?.verdict).toBe('PASS')
    expect(t.get('12-open')?.verdict).toBe('MISS')
    expect(t.get('12-open')?.note).toContain('store read + records load 120 ms')
    expect(t.get('12-start')?.verdict).toBe('NOT MEASURED') // no built-JS rows: the tsx rows are not judged
    rows[1] = e2e('CLI, populated store (everything fresh)', 0.45e9)
    expect(byId(rows).get('12-status')).toMatchObject({ verdict: 'PASS' })
    expect(byId(rows).get('12-status')?.measured).toContain('moonshot 0.5 s met')
  })

  it('judges status on the built CLI when the run made that row, showing the checkout run beside it', () => {
    const rows = [
      e2e('CLI, populated store (everything fresh)', 0.9e9),
      e2e(BUILT_STATUS, 1.2e9, { fresh: 100_000 }),
      e2e(START_VARIANTS.versionBuilt, 0.1e9),
    ]
    const t = byId(rows).get('12-status')
    expect(t?.verdict).toBe('MISS')
    expect(t?.measured).toMatch(/^1\.20 s p50 \(CLI process wall time, built JS/)
    expect(t?.measured).toContain('in the checkout (tsx, not judged) 900 ms p50')
    expect(t?.note).toContain('CLI start-up (assets --version, built JS) 100 ms')
  })

  it('judges start-up on the built JavaScript, the slower of --version and the import; tsx rows shown only', () => {
    const rows = [
      e2e(START_VARIANTS.node, 0.04e9),
      e2e(START_VARIANTS.versionTsx, 0.35e9),
      e2e(START_VARIANTS.importTsx, 0.6e9),
      e2e(START_VARIANTS.versionBuilt, 0.06e9),
      e2e(START_VARIANTS.importBuilt, 0.14e9),
      e2e(START_VARIANTS.statusBuilt, 0.3e9),
    ]
    const pass = byId(rows).get('12-start')
    expect(pass?.verdict).toBe('PASS')
    expect(pass?.measured).toContain('`assets --version` 60.0 ms p50')
    expect(pass?.measured).toContain('of a 1-asset project 300 ms p50')
    expect(pass?.measured).toContain('not judged): --version 350 ms p50, import 600 ms p50')
    rows[4] = e2e(START_VARIANTS.importBuilt, 0.16e9)
    const miss = byId(rows).get('12-start')
    expect(miss?.verdict).toBe('MISS')
    expect(miss?.note).toContain('(`node -e 0`) is 40.0 ms of each')
    expect(byId(rows.slice(0, 4)).get('12-start')?.verdict).toBe('NOT MEASURED')
  })

  it('judges the executor at 10k and 100k per shape: the limit, the growth and a capped run', () => {
    const ok = byId([exec('dbt', 10_000, 0.2), exec('dbt', 100_000, 0.23)]).get('12-executor-dbt')
    expect(ok?.verdict).toBe('PASS')
    const growth = byId([exec('hub', 10_000, 0.1), exec('hub', 100_000, 0.25)]).get('12-executor-hub')
    expect(growth?.verdict).toBe('MISS')
    expect(growth?.note).toContain('100k costs 2.50× 10k per asset')
    const capped = byId([exec('dbt', 10_000, 0.2), exec('dbt', 100_000, 0.22, true)]).get('12-executor-dbt')
    expect(capped?.verdict).toBe('MISS')
    expect(capped?.measured).toContain('capped: cancelled after 60 s')
    expect(byId([exec('hub', 10_000, 0.1)]).get('12-executor-hub')?.verdict).toBe('NOT MEASURED')
    // dbt at 10k may come from the issue-4 materialize row.
    const issue4 = { ...exec('dbt', 10_000, 0.2), variant: 'executor: the run itself (summary durationMs)' }
    expect(byId([issue4, exec('dbt', 100_000, 0.21)]).get('12-executor-dbt')?.verdict).toBe('PASS')
  })
})
