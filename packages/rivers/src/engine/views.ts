/**
 * The JSON documents of the read-only commands, built from the project state and the store: status
 * entries, asset infos, run history, and an asset's records and recent failures.
 */
import type { Store } from '../store/store.js'
import type { SourceDef } from '../definitions/index.js'
import { describeFailure } from './errors.js'
import { causeKindName, causeMessage, rootCauseMessage, unobservableMessage } from './explain.js'
import type { AssetId, StatusRows } from './planner.js'
import type { ProjectState } from './project-state.js'
import { metricValues } from '../models/versions.js'
import type {
  AssetDetail,
  AssetInfo,
  CauseView,
  RunInfo,
  RunSummary,
  StatusEntry,
  UnobservableSource,
} from './types.js'

/**
 * Status entries of `assets status --json`, from the core's rows (read in place: one entry object
 * per asset, and cause objects only for assets that have causes).
 *
 * @example
 * const assets = statusEntries(state, state.statusReport(exprs, ids))
 */
export function statusEntries(st: ProjectState, report: StatusRows): StatusEntry[] {
  const { ids, statuses, causes, roots, noDep, planned } = report
  const isMissing = (dep: number): boolean => dep < st.size && st.dataVersion(dep as AssetId) === ''
  const failed = (key: string): string | undefined => {
    const obs = st.observation(key)
    return obs === undefined || obs.ok ? undefined : describeFailure(obs.error)
  }
  const out = new Array<StatusEntry>(ids.length)
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row]!
    const a = st.asset(id)
    const entry: StatusEntry = {
      key: a.key,
      status: statuses[row]!,
      planned: planned[id] === 1,
      causes: [],
      rootCauses: [],
    }
    for (let c = causes.offsets[row]!; c < causes.offsets[row + 1]!; c++) {
      const kind = causeKindName(causes.kinds[c]!) as CauseView['kind']
      const depId = causes.deps[c]!
      const view: CauseView = { kind, message: '' }
      if (depId !== noDep) view.dep = st.keyOf(depId)
      const depError = view.dep === undefined ? undefined : failed(view.dep)
      view.message =
        depError !== undefined
          ? unobservableMessage(view.dep!, depError)
          : causeMessage(kind, a.key, view.dep, depId !== noDep && isMissing(depId))
      entry.causes.push(view)
    }
    for (let c = roots.offsets[row]!; c < roots.offsets[row + 1]!; c++) {
      const kind = causeKindName(roots.kinds[c]!)
      const key = st.keyOf(roots.ids[c]!)
      const error = failed(key)
      entry.rootCauses.push(
        error === undefined
          ? { key, kind, message: rootCauseMessage(kind, key) }
          : { key, kind: 'source_unobservable', message: unobservableMessage(key, error) },
      )
    }
    const last = st.lastRun(id)
    if (last !== undefined) entry.last = last
    if (a.isSource) {
      entry.source = true
      const error = failed(a.key)
      if (error !== undefined) {
        entry.status = 'unobservable'
        const file = st.sourcePath(a.def as SourceDef)
        entry.observation = file === undefined ? { error } : { path: file, error }
      }
    }
    out[row] = entry
  }
  return out
}

/**
 * The sources that planned assets read directly and that could not be observed, in key order.
 *
 * @example
 * unobservableInputs(state, layers.flat()) // [{ key: 'raw', path: '/p/data/raw.csv', error: 'ENOENT…' }]
 */
export function unobservableInputs(st: ProjectState, planned: readonly AssetId[]): UnobservableSource[] {
  const out = new Map<string, UnobservableSource>()
  for (const id of planned) {
    for (const d of st.asset(id).deps) {
      const obs = st.observation(d.key)
      if (obs === undefined || obs.ok || out.has(d.key)) continue
      const file = st.sourcePath(st.asset(st.idOf(d.key)!).def as SourceDef)
      const error = describeFailure(obs.error)
      out.set(d.key, file === undefined ? { key: d.key, error } : { key: d.key, path: file, error })
    }
  }
  return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/**
 * An asset as `assets list --json` shows it.
 *
 * @example
 * assetInfo(state, id) // { key: 'model', deps: ['features'], isSource: false, tags: {}, … }
 */
export function assetInfo(st: ProjectState, id: AssetId): AssetInfo {
  const a = st.asset(id)
  const info: AssetInfo = {
    key: a.key,
    deps: [...new Set(a.deps.map((d) => d.key))],
    isSource: a.isSource,
    tags: { ...a.tags },
    kinds: [...a.kinds],
    owners: [...a.owners],
  }
  if (a.description !== undefined) info.description = a.description
  if (a.group !== undefined) info.group = a.group
  return info
}

/**
 * Run history, newest first; with `asset` (a known key) and `metric`, each run's value of that metric.
 *
 * @example
 * await runInfos(store, { limit: 10, asset: 'model', metric: 'auc' })
 */
export async function runInfos(
  store: Store,
  options: { limit?: number; asset?: string; metric?: string },
): Promise<RunInfo[]> {
  const runs = await store.listRuns({ limit: options.limit ?? 20 })
  const metricByRun = new Map<string, number>()
  const recordByRun = new Map<string, NonNullable<RunInfo['record']>>()
  let filtered = runs
  if (options.asset !== undefined) {
    if (options.metric !== undefined) {
      for (const p of await store.metricHistory(options.asset, options.metric)) metricByRun.set(p.runId, p.value)
      filtered = runs.filter((r) => metricByRun.has(r.id))
    } else {
      // Newest first: the first record of a run is its last one of this asset.
      for (const h of await store.assetHistory(options.asset, { limit: 1000 }))
        if (!recordByRun.has(h.runId))
          recordByRun.set(h.runId, { dataVersion: h.dataVersion, params: h.params, metrics: metricValues(h.metrics) })
      filtered = runs.filter((r) => recordByRun.has(r.id))
    }
  }
  return filtered.map((r) => {
    const s = (r.summary ?? {}) as Partial<RunSummary>
    const info: RunInfo = {
      runId: r.id,
      status: r.status,
      startedAt: r.startedAt,
      selection: r.selection,
      materialized: s.materialized?.length ?? 0,
      failed: s.failed?.length ?? 0,
      skipped: s.skipped?.length ?? 0,
    }
    if (r.finishedAt !== null) info.finishedAt = r.finishedAt
    if ((s as { interrupted?: unknown }).interrupted === true) info.interrupted = true
    const m = metricByRun.get(r.id)
    if (m !== undefined) info.metric = m
    const record = recordByRun.get(r.id)
    if (record !== undefined) info.record = record
    return info
  })
}

/**
 * An asset's records, newest first, with the config values each was built with.
 *
 * @example
 * const history = await assetRecords(store, 'model', 10)
 */
export async function assetRecords(store: Store, key: string, limit: number): Promise<AssetDetail['history']> {
  return (await store.assetHistory(key, { limit })).map((h) => {
    const entry: AssetDetail['history'][number] = {
      runId: h.runId,
      at: h.finishedAt,
      kind: h.kind,
      dataVersion: h.dataVersion,
      codeVersion: h.codeVersion,
      configHash: h.configHash,
      durationMs: h.durationMs,
      inputs: h.inputs.map((i) =>
        i.partition === ''
          ? { key: i.key, dataVersion: i.dataVersion }
          : { key: i.key, dataVersion: i.dataVersion, partition: i.partition },
      ),
      metadata: h.metadata ?? {},
      metrics: h.metrics,
      checks: h.checks.map((c) =>
        c.message === null
          ? { name: c.name, passed: c.passed, blocking: c.blocking }
          : { name: c.name, passed: c.passed, blocking: c.blocking, message: c.message },
      ),
    }
    if (h.partition !== '') entry.partition = h.partition
    if (h.storagePath !== null) entry.storagePath = h.storagePath
    if (h.collectedAt !== null) entry.collectedAt = h.collectedAt
    if (h.pin !== null)
      entry.pin = h.pin.note === null ? { pinnedAt: h.pin.pinnedAt } : { note: h.pin.note, pinnedAt: h.pin.pinnedAt }
    if (h.params !== null && h.params !== undefined) entry.config = h.params
    return entry
  })
}

/**
 * Failed attempts of an asset in the recent runs (newest first), from their `attempt_failed`
 * events, with where in the user's code each failed when known.
 *
 * @example
 * const failures = await assetFailures(store, 'model')
 */
export async function assetFailures(
  store: Store,
  key: string,
  runs = 10,
  limit = 10,
): Promise<AssetDetail['failures']> {
  const out: AssetDetail['failures'] = []
  for (const run of await store.listRuns({ limit: runs })) {
    const events = (await store.runEvents(run.id)).filter((e) => e.key === key && e.type === 'attempt_failed')
    for (const e of events.reverse()) {
      const d = (e.data ?? {}) as {
        attempt?: number
        of?: number
        error?: string
        willRetry?: boolean
        location?: string
      }
      out.push({
        runId: run.id,
        at: e.at,
        attempt: d.attempt ?? 1,
        of: d.of ?? d.attempt ?? 1,
        error: d.error ?? '',
        ...(typeof d.location === 'string' ? { location: d.location } : {}),
        willRetry: d.willRetry === true,
      })
      if (out.length >= limit) return out
    }
  }
  return out
}

/**
 * Whether any entry has a `code_changed` cause or root cause (whose message can say what changed).
 *
 * @example
 * if (needsCodeDetails(assets)) explainCodeChanges(assets, details, state)
 */
export function needsCodeDetails(assets: readonly StatusEntry[]): boolean {
  return assets.some(
    (e) => e.causes.some((c) => c.kind === 'code_changed') || e.rootCauses.some((r) => r.kind === 'code_changed'),
  )
}

/**
 * Adds what changed (files, packages) to the messages of `code_changed` causes and root causes.
 * `details(keys, current)` describes, per key, the change from its recorded code version to `current`.
 *
 * @example
 * explainCodeChanges(assets, (keys) => new Map([...keys].map((k) => [k, 'src/lib.ts changed'])), state)
 */
export function explainCodeChanges(
  assets: StatusEntry[],
  details: (keys: ReadonlySet<string>, current: (key: string) => string | undefined) => Map<string, string>,
  st: ProjectState,
): void {
  const keys = new Set<string>()
  for (const e of assets) {
    if (e.causes.some((c) => c.kind === 'code_changed')) keys.add(e.key)
    for (const r of e.rootCauses) if (r.kind === 'code_changed') keys.add(r.key)
  }
  const found = details(keys, (k) => {
    const id = st.idOf(k)
    return id === undefined ? undefined : st.codeVersion(id)
  })
  for (const e of assets) {
    for (const c of e.causes)
      if (c.kind === 'code_changed') c.message = causeMessage(c.kind, e.key, undefined, false, found.get(e.key))
    for (const r of e.rootCauses)
      if (r.kind === 'code_changed') r.message = rootCauseMessage(r.kind, r.key, undefined, found.get(r.key))
  }
}
