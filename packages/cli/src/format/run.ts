/**
 * Text of a run: one plain line per progress event (non-TTY output), and the closing summary
 * (a table on a TTY, a totals line everywhere).
 */
import type { RunEvent, RunSummary } from '@rivers-orchestrator/rivers'
import { formatDuration } from './duration.js'
import type { Style } from './style.js'
import { table } from './table.js'

/**
 * The plain line of an event, or `undefined` for events that print nothing (starts, logs, the end).
 *
 * @example
 * formatEvent({ type: 'asset_materialized', key: 'raw', durationMs: 12, dataVersion: '…' }, style) // '✔ raw 12ms'
 */
export function formatEvent(e: RunEvent, style: Style): string | undefined {
  const { sym } = style
  switch (e.type) {
    case 'asset_materialized':
      // A partition's line would be one of thousands: its asset gets one line when all are done.
      if (e.partition !== undefined) return undefined
      return `${style.green(sym.ok)} ${e.key} ${style.dim(formatDuration(e.durationMs))}`
    case 'partitions_finished': {
      const c = e.counts
      const mark = c.failed > 0 ? style.red(sym.fail) : c.materialized > 0 ? style.green(sym.ok) : style.dim(sym.skip)
      const rest = [c.skipped > 0 ? `${c.skipped} skipped` : '', c.failed > 0 ? `${c.failed} failed` : '']
      const counts = [`${c.materialized}/${c.planned} partitions materialized`, ...rest].filter((x) => x !== '')
      return `${mark} ${e.key} ${counts.join(', ')} ${style.dim(formatDuration(e.durationMs))}`
    }
    case 'asset_skipped':
      return `${style.dim(sym.skip)} ${e.key} skipped (${e.reason})`
    case 'asset_failed': {
      const name = e.partition === undefined ? e.key : `${e.key} [${e.partition}]`
      return e.willRetry
        ? `${style.yellow(sym.retry)} ${name} failed, will retry: ${firstLine(errorText(e.key, e.error))}`
        : `${style.red(sym.fail)} ${name} failed: ${indentRest(errorText(e.key, e.error))}`
    }
    case 'asset_started': {
      const name = e.partition === undefined ? e.key : `${e.key} [${e.partition}]`
      return e.attempt > 1 ? `${style.yellow(sym.retry)} ${name} attempt ${e.attempt}` : undefined
    }
    case 'check_evaluated':
      if (e.passed) return `  ${style.green(sym.ok)} check ${e.key}:${e.name} passed`
      return `  ${e.blocking ? style.red(sym.fail) : style.yellow(sym.warn)} check ${e.key}:${e.name} failed${e.blocking ? ' (blocking)' : ''}${e.message ? `: ${e.message}` : ''}`
    case 'run_started':
    case 'log':
    case 'run_finished':
      return undefined
  }
}

/**
 * The totals line: `Run 1a2b success in 1.2s: 2 materialized, 1 skipped, 0 failed.`
 *
 * @example
 * formatTotals(summary, style)
 */
export function formatTotals(s: RunSummary, style: Style): string {
  const status =
    s.status === 'success'
      ? style.green(s.status)
      : s.status === 'failed'
        ? style.red(s.status)
        : style.yellow(s.status)
  const counts = `${s.materialized.length} materialized, ${s.skipped.length} skipped, ${s.failed.length} failed`
  if (s.materialized.length + s.skipped.length + s.failed.length === 0)
    return `Run ${s.runId} ${status} in ${formatDuration(s.durationMs)}: nothing to do, every selected asset is fresh.`
  return `Run ${s.runId} ${status} in ${formatDuration(s.durationMs)}: ${counts}.`
}

/**
 * The summary table of a run (finishing order), with per-asset durations when the progress display
 * saw them, followed by the totals line.
 *
 * @example
 * formatSummary(summary, style, new Map([['raw', 12]]))
 */
export function formatSummary(s: RunSummary, style: Style, durations: ReadonlyMap<string, number> = new Map()): string {
  const rows: string[][] = []
  const order = [
    ...s.materialized.map((key) => ({ key, row: [key, style.green('materialized'), durationOf(durations, key), ''] })),
    ...s.skipped.map((x) => ({ key: x.key, row: [x.key, style.dim('skipped'), '', x.reason] })),
    ...s.failed.map((x) => ({
      key: x.key,
      row: [x.key, style.red('failed'), durationOf(durations, x.key), firstLine(errorText(x.key, x.error))],
    })),
  ]
  for (const { row } of order) rows.push(row)
  const totals = formatTotals(s, style)
  if (rows.length === 0) return totals
  return `${table(['ASSET', 'RESULT', 'TIME', 'DETAIL'], rows, style)}\n\n${totals}`
}

function durationOf(durations: ReadonlyMap<string, number>, key: string): string {
  const ms = durations.get(key)
  return ms === undefined ? '' : formatDuration(ms)
}

/** The error of a failed asset without a leading `asset "KEY" failed in run ID: ` (the line names both already). */
export function errorText(key: string, error: string): string {
  const prefix = `asset ${JSON.stringify(key)} failed`
  if (!error.startsWith(prefix)) return error
  return error.slice(prefix.length).replace(/^ in run \S+?:\s*|^:\s*/, '')
}

function firstLine(s: string): string {
  const i = s.indexOf('\n')
  return i === -1 ? s : `${s.slice(0, i)} …`
}

function indentRest(s: string): string {
  return s.replace(/\n/g, '\n    ')
}
