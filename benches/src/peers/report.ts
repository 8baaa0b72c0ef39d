/**
 * The peers report (`results/peers.md`): per graph size, each phase for Rivers and Dagster side by
 * side with the ratio Dagster ÷ Rivers, the work each did, and the versions.
 */
import type { MachineInfo } from '../machine.js'
import { table } from '../report/markdown.js'
import { formatCount, formatNs } from '../stats.js'
import type { PeerFigures } from './rivers.js'

/** One graph size: both systems' figures (Dagster's as its script printed them). */
export interface PeerRow {
  n: number
  edges: number
  changedKey: string
  /** Largest size at which Dagster materializes everything. */
  cap: number
  rivers: PeerFigures
  dagster: Record<string, number | string>
}

/** `results/peers.json`. */
export interface PeersReport {
  startedAt: string
  durationS: number
  machine: MachineInfo
  dagster: string
  python: string
  venvSetupS: number
  rows: PeerRow[]
}

const secs = (s: number | undefined): string => (s === undefined ? '–' : formatNs(s * 1e9))

function num(x: number | string | undefined): number | undefined {
  return typeof x === 'number' ? x : undefined
}

/** `Dagster ÷ Rivers` as `12.3×`, or `–` when either is missing. */
export function peerRatio(rivers: number | undefined, dagster: number | undefined): string {
  if (rivers === undefined || dagster === undefined || rivers <= 0) return '–'
  const r = dagster / rivers
  return `${r >= 100 ? r.toFixed(0) : r.toFixed(r >= 10 ? 1 : 2)}×`
}

function sizeTable(row: PeerRow): string {
  const { rivers: r, dagster: d, n, cap } = row
  const capped = `not run: Dagster materializes about 2 assets a second, so everything only up to ${formatCount(cap)} assets`
  const line = (phase: string, rs: number | undefined, ds: number | undefined, work: string, note = ''): string[] => [
    phase,
    secs(rs),
    ds === undefined && n > cap && note === '' ? capped : secs(ds),
    peerRatio(rs, ds),
    work,
  ]
  const per = (s: number | undefined, k: number | undefined): string =>
    s !== undefined && k ? ` (${formatNs((s * 1e9) / k)} per asset)` : ''
  return table(
    ['phase', 'Rivers', 'Dagster', 'Dagster ÷ Rivers', 'work (Rivers; Dagster)'],
    [
      line(
        'definition load + graph build',
        r.load_s,
        num(d.load_s),
        `${formatCount(n)} assets, ${formatCount(row.edges)} edges`,
        ' ',
      ),
      line(
        'materialize everything',
        r.materialize_s,
        num(d.materialize_s),
        `${formatCount(r.materialized ?? 0)}${per(r.materialize_s, r.materialized)}; ${d.materialized === undefined ? '–' : formatCount(Number(d.materialized))}${per(num(d.materialize_s), num(d.materialized))}`,
      ),
      line(
        `status after one source change (${row.changedKey})`,
        r.status_s,
        num(d.status_s) === undefined ? undefined : (num(d.status_s) ?? 0) + (num(d.observe_one_s) ?? 0),
        `${r.stale ?? '–'} not fresh; ${d.stale ?? '–'} not fresh`,
      ),
      line(
        're-run after that change',
        r.rerun_s,
        num(d.rerun_s),
        `${formatCount(r.rerun_materialized)} materialized (Rivers' default: the stale ones); ${d.rerun_materialized ?? '–'} materialized (Dagster: the source's downstream)`,
        ' ',
      ),
    ],
  )
}

/**
 * The Markdown of a peers run.
 * @example writeFileSync('benches/results/peers.md', renderPeers(report))
 */
export function renderPeers(report: PeersReport): string {
  const m = report.machine
  const out: string[] = []
  out.push('# Rivers and Dagster on the same graphs (`npm run bench -- --peers`)\n')
  out.push(
    `Run ${report.startedAt}, ${report.durationS.toFixed(0)} s. Rivers ${(m.gitCommit ?? 'unknown').slice(0, 12)}${m.gitDirty ? ' (dirty)' : ''} on Node ${m.node}; Dagster ${report.dagster} on Python ${report.python}${report.venvSetupS > 0 ? ` (venv and pip install in ${report.venvSetupS.toFixed(0)} s this run)` : ''}. ${m.cpuModel}, ${m.cores} cores, load ${m.loadStart.join(' ')} → ${(m.loadEnd ?? []).join(' ')}.\n`,
  )
  out.push(
    "Same dbt-like graph (`graphs.ts`, seed 1) for both, trivial assets. Rivers: the library in one process, SQLite store, default executor; the status phase opens a new workspace on the store (a workspace observes its sources once, so the next command sees the change) + `observe()` of every source + `status(['*'])`, as `assets status` does; the re-run is `materialize()` in that workspace. Dagster: one Python process, `DagsterInstance.local_temp` (SQLite), `dagster.materialize()` with its default in-process executor; assets use `deps=` (no inputs loaded, nothing stored), sources are observable source assets; the status phase is `observe()` of the changed source + the stale status of every asset (`CachingStaleStatusResolver`); the re-run is `materialize()` of `AssetSelection.assets(source).downstream()`. Wall times of one run each; on a shared machine, compare ratios, not absolute figures.\n",
  )
  for (const row of report.rows) {
    out.push(`\n## ${formatCount(row.n)} assets\n`)
    out.push(sizeTable(row))
    const imp = num(row.dagster.import_s)
    if (imp !== undefined) out.push(`\n\`import dagster\` took ${secs(imp)} (not in the load row).\n`)
  }
  return `${out.join('\n')}\n`
}
