/**
 * Human `assets status`: an aligned table (key, status, planned marker, causes in short), then one
 * sentence per stale or missing asset with its causes and root causes, then totals.
 */
import type { CauseView, RootCauseView, StatusEntry, StatusReport } from '@rivers-orchestrator/rivers'
import type { Style } from './style.js'
import { table } from './table.js'

/**
 * @example
 * io.stdout.write(formatStatus(await ws.status(['*']), style) + '\n')
 */
export function formatStatus(report: StatusReport, style: Style): string {
  const { assets } = report
  if (assets.length === 0) return 'No assets selected.'
  const rows = assets.map((a) => [
    a.source ? `${a.key} ${style.dim('(source)')}` : a.partition === undefined ? a.key : `${a.key} [${a.partition}]`,
    colorStatus(a.status, style),
    a.planned ? style.cyan(style.sym.planned) : '',
    shortCauses(a),
  ])
  const parts = [table(['ASSET', 'STATUS', 'PLANNED', 'WHY'], rows, style)]
  // Assets missing for no reason beyond themselves share one line; the others get a sentence each.
  const plainMissing = assets.filter(
    (a) =>
      a.status === 'missing' &&
      a.partitions === undefined &&
      a.partition === undefined &&
      rootCauseText(a, style) === '',
  )
  const explained = assets
    .filter((a) => a.status !== 'fresh' && !plainMissing.includes(a))
    .map((a) => explain(a, style))
  if (plainMissing.length > 0) explained.push(`Never materialized: ${plainMissing.map((a) => a.key).join(', ')}`)
  if (explained.length > 0) parts.push(explained.join('\n'))
  const followers = assets.filter((a) => a.status === 'fresh' && a.planned).map((a) => a.key)
  if (followers.length > 0) {
    parts.push(
      `Planned because an upstream asset may change (they run only if their inputs do): ${followers.join(', ')}`,
    )
  }
  parts.push(totals(assets))
  return parts.join('\n\n')
}

/** One sentence: `features is stale: raw has a new data version (root cause: raw code changed)`. */
export function explain(entry: StatusEntry, style: Style): string {
  const name = entry.partition === undefined ? entry.key : `${entry.key} [${entry.partition}]`
  return `${style.bold(name)} is ${colorStatus(entry.status, style)}: ${reasonOf(entry, style)}`
}

/** Why an asset is stale or missing: its causes, then root causes elsewhere (`''` when fresh). */
export function reasonOf(entry: StatusEntry, style: Style): string {
  if (entry.status === 'fresh') return ''
  if (entry.partitions !== undefined) return `partitions: ${partitionCounts(entry.partitions)}`
  if (entry.status === 'unobservable') return unobservableReason(entry)
  if (entry.status === 'missing') return `it was never materialized${rootCauseText(entry, style)}`
  const causes = entry.causes.map((c) => c.message).join('; ')
  return `${causes || 'no cause reported'}${rootCauseText(entry, style)}`
}

function rootCauseText(entry: StatusEntry, style: Style): string {
  const roots = entry.rootCauses.filter(
    (r) =>
      !(
        r.key === entry.key &&
        (entry.causes.some((c) => c.kind === r.kind) || (r.kind === 'missing' && entry.status === 'missing'))
      ),
  )
  if (roots.length === 0) return ''
  return style.dim(` (root cause${roots.length === 1 ? '' : 's'}: ${roots.map(rootCauseShort).join(', ')})`)
}

/** `raw code changed`, `orders source changed`… */
export function rootCauseShort(r: RootCauseView): string {
  switch (r.kind) {
    case 'code_changed':
      return `${r.key} code changed`
    case 'config_changed':
      return `${r.key} config changed`
    case 'dep_added':
      return `${r.key} gained a dependency`
    case 'dep_removed':
      return `${r.key} lost a dependency`
    case 'upstream_data_changed':
      return `${r.key} upstream data changed`
    case 'new_data_version':
      return `${r.key} was re-materialized with new data`
    case 'source_changed':
      return `${r.key} source changed`
    case 'source_unobservable':
      return `${r.key} could not be observed`
    case 'missing':
      return `${r.key} never materialized`
    default:
      return `${r.key}: ${(r as RootCauseView).message}`
  }
}

/** The WHY column: `code changed`, `upstream raw`, `+dep x`, `never materialized`. */
export function shortCauses(entry: StatusEntry): string {
  if (entry.partitions !== undefined) return partitionCounts(entry.partitions)
  if (entry.status === 'missing') return 'never materialized'
  if (entry.status === 'unobservable')
    return entry.observation?.path === undefined ? 'observe failed' : 'file unreadable'
  return entry.causes.map(shortCause).join(', ')
}

function shortCause(c: CauseView): string {
  switch (c.kind) {
    case 'code_changed':
      return 'code changed'
    case 'config_changed':
      return 'config changed'
    case 'dep_added':
      return `dep added: ${c.dep ?? '?'}`
    case 'dep_removed':
      return `dep removed: ${c.dep ?? '?'}`
    case 'upstream_data_changed':
      return `upstream changed: ${c.dep ?? '?'}`
    default:
      return (c as CauseView).message
  }
}

/** The status word in its colour (green fresh, yellow stale, red missing). */
export function colorStatus(status: StatusEntry['status'], style: Style): string {
  if (status === 'fresh') return style.green(status)
  if (status === 'stale') return style.yellow(status)
  return style.red(status)
}

function totals(assets: readonly StatusEntry[]): string {
  const count = (s: StatusEntry['status']) => assets.filter((a) => a.status === s).length
  const planned = assets.filter((a) => a.planned).length
  const unobservable = count('unobservable') > 0 ? `, ${count('unobservable')} unobservable` : ''
  const head = `${assets.length} asset${assets.length === 1 ? '' : 's'}: ${count('fresh')} fresh, ${count('stale')} stale, ${count('missing')} missing${unobservable}; ${planned} planned.`
  return planned > 0
    ? `${head} Run \`assets materialize\` to update them.`
    : `${head} Everything selected is up to date.`
}

/** Why a source is unobservable: its file and the error, and what that means for its consumers. */
function unobservableReason(entry: StatusEntry): string {
  const where = entry.observation?.path === undefined ? '' : ` (${entry.observation.path})`
  return `it could not be observed${where}: ${entry.observation?.error ?? 'unknown error'}. Assets that read it are stale and fail if they run; restore the file or fix its observe function`
}

/** `300/365 partitions fresh, 5 stale, 60 missing` (zero counts left out). */
function partitionCounts(p: NonNullable<StatusEntry['partitions']>): string {
  const rest = [p.stale > 0 ? `${p.stale} stale` : '', p.missing > 0 ? `${p.missing} missing` : '']
  const orphaned = p.orphaned === undefined ? '' : `${p.orphaned} record(s) of keys no longer defined`
  return [`${p.fresh}/${p.total} partitions fresh`, ...rest, orphaned].filter((x) => x !== '').join(', ')
}
