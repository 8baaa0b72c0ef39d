/**
 * The targets of issue 4, each judged against the rows of a run. A target on the dbt-like graph is
 * judged on the worse of the two id orders; the worst other shape is named beside it. A target whose
 * size was not run (1M in quick mode) is `NOT MEASURED`, never a pass.
 */
import type { MemoryRow, Row, ScenarioId, TargetResult } from '../results.js'
import { formatBytes, formatCount, formatNs } from '../stats.js'

const find = (rows: readonly Row[], scenario: ScenarioId, pred: (r: Row) => boolean = () => true): Row[] =>
  rows.filter((r) => r.scenario === scenario && pred(r))

/** The row with the highest value of `key` (the worse one), if any. */
function worst(rows: readonly Row[], key: (r: Row) => number): Row | undefined {
  let best: Row | undefined
  for (const r of rows) if (!best || key(r) > key(best)) best = r
  return best
}

function where(r: Row): string {
  return `${r.shape} ${formatCount(r.n, true)}, ${r.order} ids`
}

/** A time target: `scenario` on dbt at `n`, `stat` ≤ `limitNs`. */
function timeTarget(
  rows: readonly Row[],
  id: string,
  scenario: ScenarioId,
  n: number,
  stat: 'p50' | 'p99',
  limitNs: number,
  label: string,
): TargetResult {
  const target = `${label} ≤ ${formatNs(limitNs)} ${stat}`
  const mine = find(rows, scenario, (r) => r.impl === 'rivers' && r.variant === undefined && r.n === n)
  const dbt = worst(
    mine.filter((r) => r.shape === 'dbt'),
    (r) => r.stats[stat],
  )
  if (!dbt) return { id, target, measured: `not run at ${formatCount(n, true)} in this mode`, verdict: 'NOT MEASURED' }
  const value = dbt.stats[stat]
  let measured = `${formatNs(value)} ${stat} (${where(dbt)}${dbt.work.cone !== undefined ? `, cone ${formatCount(dbt.work.cone)}` : ''}; ${dbt.stats.samples} samples)`
  const other = worst(
    mine.filter((r) => r.shape !== 'dbt'),
    (r) => r.stats[stat],
  )
  if (other && other.stats[stat] > limitNs)
    measured += `; worst other shape: ${formatNs(other.stats[stat])} (${where(other)})`
  return { id, target, measured, verdict: value <= limitNs ? 'PASS' : 'MISS' }
}

/**
 * Judges every target of issue 4.
 * @example evaluateTargets(report.rows, report.memory).filter((t) => t.verdict === 'MISS')
 */
export function evaluateTargets(rows: readonly Row[], memory: readonly MemoryRow[]): TargetResult[] {
  const out: TargetResult[] = []
  out.push(
    timeTarget(
      rows,
      'replan-source-p50',
      'replan-source',
      100_000,
      'p50',
      50e3,
      'Re-plan after 1 changed source (dbt 100k, binding call included)',
    ),
  )
  out.push(
    timeTarget(
      rows,
      'replan-source-p99',
      'replan-source',
      100_000,
      'p99',
      200e3,
      'Re-plan after 1 changed source (dbt 100k, binding call included)',
    ),
  )

  // Per affected-cone asset: the largest cone of each swept shape (fixed costs amortised).
  const cones = find(rows, 'cone', (r) => r.impl === 'rivers' && (r.work.cone ?? 0) >= 10_000)
  const largest = new Map<string, Row>()
  for (const r of cones) {
    const k = `${r.shape}/${r.n}`
    const cur = largest.get(k)
    if (!cur || (r.work.cone ?? 0) > (cur.work.cone ?? 0)) largest.set(k, r)
  }
  const perCone = worst([...largest.values()], (r) => r.perConeNs ?? 0)
  if (perCone) {
    const v = perCone.perConeNs ?? Number.NaN
    const all = [...largest.values()]
      .map((r) => `${r.shape} ${formatCount(r.n, true)}: ${(r.perConeNs ?? 0).toFixed(0)} ns`)
      .join(', ')
    out.push({
      id: 'per-cone',
      target: 'Re-plan cost per affected-cone asset ≤ 150 ns',
      measured: `${v.toFixed(0)} ns per cone asset at a cone of ${formatCount(perCone.work.cone ?? 0)} (${perCone.shape} ${formatCount(perCone.n, true)}; p50 ${formatNs(perCone.stats.p50)}). Largest cone per graph: ${all}`,
      verdict: v <= 150 ? 'PASS' : 'MISS',
    })
  } else
    out.push({
      id: 'per-cone',
      target: 'Re-plan cost per affected-cone asset ≤ 150 ns',
      measured: 'no cone of 10k+ assets in this run',
      verdict: 'NOT MEASURED',
    })

  out.push(timeTarget(rows, 'warm-100k', 'warm', 100_000, 'p50', 3e6, 'Warm full status + plan at 100k'))
  out.push(timeTarget(rows, 'warm-1m', 'warm', 1_000_000, 'p50', 30e6, 'Warm full status + plan at 1M'))
  out.push(timeTarget(rows, 'cold-100k', 'cold', 100_000, 'p50', 20e6, 'Cold first plan at 100k'))
  out.push(timeTarget(rows, 'cold-1m', 'cold', 1_000_000, 'p50', 250e6, 'Cold first plan at 1M'))
  out.push(timeTarget(rows, 'build-100k', 'build', 100_000, 'p50', 50e6, 'Build from JS keys at 100k'))
  out.push(timeTarget(rows, 'build-1m', 'build', 1_000_000, 'p50', 600e6, 'Build from JS keys at 1M (issues 4 and 12)'))

  // Memory: the largest dbt graph measured, worse order.
  const maxN = Math.max(0, ...memory.filter((m) => m.shape === 'dbt').map((m) => m.n))
  const mem = memory
    .filter((m) => m.shape === 'dbt' && m.n === maxN)
    .sort((a, b) => b.heapBytes / b.budgetBytes - a.heapBytes / a.budgetBytes)[0]
  if (mem) {
    const ratio = mem.heapBytes / mem.budgetBytes
    const worstOther = [...memory]
      .filter((m) => m.shape !== 'dbt')
      .sort((a, b) => b.heapBytes / b.budgetBytes - a.heapBytes / a.budgetBytes)[0]
    let measured = `${(mem.heapBytes / mem.n).toFixed(1)} B per asset = ${formatBytes(mem.heapBytes)} for ${formatCount(mem.n)} assets and ${formatCount(mem.edges)} edges; budget ${formatBytes(mem.budgetBytes)} → ${(100 * ratio).toFixed(1)}% of budget (dbt, ${mem.order} ids)`
    if (mem.rssDeltaBytes !== undefined) measured += `; process RSS grew ${formatBytes(mem.rssDeltaBytes)}`
    if (worstOther)
      measured += `; worst other shape: ${worstOther.shape} ${formatCount(worstOther.n, true)} at ${((100 * worstOther.heapBytes) / worstOther.budgetBytes).toFixed(1)}%`
    out.push({
      id: 'memory',
      target:
        'Native memory ≤ 128 B per asset + 8 B per edge (graph + state + labels, every record loaded; issues 4 and 12)',
      measured,
      verdict: ratio <= 1 ? 'PASS' : 'MISS',
    })
  } else
    out.push({
      id: 'memory',
      target: 'Native memory ≤ 128 B per asset + 8 B per edge',
      measured: 'not measured',
      verdict: 'NOT MEASURED',
    })

  const status = find(rows, 'e2e-status', (r) => r.variant?.startsWith('CLI, populated') ?? false)[0]
  if (status)
    out.push({
      id: 'e2e-status',
      target: '`assets status` end to end on 100k assets ≤ 1.5 s',
      measured: `${formatNs(status.stats.p50)} p50 (CLI process, populated store, ${formatCount(status.n)} assets; ${status.stats.samples} samples)`,
      verdict: status.stats.p50 <= 1.5e9 ? 'PASS' : 'MISS',
    })
  else
    out.push({
      id: 'e2e-status',
      target: '`assets status` end to end on 100k assets ≤ 1.5 s',
      measured: 'not measured',
      verdict: 'NOT MEASURED',
    })

  const exec = find(rows, 'e2e-materialize', (r) => r.variant?.startsWith('executor') ?? false)[0]
  const per = Number(exec?.extra?.perAssetMs)
  if (exec && Number.isFinite(per))
    out.push({
      id: 'executor',
      target: 'Executor overhead ≤ 1 ms per trivial asset',
      measured: `${per.toFixed(3)} ms per asset (${formatCount(Number(exec.extra?.materialized))} assets materialized in ${formatNs(exec.stats.p50)}, store writes and output files included)`,
      verdict: per <= 1 ? 'PASS' : 'MISS',
    })
  else
    out.push({
      id: 'executor',
      target: 'Executor overhead ≤ 1 ms per trivial asset',
      measured: 'not measured',
      verdict: 'NOT MEASURED',
    })
  return out
}

/** `variant: p50` of the phase rows of dbt at `n` (shuffled ids). */
function phaseList(rows: readonly Row[], n: number): string {
  return find(rows, 'phases', (r) => r.shape === 'dbt' && r.n === n && r.order === 'shuffled')
    .map((r) => `${r.variant} ${formatNs(r.stats.p50)}`)
    .join('; ')
}

/**
 * Adds to each missed target what the run says limits it (phase timings, the end-to-end split).
 * @example annotate(evaluateTargets(rows, memory), rows, memory)
 */
export function annotate(targets: TargetResult[], rows: readonly Row[], memory: readonly MemoryRow[]): TargetResult[] {
  return targets.map((t) => {
    if (t.verdict !== 'MISS') return t
    const n = t.id.endsWith('1m') ? 1_000_000 : 100_000
    if (t.id.startsWith('build') || t.id.startsWith('cold')) {
      const phases = phaseList(rows, n)
      return phases ? { ...t, note: `Phases at ${formatCount(n, true)} (dbt, shuffled ids, p50): ${phases}.` } : t
    }
    if (t.id === 'e2e-status') {
      const split = find(rows, 'e2e-status', (r) => r.variant?.startsWith('in process') ?? false)[0]
      const start = find(rows, 'e2e-status', (r) => r.variant?.startsWith('CLI start-up') ?? false)[0]
      const e = split?.extra ?? {}
      const ms = (k: string): string => `${Number(e[k]).toFixed(0)} ms`
      const parts = split
        ? `definitions (100k asset() + defineProject) ${ms('defineMs')}, workspace open ${ms('openMs')} (of which store read + records load ${ms('of open: store read + records load (reload)')}), observing every source ${ms('observeMs')}, status report ${ms('statusMs')}, JSON ${ms('jsonMs')}`
        : ''
      return { ...t, note: `In process: ${parts}${start ? `; CLI start-up alone ${formatNs(start.stats.p50)}` : ''}.` }
    }
    if (t.id === 'memory') {
      const m = memory.filter((r) => r.shape === 'dbt').sort((a, b) => b.n - a.n)[0]
      if (m)
        return {
          ...t,
          note: `${((m.heapBytes - m.budgetBytes) / m.n).toFixed(1)} B per asset over the budget of ${(m.budgetBytes / m.n).toFixed(1)} B per asset (128 + 8 × ${(m.edges / m.n).toFixed(2)} edges per asset).`,
        }
    }
    return t
  })
}
