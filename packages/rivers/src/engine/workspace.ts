/**
 * `openWorkspace`: a project bound to its store, with every command of the `assets` CLI as a method
 * returning the JSON documents of DESIGN.md section 5. The CLI only parses arguments and prints.
 */
import path from 'node:path'

import { codeChangeDetails } from '../code/index.js'
import type { Project } from '../definitions/index.js'
import { closest } from '../definitions/suggest.js'
import { Store } from '../store/store.js'
import { runPlan, validateRunConfig } from './executor.js'
import { CAUSE_KINDS, causeMessage, missingInput, rootCauseMessage, unknownAsset } from './messages.js'
import { callNative } from './native.js'
import { ProjectState } from './state.js'
import type {
  AssetDetail,
  AssetInfo,
  CauseView,
  LineageView,
  MaterializeOptions,
  PlanReport,
  RootCauseView,
  RunInfo,
  RunSummary,
  StatusEntry,
  StatusReport,
} from './types.js'

/** Options of `openWorkspace`. */
export interface WorkspaceOptions {
  /** Store folder; default `RIVERS_HOME`, else `.rivers/` in `projectDir`. */
  storeDir?: string
  /** Folder of the project file (default: the current directory). */
  projectDir?: string
  /** pino level of run logs (default `info`). */
  logLevel?: string
  /** Human-readable log lines on stderr (default: when stderr is a TTY). */
  pretty?: boolean
  /** Where human/NDJSON log lines go (default: stderr); run logs are also written to the store. */
  logDestination?: NodeJS.WritableStream
}

const STATUS = ['missing', 'stale', 'fresh'] as const

/**
 * A project bound to its store. Open with `openWorkspace`, close when done.
 *
 * @example
 * const ws = await openWorkspace(project)
 * const summary = await ws.materialize({ select: ['+model'] })
 * ws.close()
 */
export class Workspace {
  private constructor(
    readonly project: Project,
    readonly storeDir: string,
    readonly store: Store,
    readonly state: ProjectState,
    readonly options: WorkspaceOptions,
  ) {}

  /** Opens the store, builds the graph, loads records, observes sources. */
  static async open(project: Project, options: WorkspaceOptions = {}): Promise<Workspace> {
    const storeDir = path.resolve(
      options.storeDir ?? process.env.RIVERS_HOME ?? path.join(options.projectDir ?? process.cwd(), '.rivers'),
    )
    const store = Store.open(storeDir)
    try {
      const state = ProjectState.create(project, store, path.resolve(options.projectDir ?? process.cwd()))
      return new Workspace(project, storeDir, store, state, options)
    } catch (e) {
      store.close()
      throw e
    }
  }

  private observed = false

  /**
   * Observes the sources once per workspace (their versions matter to statuses and plans). Commands
   * that do not look at staleness (list, graph, runs, wipe) never pay for it.
   */
  async observe(): Promise<void> {
    if (this.observed) return
    this.observed = true
    await this.state.observeSources('observe')
  }

  /** Keys selected by the union of `exprs` (default `*`); throws when nothing matches. */
  async select(exprs: readonly string[] = []): Promise<string[]> {
    return [...(await this.selectIds(exprs))].map((i) => this.state.asset(i).key)
  }

  /** Ids selected; observes the sources first when a `status:` term needs them. */
  private async selectIds(exprs: readonly string[]): Promise<Uint32Array> {
    if (exprs.some((e) => e.includes('status:'))) await this.observe()
    return this.state.select(exprs)
  }

  /**
   * Status, causes, root causes and `planned` of each selected asset, for the given run config
   * (default: every asset's default config).
   */
  async status(
    exprs: readonly string[] = [],
    options: { config?: Record<string, unknown> } = {},
  ): Promise<StatusReport> {
    await this.observe()
    const st = this.state
    st.setConfig(options.config ?? {}, false)
    const ids = st.select(exprs)
    const statuses = callNative(() => st.graph.statuses(ids))
    const causes = callNative(() => st.graph.causes(ids))
    const roots = callNative(() => st.graph.rootCauses(ids))
    const plan = callNative(() => st.graph.plan(ProjectState.selectsAll(exprs) ? null : ids, false))
    const planned = new Set(plan.ids)
    const keyOf = (id: number): string => st.graph.keyOf(id) ?? `#${id}`
    const isMissing = (id: number): boolean => id < st.size && st.dataVersion[id] === ''
    const assets: StatusEntry[] = [...ids].map((id, row) => {
      const a = st.asset(id)
      const entry: StatusEntry = {
        key: a.key,
        status: STATUS[statuses[row]!]!,
        planned: planned.has(id),
        causes: [],
        rootCauses: [],
      }
      for (let c = causes.offsets[row]!; c < causes.offsets[row + 1]!; c++) {
        const kind = CAUSE_KINDS[causes.kinds[c]!] as CauseView['kind']
        const depId = causes.deps[c]!
        const view: CauseView = { kind, message: '' }
        if (depId !== 0xffffffff) view.dep = keyOf(depId)
        view.message = causeMessage(kind, a.key, view.dep, depId !== 0xffffffff && isMissing(depId))
        entry.causes.push(view)
      }
      for (let c = roots.offsets[row]!; c < roots.offsets[row + 1]!; c++) {
        const kind = CAUSE_KINDS[roots.kinds[c]!] as RootCauseView['kind']
        const key = keyOf(roots.ids[c]!)
        entry.rootCauses.push({ key, kind, message: rootCauseMessage(kind, key) })
      }
      const last = st.last.get(a.key)
      if (last !== undefined) entry.last = { runId: last.runId, at: last.at, dataVersion: last.dataVersion }
      if (a.isSource) entry.source = true
      return entry
    })
    this.explainCodeChanges(assets)
    return { assets }
  }

  /** Adds what changed (files, packages) to the messages of `code_changed` causes and root causes. */
  private explainCodeChanges(assets: StatusEntry[]): void {
    const keys = new Set<string>()
    for (const e of assets) {
      if (e.causes.some((c) => c.kind === 'code_changed')) keys.add(e.key)
      for (const r of e.rootCauses) if (r.kind === 'code_changed') keys.add(r.key)
    }
    if (keys.size === 0) return
    const code = (k: string): string | undefined => this.state.code[this.state.ids.get(k) ?? -1]
    const details = codeChangeDetails(this.store.latestRecords(), this.storeDir, keys, code)
    for (const e of assets) {
      for (const c of e.causes)
        if (c.kind === 'code_changed') c.message = causeMessage(c.kind, e.key, undefined, false, details.get(e.key))
      for (const r of e.rootCauses)
        if (r.kind === 'code_changed') r.message = rootCauseMessage(r.kind, r.key, undefined, details.get(r.key))
    }
  }

  /** The plan of a selection, in layers; refuses a planned asset whose unselected input is missing. */
  async plan(
    exprs: readonly string[] = [],
    options: { force?: boolean; config?: Record<string, unknown> } = {},
  ): Promise<PlanReport> {
    await this.observe()
    const config = options.config ?? {}
    // Config given must be valid (as for a run); missing required config of planned assets is left
    // to the run: a plan is for looking.
    validateRunConfig(this.state, config, [])
    this.state.setConfig(config, false)
    const { layers } = this.planIds(exprs, options.force ?? false)
    const named = layers.map((l) => l.map((i) => this.state.asset(i).key))
    return {
      selection: exprs.length === 0 ? ['*'] : [...exprs],
      force: options.force ?? false,
      layers: named,
      count: named.reduce((n, l) => n + l.length, 0),
    }
  }

  /** Plan as ids in layers (shared by `plan` and `materialize`). */
  planIds(exprs: readonly string[], force: boolean): { selection: Uint32Array; layers: number[][] } {
    const st = this.state
    const selection = st.select(exprs)
    const p = callNative(() => st.graph.plan(ProjectState.selectsAll(exprs) ? null : selection, force))
    if (p.missingInputs.length > 0)
      throw missingInput(st.asset(p.missingInputs[0]!).key, st.asset(p.missingInputs[1]!).key)
    const layers: number[][] = []
    for (let l = 0; l + 1 < p.layerOffsets.length; l++)
      layers.push([...p.ids.subarray(p.layerOffsets[l]!, p.layerOffsets[l + 1]!)])
    return { selection, layers }
  }

  /** Runs the plan of a selection; resolves to the run summary (never rejects for asset failures). */
  async materialize(options: MaterializeOptions = {}): Promise<RunSummary> {
    await this.observe()
    return runPlan(this, options)
  }

  /** Keys, groups, tags, kinds, owners, deps, descriptions of the selected assets. */
  async list(exprs: readonly string[] = []): Promise<AssetInfo[]> {
    return [...(await this.selectIds(exprs))].map((i) => this.info(i))
  }

  /** Lineage of the selected assets: nodes and the edges between them. */
  async lineage(exprs: readonly string[] = []): Promise<LineageView> {
    const ids = await this.selectIds(exprs)
    const keys = new Set([...ids].map((i) => this.state.asset(i).key))
    const nodes = [...ids].map((i) => this.info(i))
    const edges: [string, string][] = []
    for (const n of nodes) for (const d of n.deps) if (keys.has(d)) edges.push([d, n.key])
    return { nodes, edges }
  }

  /** Run history, newest first; with `asset` and `metric`, each run's value of that metric. */
  runs(options: { limit?: number; asset?: string; metric?: string } = {}): RunInfo[] {
    const runs = this.store.listRuns({ limit: options.limit ?? 20 })
    const metricByRun = new Map<string, number>()
    let filtered = runs
    if (options.asset !== undefined) {
      this.requireKey(options.asset)
      if (options.metric !== undefined) {
        for (const p of this.store.metricHistory(options.asset, options.metric)) metricByRun.set(p.runId, p.value)
        filtered = runs.filter((r) => metricByRun.has(r.id))
      } else {
        const built = new Set(this.store.assetHistory(options.asset, { limit: 1000 }).map((h) => h.runId))
        filtered = runs.filter((r) => built.has(r.id))
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
      return info
    })
  }

  /** One asset: definition, status, and its records with inputs, metadata, metrics and checks. */
  async show(key: string, options: { limit?: number } = {}): Promise<AssetDetail> {
    const id = this.requireKey(key)
    const history = this.store.assetHistory(key, { limit: options.limit ?? 10 }).map((h) => {
      const entry: AssetDetail['history'][number] = {
        runId: h.runId,
        at: h.finishedAt,
        kind: h.kind,
        dataVersion: h.dataVersion,
        codeVersion: h.codeVersion,
        configHash: h.configHash,
        durationMs: h.durationMs,
        inputs: h.inputs.map((i) => ({ key: i.key, dataVersion: i.dataVersion })),
        metadata: h.metadata ?? {},
        metrics: h.metrics,
        checks: h.checks.map((c) =>
          c.message === null
            ? { name: c.name, passed: c.passed, blocking: c.blocking }
            : { name: c.name, passed: c.passed, blocking: c.blocking, message: c.message },
        ),
      }
      if (h.storagePath !== null) entry.storagePath = h.storagePath
      return entry
    })
    return {
      info: this.info(id),
      status: (await this.status([`key:${key}`])).assets[0]!,
      history,
      failures: this.failures(key),
    }
  }

  /** Failed attempts of an asset in the recent runs (newest first), from their `attempt_failed` events. */
  private failures(key: string, runs = 10, limit = 10): AssetDetail['failures'] {
    const out: AssetDetail['failures'] = []
    for (const run of this.store.listRuns({ limit: runs })) {
      const events = this.store.runEvents(run.id).filter((e) => e.key === key && e.type === 'attempt_failed')
      for (const e of events.reverse()) {
        const d = (e.data ?? {}) as { attempt?: number; of?: number; error?: string; willRetry?: boolean }
        out.push({
          runId: run.id,
          at: e.at,
          attempt: d.attempt ?? 1,
          of: d.of ?? d.attempt ?? 1,
          error: d.error ?? '',
          willRetry: d.willRetry === true,
        })
        if (out.length >= limit) return out
      }
    }
    return out
  }

  /** Forgets the latest records of the selected assets (history is kept); returns their keys. */
  async wipe(exprs: readonly string[] = []): Promise<string[]> {
    const keys = await this.select(exprs)
    this.store.wipe(keys)
    this.state.reload()
    return keys
  }

  /** Closes the store. */
  close(): void {
    this.store.close()
  }

  private requireKey(key: string): number {
    const id = this.state.ids.get(key)
    if (id === undefined) {
      const keys = [...this.state.ids.keys()]
      throw unknownAsset(key, closest(key, keys))
    }
    return id
  }

  private info(i: number): AssetInfo {
    const a = this.state.asset(i)
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
}

/**
 * Opens a project against its store: builds the native graph once, loads every latest record in one
 * query, and observes the sources.
 *
 * @example
 * const ws = await openWorkspace(project, { storeDir: '.rivers' })
 * console.log(ws.status(['*']).assets.filter((a) => a.planned).map((a) => a.key))
 * ws.close()
 */
export function openWorkspace(project: Project, options: WorkspaceOptions = {}): Promise<Workspace> {
  return Workspace.open(project, options)
}
