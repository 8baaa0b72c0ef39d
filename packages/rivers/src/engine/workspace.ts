/**
 * `Workspace`: a project bound to its store and seams, with every command of the `assets` CLI as a
 * method returning the JSON documents of docs/cli.md. The CLI only parses arguments and prints.
 * Each command resolves its run config once (`RunConfig`) and puts it in force before looking at
 * staleness, so status, plan and materialize agree on what a config means.
 */
import type { LevelWithSilent, Logger } from 'pino'

import { pinoLib } from '../deps.js'
import { TickMemo } from './automation-memo.js'
import { codeChangeDetails } from '../code/index.js'
import type { AutomationDecisionRecord, TickLaunch, TickOptions, TickReport } from './automation.js'
import type { AssetDef, Project } from '../definitions/index.js'
import { closest } from '../definitions/suggest.js'
import { parsePartitionArg } from '../partitions/selection.js'
import type { IOManager } from '../io/types.js'
import { type LogFilter, type LogRecord, readRunLog } from '../log-read.js'
import type { Store } from '../store/store.js'
import type { PinRecord } from '../store/types.js'
import type { Tracker } from '../tracking/tracker.js'
import {
  invalidConcurrency,
  missingInput,
  notMaterialized,
  notPartitioned,
  partitionKeyNeeded,
  sourceNotStored,
  unknownAsset,
  unreportedSource,
} from './errors.js'
import type { GcReport } from './gc.js'
import { validateLaunches } from './launch.js'
import type { AssetId } from './planner.js'
import { addDynamicKeys, type DynamicSetEdit, removeDynamicKeys } from './partition-sets.js'
import type { BackfillOptions, BackfillReport } from './backfill.js'
import {
  partitionEntries,
  partitionRanges,
  partitionsReport,
  plannedPartitions,
  withPartitionStatus,
} from './partition-select.js'
import { ProjectState } from './project-state.js'
import { ModelRegistry } from '../models/registry.js'
import { tellTrackers } from './run-context.js'
import { RunConfig } from './run-config.js'
import { followRun, resolveRun } from './run-logs.js'
import type {
  AssetDetail,
  AssetInfo,
  LineageView,
  MaterializeOptions,
  PartitionsReport,
  PlanReport,
  RunInfo,
  RunSummary,
  StatusReport,
  WipeReport,
} from './types.js'
import {
  assetFailures,
  assetInfo,
  assetRecords,
  explainCodeChanges,
  needsCodeDetails,
  runInfos,
  statusEntries,
  unobservableInputs,
} from './views.js'
import { userCode } from './user-code.js'

/** What a workspace is opened with: the store and the seams (chosen by `openWorkspace`). */
export interface WorkspaceSeams {
  store: Store
  /** Store folder: logs, job folders, locks (and the SQLite file, for the default store). */
  storeDir: string
  /** Folder of the project file: relative source paths and user-code locations are relative to it. */
  projectDir: string
  io: IOManager
  trackers: readonly Tracker[]
  log: { level: LevelWithSilent; pretty: boolean; destination?: NodeJS.WritableStream }
}

/** The current versions of an asset (hex), for tools that prepare or inspect stores. */
export interface AssetVersions {
  key: string
  codeVersion: string
  configHash: string
  /** '' when it has none. */
  dataVersion: string
}

/**
 * The engine's larger parts, loaded on first use: importing the library (and `assets --version`)
 * does not load the executor, the tick, gc or backfills. The CLI preloads them (`preloadEngine`)
 * before it registers its project-file hooks, as it does the library itself.
 */
const engine = {
  run: once(() => import('./run.js')),
  automation: once(() => import('./automation.js')),
  gc: once(() => import('./gc.js')),
  backfill: once(() => import('./backfill.js')),
}

/**
 * The module `load` imports, imported once: a second `import()` of a loaded module still resolves
 * its specifier, through Node's loader thread when hooks are registered (milliseconds per tick).
 */
function once<M>(load: () => Promise<M>): () => Promise<M> {
  let loaded: Promise<M> | undefined
  return () => {
    if (loaded === undefined) {
      loaded = load()
      // A failed import is tried again next time (it may be a passing file-system error).
      loaded.catch(() => {
        loaded = undefined
      })
    }
    return loaded
  }
}

/**
 * Loads the parts of the engine that `Workspace` loads on first use (the executor, the tick, gc,
 * backfills), so that a later call does not wait for them.
 *
 * @example
 * await preloadEngine()
 */
export async function preloadEngine(): Promise<void> {
  await Promise.all([engine.run(), engine.automation(), engine.gc(), engine.backfill()])
}

/**
 * A project bound to its store. Open with `openWorkspace`, close when done.
 *
 * @example
 * const ws = await openWorkspace(project)
 * const summary = await ws.materialize({ select: ['+model'] })
 * await ws.close()
 */
export class Workspace {
  readonly #project: Project
  readonly #seams: WorkspaceSeams
  #models: ModelRegistry | undefined
  readonly #state: ProjectState
  readonly #defaults: RunConfig
  #observed: Promise<void> | undefined
  /** When each source was last observed by a tick (epoch ms), for sources with `every`. */
  readonly #observedAt = new Map<string, number>()
  /** Sources observed by ticks: without `every`, and with it (observed once `nextAt` has come). */
  #sources: { plain: string[]; timed: { key: string; every: number }[]; nextAt: number } | undefined
  /** What automation ticks keep between them (built by the first tick). */
  #tickMemo: TickMemo | undefined
  /** The logger ticks hand sensors (made by the first tick). */
  #tickLog: Logger | undefined

  private constructor(project: Project, seams: WorkspaceSeams, state: ProjectState, defaults: RunConfig) {
    this.#project = project
    this.#seams = seams
    this.#state = state
    this.#defaults = defaults
  }

  /**
   * Builds the graph and loads the latest records (one query) over the given seams.
   *
   * @example
   * const ws = await Workspace.open(project, { store, storeDir, projectDir, io, trackers, log })
   */
  static async open(project: Project, seams: WorkspaceSeams): Promise<Workspace> {
    const defaults = RunConfig.resolve(project, {}, seams.projectDir)
    const state = await ProjectState.open(project, seams.store, seams.projectDir, defaults, {
      storeDir: seams.storeDir,
    })
    return new Workspace(project, seams, state, defaults)
  }

  /** The project. */
  get project(): Project {
    return this.#project
  }

  /** The store folder. */
  get storeDir(): string {
    return this.#seams.storeDir
  }

  /**
   * Observes the sources once per workspace (their versions matter to statuses and plans), and
   * takes in partitions that appeared since it opened (a completed time window, dynamic keys added
   * by any process). Commands that do not look at staleness (list, graph, runs, wipe) never pay for it.
   *
   * @example
   * await ws.observe()
   */
  async observe(): Promise<void> {
    this.#observed ??= this.#state.observeSources({
      runId: 'observe',
      log: pinoLib()({ level: 'silent' }),
      signal: new AbortController().signal,
    })
    await this.#observed
    await this.#state.syncPartitionSpaces()
  }

  /**
   * Keys selected by the union of `exprs` (default `*`); throws when nothing matches.
   *
   * @example
   * await ws.select(['tag:ml']) // ['features', 'model']
   */
  async select(exprs: readonly string[] = []): Promise<string[]> {
    return (await this.#selectIds(exprs)).map((i) => this.#state.asset(i).key)
  }

  /** Ids selected; observes the sources first when a `status:` term needs them. */
  async #selectIds(exprs: readonly string[]): Promise<AssetId[]> {
    if (exprs.some((e) => e.includes('status:'))) await this.observe()
    return this.#state.select(exprs)
  }

  /** Resolves the run config of a command (the defaults when none is given) and puts it in force. */
  #useConfig(given: Record<string, unknown> | undefined): RunConfig {
    const config =
      given === undefined ? this.#defaults : RunConfig.resolve(this.#project, given, this.#seams.projectDir)
    this.#state.useConfig(config)
    return config
  }

  /**
   * Status, causes, root causes and `planned` of each selected asset, under the given run config
   * (default: every asset's default config).
   *
   * @example
   * const report = await ws.status(['+model'], { config: { model: { epochs: 3 } } })
   */
  async status(
    exprs: readonly string[] = [],
    options: { config?: Record<string, unknown>; partitions?: readonly string[] } = {},
  ): Promise<StatusReport> {
    await this.observe()
    this.#useConfig(options.config)
    const st = this.#state
    const ids = st.select(exprs)
    const ranges = partitionRanges(st, exprs, ids, options.partitions ?? [])
    let assets = statusEntries(st, st.statusReport(exprs, ids))
    withPartitionStatus(st, assets, ids)
    if (ranges.size > 0) {
      const planned = st.planPartitions(ids, new Map(), false)!.sets
      assets = assets.flatMap((e) => {
        const id = st.idOf(e.key)!
        const set = ranges.get(id)
        return set === undefined ? [e] : partitionEntries(st, id, set, planned)
      })
    }
    if (needsCodeDetails(assets)) {
      const latest = await this.#seams.store.latestRecords()
      explainCodeChanges(assets, (keys, current) => codeChangeDetails(latest, this.storeDir, keys, current), st)
    }
    return { assets }
  }

  /**
   * The plan of a selection, in layers; refuses a planned asset whose unselected input is missing.
   * A given config must be valid; missing required config of planned assets is left to the run.
   *
   * @example
   * const { layers } = await ws.plan(['+model'], { force: true })
   */
  async plan(
    exprs: readonly string[] = [],
    options: { force?: boolean; config?: Record<string, unknown>; partitions?: readonly string[] } = {},
  ): Promise<PlanReport> {
    await this.observe()
    this.#useConfig(options.config)
    const { layers, sets } = this.#planIds(exprs, options.force ?? false, options.partitions ?? [])
    const named = layers.map((l) => l.map((i) => this.#state.asset(i).key))
    const unobservable = unobservableInputs(this.#state, layers.flat())
    const partitions = sets === undefined ? undefined : plannedPartitions(this.#state, sets)
    return {
      selection: exprs.length === 0 ? ['*'] : [...exprs],
      force: options.force ?? false,
      layers: named,
      count: named.reduce((n, l) => n + l.length, 0),
      ...(partitions === undefined ? {} : { partitions }),
      ...(unobservable.length > 0 ? { unobservable } : {}),
    }
  }

  /** Plan as ids in layers (shared by `plan` and `materialize`); per-partition in partitioned projects. */
  #planIds(
    exprs: readonly string[],
    force: boolean,
    partitionArgs: readonly string[] | ReadonlyMap<AssetId, Float64Array>,
  ): { selection: AssetId[]; layers: AssetId[][]; sets?: Map<AssetId, Float64Array> } {
    const st = this.#state
    const selection = st.select(exprs)
    const ranges =
      partitionArgs instanceof Map ? partitionArgs : partitionRanges(st, exprs, selection, partitionArgs as string[])
    const parted = st.planPartitions(selection, ranges, force)
    const p = parted ?? st.plan(exprs, selection, force)
    const blocked = p.missingInputs[0]
    if (blocked !== undefined) {
      const [asset, input] = [st.asset(blocked[0]), st.asset(blocked[1])]
      const sensor = input.def.kind === 'source' ? input.def.reportedBy : undefined
      throw sensor === undefined ? missingInput(asset.key, input.key) : unreportedSource(asset.key, input.key, sensor)
    }
    return { selection, layers: p.layers, ...(parted === undefined ? {} : { sets: parted.sets }) }
  }

  /**
   * Runs the plan of a selection; resolves to the run summary (never rejects for asset failures;
   * rejects for bad input found before anything runs: selection, config, missing inputs, launches).
   *
   * @example
   * const summary = await ws.materialize({ select: ['+model'], config: { model: { epochs: 3 } } })
   */
  async materialize(options: MaterializeOptions = {}): Promise<RunSummary> {
    return this.#materialize(options, {})
  }

  async #materialize(
    options: MaterializeOptions,
    run: { runId?: string; argv?: readonly string[] },
    ranges?: ReadonlyMap<AssetId, Float64Array>,
  ): Promise<RunSummary> {
    await this.observe()
    const config = this.#useConfig(options.config)
    const exprs = options.select ?? []
    const force = options.force ?? false
    const { selection, layers, sets } = this.#planIds(exprs, force, ranges ?? options.partitions ?? [])
    const planned = layers.flat()
    config.requireResolved(planned)
    const concurrency = options.concurrency ?? this.#project.concurrency ?? 4
    if (!Number.isInteger(concurrency) || concurrency < 1) throw invalidConcurrency(concurrency)
    // Launcher requests that can never be scheduled fail here, before anything runs (exit 2).
    await validateLaunches(this.#project, this.#state, planned, this.#seams.storeDir)
    const { store, storeDir, io, trackers, log } = this.#seams
    const { runPlan } = await engine.run()
    return runPlan(
      {
        project: this.#project,
        state: this.#state,
        store,
        storeDir,
        io,
        trackers,
        plan: { exprs, selection, planned, force, ...(sets === undefined ? {} : { partitions: sets }) },
        concurrency,
        log,
      },
      {
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        ...(options.cancelGraceMs === undefined ? {} : { cancelGraceMs: options.cancelGraceMs }),
        ...run,
      },
    )
  }

  /**
   * One automation tick: reloads records, re-observes the sources that are due, evaluates every
   * asset's condition, runs due sensors and schedules, stores the decisions (not for a dry run) and
   * launches the requested runs (waits for them unless `wait: false`). See engine/automation.ts.
   *
   * @example
   * const report = await ws.tick({ dryRun: true })
   * for (const d of report.decisions) console.log(d.key, d.requested)
   */
  tick(options: TickOptions = {}): Promise<TickReport> {
    const seams = this.#seams
    const memo = (this.#tickMemo ??= TickMemo.build(
      this.#state,
      this.#project.assets.flatMap((a, i) =>
        a.def.kind === 'asset' && a.def.automation !== undefined ? [i as AssetId] : [],
      ),
    ))
    return engine.automation().then(({ runTick }) =>
      runTick(
        {
          project: this.#project,
          state: this.#state,
          store: seams.store,
          io: seams.io,
          projectDir: seams.projectDir,
          log: (this.#tickLog ??= pinoLib()({ level: seams.log.level }, seams.log.destination ?? process.stderr)),
          memo,
          observeDue: (now, observe, watched) => this.#observeDue(now, observe, watched),
          launch: (l) => this.#launch(l),
        },
        options,
      ),
    )
  }

  /**
   * Re-observes the sources due at `now`: those in `observe`, and each other one on the first tick,
   * then every tick, or every `every` of the source if it has one; a `watched` source without
   * `every` only when it is in `observe`.
   */
  async #observeDue(now: number, observe: readonly string[], watched: ReadonlySet<string>): Promise<AssetId[]> {
    const src = (this.#sources ??= {
      plain: this.#project.assets
        .filter((a) => a.def.kind === 'source' && a.def.everyMs === undefined && a.def.reportedBy === undefined)
        .map((a) => a.key),
      timed: this.#project.assets.flatMap((a) =>
        a.def.kind === 'source' && a.def.everyMs !== undefined ? [{ key: a.key, every: a.def.everyMs }] : [],
      ),
      nextAt: -Infinity,
    })
    const due = new Set<string>()
    for (const key of observe) if (this.#state.idOf(key) !== undefined) due.add(key)
    for (const key of src.plain) if (!watched.has(key) || !this.#observedAt.has(key)) due.add(key)
    // Sources with `every`: scanned only once the earliest of them is due.
    if (now >= src.nextAt) {
      let next = Infinity
      for (const { key, every } of src.timed) {
        const last = this.#observedAt.get(key)
        const dueNow = last === undefined || now - last >= every
        if (dueNow) due.add(key)
        next = Math.min(next, dueNow ? now + every : last + every)
      }
      src.nextAt = next
    }
    if (due.size === 0) return []
    const st = this.#state
    const before = new Map([...due].map((key) => [key, st.dataVersion(st.idOf(key)!)]))
    const observing = st.observeSources(
      { runId: 'observe', log: pinoLib()({ level: 'silent' }), signal: new AbortController().signal },
      due,
    )
    this.#observed ??= observing
    await observing
    for (const key of due) this.#observedAt.set(key, now)
    const changed: AssetId[] = []
    for (const [key, version] of before) {
      const id = st.idOf(key)!
      if (st.dataVersion(id) !== version) changed.push(id)
    }
    return changed
  }

  /** Starts a run for a tick; `started` resolves once the run is recorded. */
  #launch(l: TickLaunch): { started: Promise<void>; done: Promise<RunSummary> } {
    let begun!: () => void
    let failed!: (e: unknown) => void
    const started = new Promise<void>((resolve, reject) => {
      begun = resolve
      failed = reject
    })
    const done = this.#materialize(
      {
        select: l.select,
        force: l.force,
        ...(l.config === undefined ? {} : { config: l.config }),
        ...(l.signal === undefined ? {} : { signal: l.signal }),
        onEvent: (e) => {
          if (e.type === 'run_started') begun()
        },
      },
      { runId: l.runId, argv: l.argv },
    )
    done.then(begun, failed)
    return { started, done }
  }

  /**
   * Stored automation decisions, newest first ("why did / didn't it run?"), of one asset or all.
   *
   * @example
   * const [last] = await ws.automationLog({ key: 'model', limit: 1 })
   */
  async automationLog(options: { key?: string; limit?: number } = {}): Promise<AutomationDecisionRecord[]> {
    if (options.key !== undefined) this.#requireKey(options.key)
    return this.#seams.store.automationDecisions(options)
  }

  /**
   * Keys, groups, tags, kinds, owners, deps, descriptions of the selected assets.
   *
   * @example
   * const infos = await ws.list(['group:staging'])
   */
  async list(exprs: readonly string[] = []): Promise<AssetInfo[]> {
    return (await this.#selectIds(exprs)).map((i) => assetInfo(this.#state, i))
  }

  /**
   * Lineage of the selected assets: nodes and the edges between them.
   *
   * @example
   * const { nodes, edges } = await ws.lineage(['+model'])
   */
  async lineage(exprs: readonly string[] = []): Promise<LineageView> {
    const ids = await this.#selectIds(exprs)
    const keys = new Set(ids.map((i) => this.#state.asset(i).key))
    const nodes = ids.map((i) => assetInfo(this.#state, i))
    const edges: [string, string][] = []
    for (const n of nodes) for (const d of n.deps) if (keys.has(d)) edges.push([d, n.key])
    return { nodes, edges }
  }

  /**
   * Run history, newest first; with `asset` and `metric`, each run's value of that metric.
   *
   * @example
   * const runs = await ws.runs({ asset: 'model', metric: 'auc' })
   */
  async runs(options: { limit?: number; asset?: string; metric?: string } = {}): Promise<RunInfo[]> {
    if (options.asset !== undefined) this.#requireKey(options.asset)
    return runInfos(this.#seams.store, options)
  }

  /**
   * The model registry: the versions of model assets (`model: …` in their spec), their aliases, and
   * promotion (through the gate) and rollback of aliases.
   *
   * @example
   * const info = await ws.models.model('model/churn')
   * await ws.models.promote('model/churn', { alias: 'champion', reason: 'AUC up 2 points' })
   */
  get models(): ModelRegistry {
    this.#models ??= new ModelRegistry(this.#project, this.#seams.store, async ({ key, name, move, version }) => {
      await this.#state.observeAliasFollowers(key, move.alias)
      const { trackers, log } = this.#seams
      const warn = () => pinoLib()({ level: log.level }, log.destination ?? process.stderr)
      await tellTrackers(trackers, warn, 'aliasMoved', (t) =>
        t.aliasMoved?.({
          assetKey: key,
          modelName: name,
          alias: move.alias,
          action: move.action,
          version: move.version,
          previous: move.previous,
          dataVersion: version.dataVersion,
          recordId: move.recordId,
          runId: version.runId,
          reason: move.reason,
          movedAt: new Date(move.movedAt),
        }),
      )
    })
    return this.#models
  }

  /**
   * Starts (`select`, `from`, `to`, `batch`) or resumes (`resume`) a backfill: batches of runs over
   * a range of partitions, with durable progress. See engine/backfill.ts.
   *
   * @example
   * const report = await ws.backfill({ select: ['events+'], from: '2024-01-01', to: '2024-12-31', batch: 30 })
   */
  backfill(options: BackfillOptions): Promise<BackfillReport> {
    return engine.backfill().then(({ runBackfill }) =>
      runBackfill(
        {
          state: this.#state,
          store: this.#seams.store,
          observe: () => this.observe(),
          run: (select, ranges, runId, o) =>
            this.#materialize(
              {
                select,
                ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
                ...(o.config === undefined ? {} : { config: o.config }),
                ...(o.signal === undefined ? {} : { signal: o.signal }),
                ...(o.onEvent === undefined ? {} : { onEvent: o.onEvent }),
              },
              { runId },
              ranges,
            ),
        },
        options,
      ),
    )
  }

  /**
   * The recent backfills, newest first (a `running` one whose process died reads `interrupted`).
   *
   * @example
   * const list = await ws.backfills({ limit: 10 })
   */
  backfills(options: { limit?: number } = {}): Promise<BackfillReport[]> {
    return engine.backfill().then(({ listBackfills }) => listBackfills(this.#seams.store, options))
  }

  /**
   * Adds keys to a dynamic partition set (`assets partitions add SET KEY...`).
   *
   * @example
   * await ws.addPartitions('customers', ['acme', 'globex'])
   */
  addPartitions(set: string, keys: readonly string[]): Promise<DynamicSetEdit> {
    return addDynamicKeys(this.#project, this.#seams.store, set, keys)
  }

  /**
   * Removes keys from a dynamic partition set; refuses keys whose partitions have records unless
   * `wipe` (`assets partitions remove SET KEY... [--wipe]`).
   *
   * @example
   * await ws.removePartitions('customers', ['acme'], { wipe: true })
   */
  removePartitions(set: string, keys: readonly string[], options: { wipe?: boolean } = {}): Promise<DynamicSetEdit> {
    return removeDynamicKeys(this.#project, this.#seams.store, set, keys, options)
  }

  /**
   * An asset's partitions as runs of one status (only those of `partitions`, keys or `FROM...TO`,
   * when given).
   *
   * @example
   * const { runs } = await ws.partitions('events', { partitions: ['2024-01-01...2024-01-31'] })
   */
  async partitions(key: string, options: { partitions?: readonly string[] } = {}): Promise<PartitionsReport> {
    const id = this.#requireKey(key)
    await this.observe()
    const ranges = partitionRanges(this.#state, [key], [id], options.partitions ?? [])
    return partitionsReport(this.#state, id, ranges.get(id))
  }

  /**
   * One asset: definition, status, its records with inputs, config, metadata, metrics and checks,
   * and its recent failures with where in the user's code they happened.
   *
   * @example
   * const detail = await ws.show('model')
   */
  async show(key: string, options: { limit?: number } = {}): Promise<AssetDetail> {
    const id = this.#requireKey(key)
    const store = this.#seams.store
    return {
      info: assetInfo(this.#state, id),
      status: (await this.status([`key:${key}`])).assets[0]!,
      history: await assetRecords(store, key, options.limit ?? 10),
      pins: (await store.pins(key)).map((p) =>
        p.note === null
          ? { runId: p.runId, at: p.finishedAt, pinnedAt: p.pinnedAt }
          : { runId: p.runId, at: p.finishedAt, note: p.note, pinnedAt: p.pinnedAt },
      ),
      failures: await assetFailures(store, key),
    }
  }

  /**
   * The current stored value of an asset (what its consumers would be given), read through its IO
   * manager; of one partition (`partition`, a key) for a partitioned asset. Throws for an unknown key
   * (did-you-mean), a source, an asset (or partition) never materialized, a partitioned asset without
   * `partition` or an unpartitioned one with it, and an unknown partition key.
   *
   * @example
   * const rows = (await ws.load('features')) as number[][]
   * const day = await ws.load('events', { partition: '2024-01-05' })
   */
  async load(key: string, options: { partition?: string } = {}): Promise<unknown> {
    const id = this.#requireKey(key)
    const a = this.#state.asset(id)
    if (a.isSource) throw sourceNotStored(key)
    const def = this.#state.partitionsOf(id)
    const partition = options.partition
    if (def === undefined && partition !== undefined) throw notPartitioned(key)
    if (def !== undefined) {
      const now = this.#state.partitions!.now
      const needed = () => partitionKeyNeeded(key, def.size(now) > 0 ? def.keyAt(0, now) : undefined)
      if (partition === undefined) throw needed()
      const ranges = parsePartitionArg(def, partition, { now, asset: key })
      if (ranges.length !== 1 || ranges[0]!.end - ranges[0]!.start !== 1) throw needed()
    }
    const record = await this.#seams.store.currentRecord(key, partition === undefined ? undefined : { partition })
    if (record === undefined) throw notMaterialized(partition === undefined ? key : `${key} [${partition}]`)
    const io = ((a.def as AssetDef).io as IOManager | undefined) ?? this.#seams.io
    const scope = { key, projectDir: this.#seams.projectDir }
    return userCode(scope, 'io.read', () =>
      io.read(partition === undefined ? { key } : { key, partition }, { storagePath: record.storagePath }),
    )
  }

  /**
   * The log of a run (default: the latest), filtered by asset (its job's stdout/stderr included)
   * and level. An unknown run id or asset key gets a did-you-mean.
   *
   * @example
   * const { runId, records } = await ws.logs(undefined, { asset: 'model', level: 'warn' })
   */
  async logs(runId?: string, filter: LogFilter = {}): Promise<{ runId: string; records: LogRecord[] }> {
    if (filter.asset !== undefined) this.#requireKey(filter.asset)
    const run = await resolveRun(this.#seams.store, runId)
    return { runId: run.id, records: await readRunLog(this.#seams.storeDir, run.id, filter) }
  }

  /**
   * Follows the log of a run (default: the latest) as it is written, until the run finishes or its
   * process is gone, or `signal` aborts.
   *
   * @example
   * const { records } = await ws.followLogs(undefined, {}, signal)
   * for await (const r of records) console.log(r.msg)
   */
  async followLogs(
    runId?: string,
    filter: LogFilter = {},
    signal?: AbortSignal,
  ): Promise<{ runId: string; records: AsyncGenerator<LogRecord> }> {
    if (filter.asset !== undefined) this.#requireKey(filter.asset)
    const run = await resolveRun(this.#seams.store, runId)
    return { runId: run.id, records: followRun(this.#seams.store, this.#seams.storeDir, run.id, filter, signal) }
  }

  /**
   * Forgets the latest records of the selected assets (history is kept, marked wiped) and deletes
   * the artifacts of their records, except pinned ones and those of runs still going.
   *
   * @example
   * const { keys, files } = await ws.wipe(['features+'])
   */
  async wipe(exprs: readonly string[] = []): Promise<WipeReport> {
    const keys = await this.select(exprs)
    await this.#seams.store.wipe(keys)
    await this.#state.reload()
    const done = await this.#gc(keys, false, { apply: true, wipedOnly: true })
    return { keys, files: done.total.files, bytes: done.total.bytes, pinned: done.kept.pinned }
  }

  /**
   * What `assets gc` frees in the selection (default: everything, old run files included): a dry run
   * unless `apply`. See engine/gc.ts for what goes and what never does.
   *
   * @example
   * const report = await ws.gc([], { apply: false })
   */
  async gc(exprs: readonly string[] = [], options: { apply?: boolean } = {}): Promise<GcReport> {
    const everything = exprs.length === 0 || (exprs.length === 1 && exprs[0] === '*')
    return this.#gc(await this.select(exprs), everything, { apply: options.apply === true })
  }

  #gc(keys: readonly string[], everything: boolean, options: { apply: boolean; wipedOnly?: boolean }) {
    const { store, storeDir, io } = this.#seams
    return engine
      .gc()
      .then(({ collectGarbage }) =>
        collectGarbage({ project: this.#project, store, storeDir, io, keys, everything }, options),
      )
  }

  /**
   * Pins the current record of an asset, or its record of a run, with a note: gc and wipe keep its artifact.
   *
   * @example
   * await ws.pin('model', { note: 'registered as churn v3' })
   */
  async pin(key: string, options: { runId?: string; note?: string } = {}): Promise<PinRecord> {
    this.#requireKey(key)
    return this.#seams.store.pin(key, options)
  }

  /**
   * Removes the pin of an asset's record of a run, or every pin of the asset; returns how many went.
   *
   * @example
   * await ws.unpin('model') // 1
   */
  async unpin(key: string, options: { runId?: string } = {}): Promise<number> {
    this.#requireKey(key)
    return this.#seams.store.unpin(key, options)
  }

  /**
   * Re-reads every latest record from the store (after another process wrote to it).
   *
   * @example
   * await ws.reload()
   */
  reload(): Promise<void> {
    return this.#state.reload()
  }

  /**
   * The current code version, config hash (default config) and data version of every asset, in key
   * order: what a tool needs to prepare a store for this project (the benchmarks populate one).
   *
   * @example
   * const versions = await ws.versions()
   */
  async versions(): Promise<AssetVersions[]> {
    await this.observe()
    const st = this.#state
    return this.#project.assets.map((a, i) => {
      const id = i as AssetId
      return {
        key: a.key,
        codeVersion: st.codeVersion(id),
        configHash: st.configHash(id),
        dataVersion: st.dataVersion(id),
      }
    })
  }

  /**
   * Closes the store.
   *
   * @example
   * await ws.close()
   */
  close(): Promise<void> {
    return this.#seams.store.close()
  }

  #requireKey(key: string): AssetId {
    const id = this.#state.idOf(key)
    if (id === undefined) throw unknownAsset(key, closest(key, this.#state.keys()))
    return id
  }
}
