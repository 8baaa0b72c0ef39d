/** Human `assets backfill` (the end state and progress) and `assets backfills` (a table). */
import type { BackfillReport } from '@rivers-orchestrator/rivers'
import type { Style } from './style.js'
import { table } from './table.js'

const progressText = (r: BackfillReport): string =>
  r.progress.map((p) => `${p.key} ${p.done}/${p.planned}${p.failed > 0 ? ` (${p.failed} failed)` : ''}`).join(', ')

/**
 * @example
 * formatBackfill(report, style) // 'Backfill bf-… done in 3 run(s): events 31/31'
 */
export function formatBackfill(r: BackfillReport, style: Style): string {
  const status = r.status === 'done' ? style.green(r.status) : r.status === 'running' ? r.status : style.red(r.status)
  const resume = r.status === 'done' ? '' : `\nResume it with: assets backfill --resume ${r.id}`
  return `Backfill ${style.bold(r.id)} ${status} in ${r.runIds.length} run(s): ${progressText(r) || 'nothing planned'}${resume}`
}

/**
 * @example
 * formatBackfills(await ws.backfills(), style)
 */
export function formatBackfills(list: readonly BackfillReport[], style: Style): string {
  if (list.length === 0) return 'No backfills yet. Start one with: assets backfill SELECTION --from KEY --to KEY'
  return table(
    ['BACKFILL', 'STATUS', 'RUNS', 'PROGRESS'],
    list.map((r) => [r.id, r.status, String(r.runIds.length), progressText(r)]),
    style,
  )
}
