/** Human `assets partitions KEY`: the counts, then one line per run of partitions of one status. */
import type { PartitionsReport } from '@rivers-orchestrator/rivers'
import type { Style } from './style.js'
import { table } from './table.js'

/**
 * @example
 * formatPartitions(await ws.partitions('events'), style)
 * // events: daily from 2024-01-01 (UTC), 366 partitions: 300 fresh, 5 stale, 61 missing
 */
export function formatPartitions(r: PartitionsReport, style: Style): string {
  const counts = [`${r.fresh} fresh`, `${r.stale} stale`, `${r.missing} missing`].join(', ')
  const head = `${style.bold(r.key)}: ${r.definition}, ${r.total} partition${r.total === 1 ? '' : 's'}: ${counts}`
  const orphaned =
    r.orphaned === undefined
      ? ''
      : `\n${r.orphaned} record(s) of partition keys no longer in the definition are ignored`
  if (r.runs.length === 0) return `${head}${orphaned}`
  const color = (s: string): string => (s === 'fresh' ? style.green(s) : s === 'stale' ? style.yellow(s) : style.red(s))
  const rows = r.runs.map((run) => [
    run.from === run.to ? run.from : `${run.from}...${run.to}`,
    String(run.count),
    color(run.status),
  ])
  return `${head}${orphaned}\n\n${table(['PARTITIONS', 'COUNT', 'STATUS'], rows, style)}`
}
