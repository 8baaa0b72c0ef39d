/**
 * The text `assets tick` and `assets automation` print: each evaluated asset with its decision and
 * its condition tree (the library's `formatTree`: one line per node, `✓` true, `✗` false, with the
 * values that decided it), then schedules, sensors and the runs launched with their outcome.
 */
import {
  type AutomationDecisionRecord,
  type EvaluatedNode,
  formatTree,
  type RunSummary,
  type TickReport,
} from '@rivers-orchestrator/rivers'
import { formatDuration } from '../format/duration.js'
import type { Style } from '../format/style.js'

/**
 * A condition tree, indented, with the marks coloured (and in ASCII, `[yes]`/`[no]`, when the
 * style has no Unicode).
 *
 * @example
 * formatConditionTree(decision.tree, style, '  ')
 */
export function formatConditionTree(tree: EvaluatedNode, style: Style, indent = '  '): string {
  return formatTree(tree, indent)
    .split('\n')
    .map((line) =>
      line.replace(/^(\s*)([✓✗]) /, (_, pad: string, mark: string) => {
        const yes = mark === '✓'
        const shown = style.unicode ? mark : yes ? '[yes]' : '[no]'
        return `${pad}${yes ? style.green(shown) : style.dim(shown)} `
      }),
    )
    .join('\n')
}

/**
 * The whole report of one tick.
 *
 * @example
 * console.log(formatTickReport(await ws.tick({ dryRun: true }), ctx.out, true))
 */
export function formatTickReport(report: TickReport, style: Style, dryRun: boolean): string {
  const head = dryRun
    ? `Dry run at ${report.at}: nothing stored, no run launched.`
    : `Tick ${report.tickId ?? '-'} at ${report.at}.`
  const counts = `${report.evaluated} evaluated, ${report.requested.length} ${dryRun ? 'would be requested' : 'requested'} ${style.dim(`· ${formatDuration(report.durationMs)}`)}`
  const blocks: string[] = [`${head} ${counts}`]
  if (report.decisions.length === 0)
    blocks.push(
      'No asset has an automation condition: give one with asset({ …, automation: when.eager() }) (see docs/automation.md).',
    )
  for (const d of report.decisions) {
    const verdict = d.requested
      ? style.green(dryRun ? 'would be requested' : 'requested')
      : style.dim(dryRun ? 'would not be requested' : 'not requested')
    const why = d.reason === undefined ? '' : ` (${d.reason})`
    const run = d.runId === undefined ? '' : ` ${style.sym.arrow} run ${d.runId}`
    blocks.push(`${style.bold(d.key)} ${verdict}${why}${run}\n${formatConditionTree(d.tree, style)}`)
  }
  const schedules = report.schedules.map(
    (s) =>
      `  ${s.name}: ${s.fired ? style.green('fired') : style.dim('not due')}${s.tick === undefined ? '' : ` (tick ${s.tick})`}`,
  )
  if (schedules.length > 0) blocks.push(`Schedules:\n${schedules.join('\n')}`)
  const sensors = report.sensors.map((s) => {
    const what =
      s.error !== undefined
        ? style.red(`failed: ${s.error}`)
        : s.skipped !== undefined
          ? style.dim(`skipped: ${s.skipped}`)
          : `${s.runRequests} run request${s.runRequests === 1 ? '' : 's'}${reported(s.observations)}`
    return `  ${s.name}: ${what}${s.cursor === undefined ? '' : ` (cursor ${s.cursor})`}`
  })
  if (sensors.length > 0) blocks.push(`Sensors:\n${sensors.join('\n')}`)
  if (report.runs.length > 0)
    blocks.push(
      `Runs:\n${report.runs.map((r) => `  ${r.runId === '' ? '-' : r.runId} (${r.source}: ${shownSelection(r.select)}) ${runOutcome(r, style)}`).join('\n')}`,
    )
  else if (!dryRun) blocks.push('No run launched.')
  return blocks.join('\n\n')
}

/**
 * Stored decisions, newest first (`assets automation [KEY]`).
 *
 * @example
 * console.log(formatDecisions(await ws.automationLog({ key: 'model', limit: 10 }), ctx.out, 'model'))
 */
export function formatDecisions(records: readonly AutomationDecisionRecord[], style: Style, key?: string): string {
  if (records.length === 0)
    return key === undefined
      ? 'No decisions stored yet: they are stored by each `assets tick` (not --dry-run) and each daemon tick.'
      : `No decisions stored for ${key} yet: it is evaluated by \`assets tick\` and the daemon when it has an automation condition.`
  return records
    .map((r) => {
      const verdict = r.requested ? style.green('requested') : style.dim('not requested')
      const run = r.runId === undefined || r.runId === null ? '' : ` ${style.sym.arrow} run ${r.runId}`
      return `${style.dim(r.at)} tick ${r.tickId} ${style.bold(r.key)} ${verdict}${run}\n${formatConditionTree(r.tree as EvaluatedNode, style)}`
    })
    .join('\n\n')
}

/**
 * A run's selection as people read it: the tick selects requested assets as `key:K`, shown as `K`.
 *
 * @example
 * shownSelection(['key:model', 'key:report']) // 'model, report'
 */
export function shownSelection(select: readonly string[]): string {
  return select.map((s) => s.replace(/^key:/, '')).join(', ')
}

function runOutcome(run: { summary?: RunSummary; error?: string }, style: Style): string {
  if (run.error !== undefined) return style.red(`could not run: ${run.error}`)
  const summary = run.summary
  if (summary === undefined) return style.dim('launched')
  const status =
    summary.status === 'success'
      ? style.green(summary.status)
      : summary.status === 'failed'
        ? style.red(summary.status)
        : style.yellow(summary.status)
  const failed = summary.failed.length === 0 ? '' : ` (${summary.failed.map((f) => f.key).join(', ')})`
  return `${status}: ${summary.materialized.length} materialized, ${summary.skipped.length} skipped, ${summary.failed.length} failed${failed} ${style.dim(`· ${formatDuration(summary.durationMs)}`)}`
}

function reported(n: number | undefined): string {
  return n === undefined ? '' : `, ${n} new data version${n === 1 ? '' : 's'} reported`
}
