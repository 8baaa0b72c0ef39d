/** Human `assets runs`: the run history as a table, optionally with one asset's metric per run. */
import type { RunInfo } from '@rivers-orchestrator/rivers'
import { formatDuration } from './duration.js'
import type { Style } from './style.js'
import { table } from './table.js'

/**
 * @example
 * formatRuns(ws.runs({ limit: 20 }), style)
 * formatRuns(ws.runs({ limit: 20, asset: 'model', metric: 'accuracy' }), style, { asset: 'model', metric: 'accuracy' })
 */
export function formatRuns(
  runs: readonly RunInfo[],
  style: Style,
  compare?: { asset: string; metric: string },
): string {
  if (runs.length === 0)
    return compare === undefined
      ? 'No runs yet. Run `assets materialize` to start one.'
      : `No runs of ${compare.asset} yet.`
  const headers = ['RUN', 'STATUS', 'STARTED', 'TIME', 'SELECTION', 'BUILT', 'SKIPPED', 'FAILED']
  if (compare !== undefined) headers.push(compare.metric.toUpperCase())
  const rows = runs.map((r) => {
    const row = [
      r.runId,
      r.interrupted === true
        ? `${colorRunStatus(r.status, style)} ${style.dim('(interrupted)')}`
        : colorRunStatus(r.status, style),
      shortTime(r.startedAt),
      r.finishedAt === undefined ? '' : formatDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt)),
      r.selection.join(' '),
      String(r.materialized),
      String(r.skipped),
      r.failed > 0 ? style.red(String(r.failed)) : '0',
    ]
    if (compare !== undefined) row.push(r.metric === undefined ? style.dim('-') : formatNumber(r.metric))
    return row
  })
  const out = table(headers, rows, style)
  if (compare === undefined) return out
  const newestFirst = [...runs].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
  const values = newestFirst.map((r) => r.metric).filter((v): v is number => v !== undefined)
  if (values.length < 2) return out
  const [latest, previous] = [values[0]!, values[1]!]
  const delta = latest - previous
  return `${out}\n\n${compare.metric} of ${compare.asset} over ${values.length} runs: latest ${formatNumber(latest)} (${delta >= 0 ? '+' : ''}${formatNumber(delta)} from the run before), min ${formatNumber(Math.min(...values))}, max ${formatNumber(Math.max(...values))}.`
}

/** `2026-11-26 12:00:03` from an ISO timestamp (UTC, as stored). */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')
}

/** Up to 6 significant digits, no exponent for usual values. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n)
  return String(Number(n.toPrecision(6)))
}

function colorRunStatus(status: RunInfo['status'], style: Style): string {
  if (status === 'success') return style.green(status)
  if (status === 'failed') return style.red(status)
  if (status === 'cancelled') return style.yellow(status)
  return style.cyan(status)
}
