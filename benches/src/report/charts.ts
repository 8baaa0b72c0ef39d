/**
 * The report's charts, from result rows: time vs graph size (dbt-like graph, shuffled ids) for the
 * whole-graph scenarios and the headline re-plan, and time vs cone size from the cone sweep.
 */
import { IMPL_NAMES, IMPLS, SCENARIOS, type Row, type ScenarioId } from '../results.js'
import { formatCount, formatNs } from '../stats.js'
import type { ChartSpec, HLine, Series } from './svg.js'

/** A chart and the file name it is written to. */
export interface NamedChart {
  file: string
  spec: ChartSpec
}

const countFormat = (v: number): string => formatCount(v, true)

function vsSize(rows: readonly Row[], scenario: ScenarioId, hlines: HLine[] = []): ChartSpec {
  const series: Series[] = []
  for (const impl of IMPLS) {
    const points = rows
      .filter(
        (r) =>
          r.scenario === scenario &&
          r.impl === impl &&
          r.shape === 'dbt' &&
          r.order === 'shuffled' &&
          r.variant === undefined,
      )
      .map((r) => ({ x: r.n, y: r.stats.p50 }))
    if (points.length > 0) series.push({ name: IMPL_NAMES[impl], points, dashed: impl !== 'rivers' })
  }
  return {
    title: `${SCENARIOS[scenario].title}: p50 vs graph size (dbt-like, shuffled ids)`,
    xLabel: 'assets in the graph',
    yLabel: 'time per operation (p50)',
    series,
    xFormat: countFormat,
    yFormat: formatNs,
    hlines,
  }
}

function vsCone(rows: readonly Row[]): ChartSpec {
  const series: Series[] = []
  const graphs = [...new Set(rows.filter((r) => r.scenario === 'cone').map((r) => `${r.shape}|${r.n}`))]
  // One colour per graph: Rivers solid, the reference dashed.
  for (const impl of ['rivers', 'reference'] as const) {
    graphs.forEach((gk, color) => {
      const [shape, n] = gk.split('|')
      const points = rows
        .filter((r) => r.scenario === 'cone' && r.impl === impl && r.shape === shape && String(r.n) === n)
        .map((r) => ({ x: r.work.cone ?? 0, y: r.stats.p50 }))
      if (points.length > 0)
        series.push({
          name: `${IMPL_NAMES[impl]}, ${shape} ${formatCount(Number(n), true)}`,
          points,
          dashed: impl !== 'rivers',
          color,
        })
    })
  }
  return {
    title: 'Re-plan after a code-version edit: p50 vs cone size',
    xLabel: 'assets in the plan (cone)',
    yLabel: 'time per re-plan (p50)',
    series,
    xFormat: countFormat,
    yFormat: formatNs,
    hlines: [],
  }
}

/**
 * The charts that have data in `rows`.
 * @example charts(report.rows).map((c) => c.file) // ['build-vs-size.svg', …]
 */
export function charts(rows: readonly Row[]): NamedChart[] {
  const out: NamedChart[] = [
    { file: 'build-vs-size.svg', spec: vsSize(rows, 'build') },
    { file: 'cold-vs-size.svg', spec: vsSize(rows, 'cold') },
    { file: 'warm-vs-size.svg', spec: vsSize(rows, 'warm') },
    {
      file: 'replan-source-vs-size.svg',
      spec: vsSize(rows, 'replan-source', [{ y: 50e3, label: 'target: 50 µs p50' }]),
    },
    { file: 'replan-vs-cone.svg', spec: vsCone(rows) },
  ]
  return out.filter((c) => c.spec.series.length > 0)
}
