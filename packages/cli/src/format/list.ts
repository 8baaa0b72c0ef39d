/** Human `assets list`: one row per asset; columns that are empty for every asset are left out. */
import type { AssetInfo } from '@rivers-orchestrator/rivers'
import type { Style } from './style.js'
import { table } from './table.js'

/**
 * @example
 * formatList(ws.list(['*']), style)
 */
export function formatList(assets: readonly AssetInfo[], style: Style): string {
  if (assets.length === 0) return 'No assets selected.'
  const rows = assets.map((a) => [
    a.key,
    a.isSource ? 'source' : 'asset',
    a.group ?? '',
    a.deps.join(', '),
    formatTags(a.tags),
    a.kinds.join(', '),
    a.owners.join(', '),
    a.description ?? '',
  ])
  return `${table(['ASSET', 'TYPE', 'GROUP', 'DEPS', 'TAGS', 'KINDS', 'OWNERS', 'DESCRIPTION'], rows, style, { dropEmpty: true })}\n\n${assets.length} asset${assets.length === 1 ? '' : 's'}.`
}

/** `pii, tier=gold` */
export function formatTags(tags: Readonly<Record<string, string | true>>): string {
  return Object.entries(tags)
    .map(([k, v]) => (v === true ? k : `${k}=${v}`))
    .join(', ')
}
