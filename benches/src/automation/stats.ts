/**
 * Drift statistics (issue 14, target: KS on 2 × 100k samples ≤ 20 ms): `ksTest` and `cvmTest` on two
 * seeded normal samples of 100k values each (the second shifted by 0.01σ, a drift KS can just see),
 * `mmdTest` on 2 × 2k points (4k pooled, the most the test uses) for the statistic alone (median
 * heuristic + one pass over the pairs), and with 200 permutations on 2 × 1k and 2 × 2k. Inputs are plain `number[]`, as a
 * drift condition reads a column: the copy into typed arrays is part of the time.
 *
 * `npm run bench` runs it as rows of scenario `drift-stats`; alone:
 * `node --expose-gc --import tsx benches/src/automation/stats.ts` prints the figures.
 */
import { pathToFileURL } from 'node:url'

// The statistics are not exported by the package yet (the automation API exports them): the source.
import { cvmTest, ksTest, mmdTest } from '../../../packages/rivers/src/automation/stats.js'
import { measure } from '../harness.js'
import type { Row } from '../results.js'
import type { RunCtx } from '../scenarios/common.js'
import { formatNs } from '../stats.js'

/** The target for KS on 2 × 100k samples. */
export const KS_TARGET_MS = 20

function normals(n: number, seed: number, shift: number): number[] {
  let s = seed
  const rnd = () => {
    s = (s * 16807) % 2147483647
    return s / 2147483647
  }
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd()) + shift)
}

/** Appends one row per test to `ctx.rows` (scenario `drift-stats`, n = values per sample). */
export function driftStatsScenario(ctx: Pick<RunCtx, 'rows' | 'log'>): Row[] {
  const a = normals(100_000, 14, 0)
  const b = normals(100_000, 41, 0.01)
  const rows: Row[] = []
  const row = (variant: string, n: number, m: ReturnType<typeof measure>, extra: Row['extra']): void => {
    const r: Row = {
      scenario: 'drift-stats',
      variant,
      shape: 'normal samples',
      order: 'topo',
      n,
      impl: 'rivers',
      stats: m.stats,
      work: { nodes: 2 * n, edges: 0 },
      extra,
    }
    rows.push(r)
    ctx.rows.push(r)
    ctx.log(`    drift-stats ${variant}: p50 ${formatNs(m.stats.p50)} (min ${formatNs(m.stats.min)})`)
  }
  let ks = ksTest(a, b)
  const ksM = measure(
    () => {
      ks = ksTest(a, b)
    },
    { warmup: 3, minSamples: 15, maxSamples: 100, budgetMs: 3000 },
  )
  row('ks 2 × 100k', 100_000, ksM, {
    statistic: ks.statistic,
    pValue: ks.pValue,
    targetMs: KS_TARGET_MS,
    met: ksM.stats.p50 / 1e6 <= KS_TARGET_MS,
  })
  let cvm = cvmTest(a, b)
  const cvmM = measure(
    () => {
      cvm = cvmTest(a, b)
    },
    { warmup: 3, minSamples: 15, maxSamples: 100, budgetMs: 3000 },
  )
  row('cvm 2 × 100k', 100_000, cvmM, { statistic: cvm.statistic, pValue: cvm.pValue })
  for (const [n, permutations] of [
    [2000, 0],
    [1000, 200],
    [2000, 200],
  ] as const) {
    const x = a.slice(0, n)
    const y = b.slice(0, n).map((v) => v + 0.2)
    let mmd = mmdTest(x, y, { permutations })
    const m = measure(
      () => {
        mmd = mmdTest(x, y, { permutations })
      },
      { warmup: 1, minSamples: 3, maxSamples: 10, budgetMs: 5000 },
    )
    const what = permutations === 0 ? 'statistic only' : `${permutations} permutations`
    row(`mmd 2 × ${n / 1000}k, ${what}`, n, m, {
      statistic: mmd.statistic,
      pValue: mmd.pValue,
      bandwidth: mmd.bandwidth,
    })
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = driftStatsScenario({ rows: [], log: (m) => console.error(m) })
  for (const r of rows)
    console.log(
      `${r.variant}: p50 ${formatNs(r.stats.p50)}, min ${formatNs(r.stats.min)}, max ${formatNs(r.stats.max)}, ${r.stats.samples} samples`,
    )
}
