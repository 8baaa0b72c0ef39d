/**
 * Human `assets runs --asset KEY`: one asset's records across runs side by side, like an experiment
 * tracker's compare view: the params that differ between the runs shown (those equal in every run
 * are listed once below) and each metric's value (summary, else last step).
 */
import type { RunInfo } from '@rivers-orchestrator/rivers'
import { formatDuration } from './duration.js'
import { formatNumber, shortTime } from './runs.js'
import type { Style } from './style.js'
import { table } from './table.js'

/** Metric columns shown at most (the rest are in --json). */
const MAX_METRICS = 8

/**
 * Flattens params to dotted paths (`optimizer.lr`), arrays and scalars as JSON text.
 *
 * @example
 * flattenParams({ epochs: 3, optimizer: { lr: 0.1 } }) // Map { 'epochs' => '3', 'optimizer.lr' => '0.1' }
 */
export function flattenParams(params: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (params !== null && typeof params === 'object' && !Array.isArray(params)) {
    for (const [k, v] of Object.entries(params)) flattenParams(v, prefix === '' ? k : `${prefix}.${k}`, out)
  } else if (params !== undefined && prefix !== '')
    out.set(prefix, typeof params === 'string' ? params : JSON.stringify(params))
  return out
}

/**
 * The compare view of `runs` (each with its `record` of `asset`), newest first.
 *
 * @example
 * formatRunCompare(await ws.runs({ asset: 'model' }), 'model', style)
 */
export function formatRunCompare(runs: readonly RunInfo[], asset: string, style: Style): string {
  if (runs.length === 0) return `No runs of ${asset} yet.`
  const params = runs.map((r) => flattenParams(r.record?.params))
  const keys = [...new Set(params.flatMap((p) => [...p.keys()]))].sort()
  const varying = keys.filter((k) => new Set(params.map((p) => p.get(k) ?? '')).size > 1)
  const constant = keys.filter((k) => !varying.includes(k))
  const metricNames = [...new Set(runs.flatMap((r) => Object.keys(r.record?.metrics ?? {})))].sort()
  const shown = metricNames.slice(0, MAX_METRICS)
  const headers = ['RUN', 'STARTED', 'TIME', 'STATUS', 'DATA', ...varying, ...shown]
  const rows = runs.map((r, i) => [
    r.runId,
    shortTime(r.startedAt),
    r.finishedAt === undefined ? '' : formatDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt)),
    r.status === 'success' ? style.green(r.status) : r.status === 'failed' ? style.red(r.status) : r.status,
    r.record?.dataVersion.slice(0, 8) ?? '',
    ...varying.map((k) => params[i]!.get(k) ?? style.dim('-')),
    ...shown.map((m) => {
      const v = r.record?.metrics[m]
      return v === undefined ? style.dim('-') : formatNumber(v)
    }),
  ])
  const lines = [
    `${style.bold(asset)} across ${runs.length} run${runs.length === 1 ? '' : 's'} (newest first):`,
    table(headers, rows, style),
  ]
  if (constant.length > 0)
    lines.push(
      '',
      `Same in every run: ${constant.map((k) => `${k}=${params.find((p) => p.has(k))!.get(k)}`).join(', ')}`,
    )
  if (keys.length === 0) lines.push('', 'No params recorded (the asset has no config).')
  if (metricNames.length > shown.length)
    lines.push(
      `${metricNames.length - shown.length} more metrics in --json: ${metricNames.slice(MAX_METRICS).join(', ')}`,
    )
  return lines.join('\n')
}
