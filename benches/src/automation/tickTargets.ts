/**
 * The automation targets of issue 14, judged on the `automation-tick` rows of `tick.ts`: one tick
 * over 100k assets with 100 that changed (≤ 10 ms p50, ≤ 5 store queries), one tick with nothing
 * changed (≤ 1 ms p50); and on the `automation-latency` row of `latency.ts`: from an upstream
 * materialization to the eager downstream run starting, p95 ≤ 1 s. A row the run did not make is
 * `NOT MEASURED`.
 *
 * @example
 * const targets = evaluateTickTargets(report.rows)
 */
import type { Row, TargetResult } from '../results.js'
import { formatCount, formatNs } from '../stats.js'
import { LATENCY_TARGET_MS, LATENCY_VARIANT } from './latency.js'
import { TICK_CHANGED, TICK_IDLE } from './tick.js'

const find = (rows: readonly Row[], variant: string): Row | undefined =>
  rows.find((r) => r.scenario === 'automation-tick' && r.variant === variant && r.n === 100_000)

function describe(r: Row): string {
  const e = r.extra ?? {}
  return `${formatNs(r.stats.p50)} p50 (p99 ${formatNs(r.stats.p99)}), ${e.storeQueries} store calls, ${e.requested} requested; ${formatCount(r.n)} eager assets, ${r.stats.samples} samples${e.dryRun ? ', dry-run ticks' : ''}`
}

/** Milliseconds to 0.1 ms (the latency row's interpolated percentiles carry float noise). */
const ms = (x: number): string => String(Math.round(x * 10) / 10)

/** The latency target, on the `automation-latency` row. */
function latencyTarget(rows: readonly Row[]): TargetResult {
  const target = `#14: from an upstream materialization to the eager downstream run starting, p95 ≤ ${LATENCY_TARGET_MS / 1000} s`
  const r = rows.find((x) => x.scenario === 'automation-latency' && x.variant === LATENCY_VARIANT)
  if (!r) return { id: '14-latency', target, measured: 'not measured in this run', verdict: 'NOT MEASURED' }
  const e = r.extra ?? {}
  const p95 = Number(e.p95Ms)
  return {
    id: '14-latency',
    target,
    measured: `${ms(p95)} ms p95 (p50 ${ms(Number(e.p50Ms))} ms, max ${ms(Number(e.maxMs))} ms), ${r.stats.samples} samples, daemon interval ${e.intervalMs} ms${e.defaultInterval ? ' (its default)' : ''}; trigger: ${e.trigger}`,
    verdict: p95 <= LATENCY_TARGET_MS ? 'PASS' : 'MISS',
  }
}

/** The tick targets and the latency target. */
export function evaluateTickTargets(rows: readonly Row[]): TargetResult[] {
  const out: TargetResult[] = []
  const changedTarget = '#14: one tick over 100k assets with 100 that changed ≤ 10 ms, ≤ 5 store queries'
  const changed = find(rows, TICK_CHANGED)
  if (!changed)
    out.push({
      id: '14-tick-changed',
      target: changedTarget,
      measured: 'not measured in this run',
      verdict: 'NOT MEASURED',
    })
  else {
    const q = Number(changed.extra?.storeQueries ?? Number.NaN)
    out.push({
      id: '14-tick-changed',
      target: changedTarget,
      measured: describe(changed),
      verdict: changed.stats.p50 <= 10e6 && q <= 5 ? 'PASS' : 'MISS',
    })
  }
  const idleTarget = '#14: one tick with nothing changed ≤ 1 ms'
  const idle = find(rows, TICK_IDLE)
  if (!idle)
    out.push({ id: '14-tick-idle', target: idleTarget, measured: 'not measured in this run', verdict: 'NOT MEASURED' })
  else
    out.push({
      id: '14-tick-idle',
      target: idleTarget,
      measured: describe(idle),
      verdict: idle.stats.p50 <= 1e6 ? 'PASS' : 'MISS',
    })
  out.push(latencyTarget(rows))
  return out
}
