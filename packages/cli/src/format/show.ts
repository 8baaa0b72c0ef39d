/** Human `assets show KEY`: the asset, its status, and its record history with metrics and checks. */
import type { AssetDetail } from '@rivers-orchestrator/rivers'
import { formatDuration } from './duration.js'
import { formatTags } from './list.js'
import { formatNumber, shortTime } from './runs.js'
import { colorStatus, reasonOf } from './status.js'
import type { Style } from './style.js'

type Record_ = AssetDetail['history'][number]

/**
 * @example
 * io.stdout.write(formatShow(ws.show('model'), style) + '\n')
 */
export function formatShow(d: AssetDetail, style: Style): string {
  const { info, status } = d
  const lines = [
    `${style.bold(info.key)}${info.isSource ? ' (source)' : ''}${info.description ? ` — ${info.description}` : ''}`,
  ]
  const facts: [string, string][] = [
    ['deps', info.deps.join(', ')],
    ['group', info.group ?? ''],
    ['tags', formatTags(info.tags)],
    ['kinds', info.kinds.join(', ')],
    ['owners', info.owners.join(', ')],
  ]
  for (const [name, value] of facts) if (value !== '') lines.push(`  ${style.dim(`${name}:`.padEnd(8))}${value}`)
  const reason = reasonOf(status, style)
  lines.push(
    `  ${style.dim('status:'.padEnd(8))}${colorStatus(status.status, style)}${status.planned ? ', planned' : ''}${reason === '' ? '' : `: ${reason}`}`,
  )
  if (status.last !== undefined)
    lines.push(
      `  ${style.dim('last:'.padEnd(8))}${shortTime(status.last.at)}  run ${status.last.runId}  data ${short(status.last.dataVersion)}`,
    )
  const failures = d.failures ?? []
  if (failures.length > 0) {
    lines.push('', `Failed attempts (${failures.length} in recent runs, newest first):`)
    for (const f of failures) {
      const then = f.willRetry ? 'retried' : f.attempt < f.of ? 'not retried' : 'gave up'
      lines.push(
        `  ${shortTime(f.at)}  run ${f.runId}  attempt ${f.attempt}/${f.of} ${style.red('failed')} (${then}): ${f.error.split('\n')[0]}`,
      )
      if (f.location !== undefined) lines.push(`    ${style.dim('at')} ${f.location}`)
    }
  }
  const pins = d.pins ?? []
  if (pins.length > 0) {
    lines.push('', `Pinned (${pins.length}; gc and wipe keep their artifacts):`)
    for (const p of pins) lines.push(`  ${shortTime(p.at)}  run ${p.runId}${p.note === undefined ? '' : `  ${p.note}`}`)
  }
  if (d.history.length === 0) {
    lines.push('', 'No records yet.')
    return lines.join('\n')
  }
  lines.push('', `History (${d.history.length} record${d.history.length === 1 ? '' : 's'}):`)
  for (const r of d.history) lines.push(...formatRecord(r, style))
  return lines.join('\n')
}

function formatRecord(r: Record_, style: Style): string[] {
  const head = [shortTime(r.at), `run ${r.runId}`, r.kind, `data ${short(r.dataVersion)}`]
  if (r.partition !== undefined) head.splice(1, 0, `[${r.partition}]`)
  if (r.durationMs !== undefined) head.push(formatDuration(r.durationMs))
  const out = [`  ${head.join('  ')}`]
  const field = (name: string, value: string) => out.push(`    ${style.dim(`${name}:`)} ${value}`)
  if (r.kind === 'materialization') field('code', `${short(r.codeVersion)}  config ${short(r.configHash)}`)
  if (r.config !== undefined) field('params', JSON.stringify(r.config))
  if (r.inputs.length > 0)
    field(
      'inputs',
      r.inputs
        .map((i) => `${i.key}${i.partition === undefined ? '' : `[${i.partition}]`}@${short(i.dataVersion)}`)
        .join(', '),
    )
  if (r.storagePath !== undefined)
    field(
      'stored',
      r.collectedAt === undefined
        ? `${r.storagePath}${r.pin === undefined ? '' : `  ${style.bold('pinned')}${r.pin.note === undefined ? '' : ` (${r.pin.note})`}`}`
        : `${r.storagePath}  ${style.dim(`artifact collected ${shortTime(r.collectedAt)}`)}`,
    )
  const meta = Object.entries(r.metadata)
  if (meta.length > 0)
    field('metadata', meta.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', '))
  const metrics = summarizeMetrics(r.metrics)
  if (metrics.length > 0) field('metrics', metrics.join(', '))
  if (r.checks.length > 0) {
    field(
      'checks',
      r.checks
        .map((c) =>
          c.passed
            ? `${style.green(style.sym.ok)} ${c.name}`
            : `${c.blocking ? style.red(style.sym.fail) : style.yellow(style.sym.warn)} ${c.name}${c.blocking ? ' (blocking)' : ''}${c.message ? `: ${c.message}` : ''}`,
        )
        .join(', '),
    )
  }
  return out
}

/** One entry per metric name: `accuracy=0.91`, or for a series `loss=0.12 (last of 10 steps, min 0.1)`. */
export function summarizeMetrics(metrics: Record_['metrics']): string[] {
  const byName = new Map<string, Record_['metrics']>()
  for (const m of metrics) byName.set(m.name, [...(byName.get(m.name) ?? []), m])
  return [...byName].map(([name, series]) => {
    const last = series.reduce((a, b) => ((b.step ?? 0) >= (a.step ?? 0) ? b : a))
    if (series.length === 1)
      return `${name}=${formatNumber(last.value)}${last.step === undefined ? '' : ` (step ${last.step})`}`
    const values = series.map((m) => m.value)
    return `${name}=${formatNumber(last.value)} (last of ${series.length}, min ${formatNumber(Math.min(...values))}, max ${formatNumber(Math.max(...values))})`
  })
}

function short(version: string): string {
  return version.length > 12 ? version.slice(0, 12) : version
}
