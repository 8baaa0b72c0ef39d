/** Human `assets models`, `assets promote` and `assets rollback`: versions, aliases, the gate's numbers. */
import type { AliasChange, GateCheck, ModelInfo } from '@rivers-orchestrator/rivers'
import { formatNumber, shortTime } from './runs.js'
import type { Style } from './style.js'
import { table } from './table.js'

/**
 * Every model of the project, one line each.
 *
 * @example
 * formatModels(await ws.models.models(), style)
 */
export function formatModels(models: readonly ModelInfo[], style: Style): string {
  if (models.length === 0)
    return 'No registered models. Add model: true (or { name, gate }) to the spec of the asset that is a model.'
  const rows = models.map((m) => [
    m.key,
    m.name,
    String(m.versions.length),
    m.aliases.map((a) => `${a.alias} ${style.sym.arrow} v${a.version}`).join(', ') || style.dim('-'),
  ])
  return table(['MODEL', 'NAME', 'VERSIONS', 'ALIASES'], rows, style)
}

/**
 * One model: its gate, versions (newest first) with lineage and metrics, and the alias history.
 *
 * @example
 * formatModel(await ws.models.model('model/churn'), style)
 */
export function formatModel(m: ModelInfo, style: Style): string {
  const lines = [`${style.bold(m.key)}${m.name === m.key ? '' : ` (registered as ${m.name})`}`]
  const rules = Object.entries(m.gate).flatMap(([metric, r]) => {
    const out: string[] = []
    if (r.atLeast !== undefined) out.push(`${metric} >= ${formatNumber(r.atLeast)}`)
    if (r.atMost !== undefined) out.push(`${metric} <= ${formatNumber(r.atMost)}`)
    if (r.notBelowCurrent !== undefined && r.notBelowCurrent !== false)
      out.push(
        `${metric} not below the alias's version${r.notBelowCurrent === true ? '' : ` by more than ${r.notBelowCurrent}`}`,
      )
    if (r.notAboveCurrent !== undefined && r.notAboveCurrent !== false)
      out.push(
        `${metric} not above the alias's version${r.notAboveCurrent === true ? '' : ` by more than ${r.notAboveCurrent}`}`,
      )
    return out
  })
  lines.push(
    `  ${style.dim('gate:'.padEnd(9))}${rules.length === 0 ? 'none (every version may be promoted)' : rules.join('; ')}`,
  )
  const aliasOf = new Map<number, string[]>()
  for (const a of m.aliases) aliasOf.set(a.version, [...(aliasOf.get(a.version) ?? []), a.alias])
  lines.push(
    `  ${style.dim('aliases:'.padEnd(9))}${m.aliases.length === 0 ? 'none yet (assets promote KEY --alias champion)' : m.aliases.map((a) => `${a.alias} ${style.sym.arrow} v${a.version}`).join(', ')}`,
  )
  if (m.versions.length === 0) {
    lines.push('', `No versions yet: run \`assets materialize ${m.key}\`.`)
    return lines.join('\n')
  }
  const rows = [...m.versions].reverse().map((v) => [
    `v${v.version}`,
    shortTime(v.createdAt),
    v.runId,
    v.dataVersion.slice(0, 8),
    v.codeVersion.slice(0, 8),
    (aliasOf.get(v.version) ?? []).join(', '),
    Object.entries(v.metrics)
      .map(([k, x]) => `${k} ${formatNumber(x)}`)
      .join('  '),
    v.collectedAt === null ? '' : style.dim('artifact collected'),
  ])
  lines.push(
    '',
    `Versions (${m.versions.length}, newest first):`,
    table(['VERSION', 'CREATED', 'RUN', 'DATA', 'CODE', 'ALIASES', 'METRICS', ''], rows, style, { dropEmpty: true }),
  )
  const newest = m.versions[m.versions.length - 1]!
  if (newest.inputs.length > 0)
    lines.push(
      '',
      `Lineage of v${newest.version}: ${newest.inputs.map((i) => `${i.key}@${i.dataVersion.slice(0, 8)}`).join(', ')}`,
    )
  if (m.history.length > 0) {
    lines.push('', 'Alias history (newest first):')
    for (const h of m.history)
      lines.push(
        `  ${shortTime(h.movedAt)}  ${h.alias}  ${h.previous === null ? 'none' : `v${h.previous}`} ${style.sym.arrow} v${h.version}  ${h.action}${h.actor === null ? '' : ` by ${h.actor}`}${h.reason === null ? '' : `: ${h.reason}`}`,
      )
  }
  return lines.join('\n')
}

function formatChecks(checks: readonly GateCheck[], style: Style): string[] {
  return checks.map(
    (c) => `  ${c.passed ? style.green('pass') : style.red('FAIL')}  ${c.detail}  ${style.dim(`(${c.rule})`)}`,
  )
}

/**
 * The outcome of `assets promote` or `assets rollback`, with the gate's numbers and the sources
 * that follow the alias.
 *
 * @example
 * formatAliasChange(await ws.models.promote('model/churn', { alias: 'champion' }), ['model/churn.champion'], style)
 */
export function formatAliasChange(c: AliasChange, followers: readonly string[], style: Style): string {
  const lines: string[] = []
  const was = c.from === null ? 'it named no version' : `was v${c.from}`
  if (!c.moved) lines.push(`'${c.alias}' of ${c.key} already names v${c.to}: nothing to do.`)
  else if (c.move?.action === 'rollback') lines.push(`Rolled back '${c.alias}' of ${c.key} to v${c.to} (${was}).`)
  else lines.push(`Promoted ${c.key} v${c.to} to '${c.alias}' (${was})${c.forced ? ', forced past the gate' : ''}.`)
  if (c.checks.length > 0) lines.push('Gate:', ...formatChecks(c.checks, style))
  if (c.moved && followers.length > 0)
    lines.push(
      `Followed by ${followers.join(', ')}: what depends on ${followers.length === 1 ? 'it' : 'them'} is stale and runs on the next \`assets materialize\`.`,
    )
  return lines.join('\n')
}
