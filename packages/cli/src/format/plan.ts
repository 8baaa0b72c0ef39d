/** Human `assets plan` / `materialize --dry-run`: the planned assets, layer by layer. */
import type { PlanReport } from '@rivers-orchestrator/rivers'
import type { Style } from './style.js'

/**
 * @example
 * formatPlan({ selection: ['*'], force: false, layers: [['raw'], ['features', 'model']], count: 3 }, style)
 * // Plan for *: 3 assets in 2 layers
 * //   1  raw
 * //   2  features, model
 */
export function formatPlan(report: PlanReport, style: Style): string {
  const sel = report.selection.length === 0 ? '*' : report.selection.join(' ')
  const forced = report.force ? ' (forced: every selected asset runs)' : ''
  if (report.count === 0) return `Nothing to do for ${sel}${forced}: every selected asset is fresh.`
  const head = `Plan for ${sel}${forced}: ${report.count} asset${report.count === 1 ? '' : 's'} in ${report.layers.length} layer${report.layers.length === 1 ? '' : 's'}`
  const width = String(report.layers.length).length
  const parts = report.partitions ?? {}
  const named = (key: string): string => {
    const p = parts[key]
    if (p === undefined) return key
    const shown = p.ranges.slice(0, 3).join(', ')
    const more = p.ranges.length > 3 ? `, …` : ''
    return `${key} [${p.count} partition${p.count === 1 ? '' : 's'}: ${shown}${more}]`
  }
  const lines = report.layers.map(
    (layer, i) => `  ${style.dim(String(i + 1).padStart(width))}  ${layer.map(named).join(', ')}`,
  )
  const tail = report.force
    ? ''
    : '\nAssets downstream of a change are skipped at run time if their inputs turn out unchanged (early cutoff).'
  return `${head}\n${lines.join('\n')}${tail}${unobservableText(report, style)}`
}

/** One warning line per unobservable source that planned assets read. */
function unobservableText(report: PlanReport, style: Style): string {
  const lines = (report.unobservable ?? []).map(
    (u) =>
      `${style.red(style.sym.fail)} source ${u.key} is unobservable${u.path === undefined ? '' : ` (${u.path})`}: ${u.error}; the assets that read it will fail`,
  )
  return lines.length === 0 ? '' : `\n${lines.join('\n')}`
}
