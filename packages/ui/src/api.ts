/**
 * The JSON documents of the API, read from the workspace's public methods: the graph (columnar, with
 * its layout), one asset, the run list and one run. The HTTP side is in server.ts.
 */
import {
  type AssetDetail,
  type AutomationDecisionRecord,
  type EvaluatedNode,
  formatTree,
  type LogRecord,
  type RunInfo,
  type StatusEntry,
  type Workspace,
} from '@rivers-orchestrator/rivers'

import { collapseGroups, type NodeColumns } from './collapse.js'
import { unknownRun } from './errors.js'
import { cachedLayout, type Layout } from './layout.js'
import type { RunTracker, TimelineEntry } from './runs.js'

/** What a graph node shows: the store's status, or what a run of this server is doing to it. */
export type NodeStatus = StatusEntry['status'] | 'running' | 'failed' | 'source'

/** `GET /api/graph`: every asset as columns (index i is one asset), its edges and its layout. */
export interface GraphDoc {
  hash: string
  keys: string[]
  /** Index into `groups` of each asset's group, or -1. */
  group: number[]
  groups: string[]
  status: NodeStatus[]
  /** Per asset: `[total, fresh, stale, missing]` partitions, or null when not partitioned. */
  partitions: ([number, number, number, number] | null)[]
  layer: number[]
  row: number[]
  layers: number
  rows: number
  /** Flat pairs: `edges[2k]` is the dependency, `edges[2k+1]` the dependent (indexes). */
  edges: number[]
  /** With `?select=`: indexes of the selected assets (of the group nodes holding them, when collapsed). */
  selected?: number[]
  /** With `?collapse=`: how many assets each node stands for (0: a plain asset). */
  members?: number[]
  /** With `?collapse=`: the group node (`group:NAME`) of each asset of a collapsed group. */
  memberOf?: Record<string, string>
  /** Milliseconds spent on the server: reading statuses, laying out. */
  timings: { statusMs: number; layoutMs: number }
}

/**
 * The graph document, with the selection `select` (union of expressions) when given, and the
 * groups of `collapse` (names, or `*`) folded into one node each.
 *
 * @example
 * const doc = await graphDoc(ws, tracker, new Map(), ['+model'], ['ingest'])
 */
export async function graphDoc(
  ws: Workspace,
  tracker: RunTracker,
  cache: Map<string, Layout>,
  select: readonly string[] = [],
  collapse: readonly string[] = [],
): Promise<GraphDoc> {
  const t0 = performance.now()
  const [{ nodes, edges: pairs }, report] = await Promise.all([ws.lineage(['*']), ws.status(['*'])])
  const selected = select.length === 0 ? undefined : await ws.select(select)
  const t1 = performance.now()
  const index = new Map(nodes.map((n, i) => [n.key, i]))
  const groups: string[] = []
  const groupIndex = new Map<string, number>()
  const byKey = new Map(report.assets.map((a) => [a.key, a]))
  let columns: NodeColumns & { members?: number[]; memberOf?: Record<string, string> } = {
    keys: nodes.map((n) => n.key),
    group: nodes.map((n) => {
      if (n.group === undefined) return -1
      let g = groupIndex.get(n.group)
      if (g === undefined) groupIndex.set(n.group, (g = groups.push(n.group) - 1))
      return g
    }),
    status: nodes.map((n) => {
      const live = tracker.overlay(n.key)
      if (live !== undefined) return live
      const s = byKey.get(n.key)
      return s?.source === true && s.status === 'fresh' ? 'source' : (s?.status ?? 'missing')
    }),
    partitions: nodes.map((n) => {
      const p = byKey.get(n.key)?.partitions
      return p === undefined ? null : [p.total, p.fresh, p.stale, p.missing]
    }),
    edges: pairs.map(([a, b]) => [index.get(a)!, index.get(b)!] as const),
  }
  if (selected !== undefined) columns.selected = selected.map((k) => index.get(k)!)
  if (collapse.length > 0) columns = collapseGroups(columns, collapse, groups)
  const layout = cachedLayout(cache, columns.keys, columns.edges)
  const t2 = performance.now()
  const doc: GraphDoc = {
    hash: layout.hash,
    keys: columns.keys,
    group: columns.group,
    groups,
    status: columns.status as NodeStatus[],
    partitions: columns.partitions,
    layer: Array.from(layout.layer),
    row: Array.from(layout.row),
    layers: layout.layers,
    rows: layout.rows,
    edges: columns.edges.flat(),
    timings: { statusMs: Math.round(t1 - t0), layoutMs: Math.round(t2 - t1) },
  }
  if (columns.selected !== undefined) doc.selected = columns.selected
  if (columns.members !== undefined) {
    doc.members = columns.members
    doc.memberOf = columns.memberOf!
  }
  return doc
}

/** `GET /api/assets/KEY`: `assets show --json` plus lineage, metric series, partitions and decisions. */
export interface AssetDoc extends AssetDetail {
  upstream: string[]
  downstream: string[]
  /** Each metric across the asset's records, oldest first: one value per record (its last step's). */
  metrics: Record<string, { runId: string; at: string; value: number; step?: number }[]>
  /** Metrics logged at several steps in the newest record that has them: that record's curve. */
  steps: Record<string, { runId: string; points: { step: number; value: number }[] }>
  partitionRuns?: Awaited<ReturnType<Workspace['partitions']>>
  automation: DecisionDoc[]
  /** Running now, or failed last, in a run of this server. */
  live?: 'running' | 'failed'
  lastFailure?: { runId: string; error: string }
}

/**
 * One asset's document, with up to `limit` records of history.
 *
 * @example
 * const doc = await assetDoc(ws, tracker, 'model', 1000)
 */
export async function assetDoc(ws: Workspace, tracker: RunTracker, key: string, limit: number): Promise<AssetDoc> {
  const detail = await ws.show(key, { limit })
  const downstream = (await ws.select([`${key}+1`])).filter((k) => k !== key)
  const { metrics, steps } = metricSeries(detail.history)
  const doc: AssetDoc = { ...detail, upstream: detail.info.deps, downstream, metrics, steps, automation: [] }
  if (detail.status.partitions !== undefined) doc.partitionRuns = await ws.partitions(key)
  try {
    doc.automation = decisionDocs(await ws.automationLog({ key, limit: 20 }))
  } catch {
    // A store without automation decisions: the page leaves the section out.
  }
  const live = tracker.overlay(key)
  if (live !== undefined) doc.live = live
  const failure = tracker.failure(key)
  if (failure !== undefined) doc.lastFailure = failure
  return doc
}

/**
 * The run list, newest first (runs of every process).
 *
 * @example
 * const runs = await runsDoc(ws, 50)
 */
export async function runsDoc(ws: Workspace, limit: number): Promise<{ runs: (RunInfo & { durationMs?: number })[] }> {
  const runs = await ws.runs({ limit })
  return {
    runs: runs.map((r) =>
      r.finishedAt === undefined ? r : { ...r, durationMs: Date.parse(r.finishedAt) - Date.parse(r.startedAt) },
    ),
  }
}

/** `GET /api/runs/ID`: the run, its timeline, and whether this server runs it (then it can be cancelled). */
export interface RunDoc {
  run: RunInfo & { durationMs?: number }
  timeline: TimelineEntry[]
  planned?: string[]
  cancellable: boolean
  summary?: unknown
}

/**
 * One run: from this server's tracker when it started the run, else its timeline from its log.
 *
 * @example
 * const doc = await runDoc(ws, tracker, 'r-42')
 */
export async function runDoc(ws: Workspace, tracker: RunTracker, runId: string): Promise<RunDoc> {
  const info = (await ws.runs({ limit: 10_000 })).find((r) => r.runId === runId)
  const live = tracker.live(runId)
  if (info === undefined && live === undefined) throw unknownRun(runId)
  const run = info ?? {
    runId,
    status: 'running' as const,
    startedAt: live!.startedAt,
    selection: [],
    materialized: 0,
    failed: 0,
    skipped: 0,
  }
  const withDuration =
    run.finishedAt === undefined ? run : { ...run, durationMs: Date.parse(run.finishedAt) - Date.parse(run.startedAt) }
  if (live !== undefined)
    return {
      run: withDuration,
      timeline: live.timeline,
      planned: live.planned,
      cancellable: live.summary === undefined,
      ...(live.summary === undefined ? {} : { summary: live.summary }),
    }
  let records: LogRecord[] = []
  try {
    records = (await ws.logs(runId)).records
  } catch {
    // A run without a log (removed by gc): no timeline.
  }
  return { run: withDuration, timeline: timelineOf(records), cancellable: false }
}

/**
 * A run's timeline from its log: each asset's first and last line, and whether it failed.
 *
 * @example
 * timelineOf([{ level: 30, time: '2026-01-01T00:00:00.000Z', asset: 'raw', msg: 'started' }])
 */
export function timelineOf(records: readonly LogRecord[]): TimelineEntry[] {
  const bars = new Map<string, TimelineEntry>()
  for (const r of records) {
    if (r.asset === undefined) continue
    const t = Date.parse(r.time)
    const bar = bars.get(r.asset)
    if (bar === undefined) bars.set(r.asset, { key: r.asset, start: t, end: t, status: 'materialized' })
    else bar.end = t
    if (r.level >= 50) bars.get(r.asset)!.status = 'failed'
  }
  return [...bars.values()]
}

/** A stored automation decision with its condition tree as text (one line per node). */
export interface DecisionDoc extends AutomationDecisionRecord {
  text: string
}

/**
 * Decisions with their trees written out as `assets automation` prints them.
 *
 * @example
 * decisionDocs(await ws.automationLog({ limit: 20 }))[0]?.text // '✓ eager: input features has a new data version'
 */
export function decisionDocs(records: readonly AutomationDecisionRecord[]): DecisionDoc[] {
  return records.map((r) => {
    let text = ''
    try {
      text = formatTree(r.tree as EvaluatedNode)
    } catch {
      text = JSON.stringify(r.tree)
    }
    return { ...r, text }
  })
}

/**
 * Metric series of an asset's records (newest first in `history`): across records, one point per
 * record (the value of its highest step when it logged several); within the newest record that
 * logged a metric at several steps, that curve.
 *
 * @example
 * const { metrics, steps } = metricSeries(detail.history)
 */
export function metricSeries(history: AssetDetail['history']): Pick<AssetDoc, 'metrics' | 'steps'> {
  const metrics: AssetDoc['metrics'] = {}
  const steps: AssetDoc['steps'] = {}
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!
    const last = new Map<string, { value: number; step?: number }>()
    const curves = new Map<string, { step: number; value: number }[]>()
    for (const m of h.metrics) {
      const prev = last.get(m.name)
      if (prev === undefined || (m.step ?? 0) >= (prev.step ?? 0)) last.set(m.name, m)
      if (m.step !== undefined) {
        let c = curves.get(m.name)
        if (c === undefined) curves.set(m.name, (c = []))
        c.push({ step: m.step, value: m.value })
      }
    }
    for (const [name, m] of last) {
      const point: AssetDoc['metrics'][string][number] = { runId: h.runId, at: h.at, value: m.value }
      if (m.step !== undefined) point.step = m.step
      let series = metrics[name]
      if (series === undefined) metrics[name] = series = []
      series.push(point)
    }
    for (const [name, c] of curves)
      if (c.length > 1) steps[name] = { runId: h.runId, points: c.sort((a, b) => a.step - b.step) }
  }
  return { metrics, steps }
}
