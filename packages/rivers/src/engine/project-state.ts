/**
 * `ProjectState`: the engine's view of one project against its store, with one owner for each fact:
 * the planner (graph, versions, records in the core), the current code versions, the run config in
 * force, the data version and latest record of each asset, and the observations of sources. Every
 * change goes through a method here: `record()` is the one way a result is written (store, core and
 * cache together), for materializations and source observations alike.
 */
import type { Logger } from 'pino'

import type { Project, ResolvedAsset, SourceDef } from '../definitions/index.js'
import type { Store } from '../store/store.js'
import type { LatestCursor, MetricPoint, NewRecord, PackedLatestRecords, RecordKind } from '../store/types.js'
import { emptySelection } from './errors.js'
import { type CodeVersionOptions, codeVersions } from './code-versions.js'
import { type AssetId, Planner, type PlanLayers, type StatusRows } from './planner.js'
import { changedRecords, type LastRecord, LoadedRecords, singleRecord } from './records.js'
import { packLatest } from '../store/latest-packed.js'
import type { RunConfig } from './run-config.js'
import { nativeModule } from '../native.js'
import { type Observed, observeSources, sourcePath } from './sources.js'
import { type PartitionPlan, PartitionState } from './partition-state.js'
import { RecordQueue } from './record-queue.js'
import type { PartitionDefinition } from '../partitions/types.js'
import { ModelRegistry } from '../models/registry.js'
import { pinoLib } from '../deps.js'

/** A result to record: a materialization of an asset, or an observation of a source. */
export interface NewAssetRecord {
  id: AssetId
  runId: string
  kind: RecordKind
  /** Data version (hex). */
  dataVersion: string
  /**
   * The inputs consumed, with the version (hex) each had: its data version, or for partitions of a
   * partitioned input, the fingerprint of what was read (`consumedFingerprint`).
   */
  inputs: readonly (readonly [AssetId, string])[]
  /** Partition index of a partitioned asset's record. */
  partition?: number
  /** Per input (same order), the partitions read as text (`2024-01-01...2024-01-07`), '' when unpartitioned. */
  inputPartitions?: readonly string[]
  startedAt: Date
  finishedAt: Date
  storagePath?: string
  metadata?: Record<string, unknown>
  metrics?: MetricPoint[]
}

/**
 * Graph + versions + records of a project.
 *
 * @example
 * const state = await ProjectState.open(project, store, '/project', RunConfig.resolve(project))
 * await state.observeSources({ runId: 'observe', log, signal })
 */
export class ProjectState {
  readonly #project: Project
  readonly #store: Store
  #models: ModelRegistry | undefined
  readonly #baseDir: string
  readonly #planner: Planner
  readonly #ids: ReadonlyMap<string, AssetId>
  readonly #code: readonly string[]
  #config: RunConfig
  /** The store's latest records as last loaded (data versions and last runs by id). */
  #loaded: LoadedRecords
  /** Data versions that differ from the loaded records': observations, and records made since. */
  readonly #data = new Map<AssetId, string>()
  /** Latest records made by this process, or read by `refresh()`, since the last full load. */
  readonly #recorded = new Map<AssetId, LastRecord>()
  #seenRecordId: number | undefined
  /** `Store.othersVersion()` as read before the last load or refresh (undefined: not known). */
  #othersSeen: number | undefined
  /** This turn's `othersVersion()` read (see `#othersNow`). */
  #othersRead: Promise<number | undefined> | undefined
  /** Inputs consumed by the latest records `refresh()` read since the last full load. */
  readonly #consumed = new Map<AssetId, Map<string, string>>()
  /** Where the last load or refresh stood in the store (stores with `latestRecordsSince`). */
  #cursor: LatestCursor | undefined
  readonly #observed = new Map<string, Observed>()
  readonly #depIds: (Uint32Array | undefined)[] = []
  #sourceFlags: Uint8Array | undefined
  /** Store reads and writes that update the core, in order: a reload never undoes a newer record. */
  #queue: Promise<unknown> = Promise.resolve()
  /** Records applied to the core whose store write is group-committed (`recordSoon`). */
  readonly #records: RecordQueue
  /** Per-partition state, when the project has partitioned assets. */
  #parts: PartitionState | undefined
  /** Ids of the partitioned assets. */
  #partitioned: AssetId[] = []
  /** The partitioned assets that read each asset (its direct dependents). */
  readonly #readers = new Map<AssetId, AssetId[]>()

  private constructor(
    project: Project,
    store: Store,
    baseDir: string,
    config: RunConfig,
    code: CodeVersionOptions,
    ids: ReadonlyMap<string, AssetId>,
  ) {
    this.#project = project
    this.#store = store
    this.#records = new RecordQueue(store)
    this.#baseDir = baseDir
    this.#config = config
    this.#code = codeVersions(project, code)
    this.#ids = ids
    this.#planner = Planner.build(project, this.#code, this.#ids, config.hashBytes())
    this.#loaded = LoadedRecords.empty(project.assets.length)
  }

  /** The model registry of this project over its store, as `modelAlias` sources read it (made on first use). */
  get models(): ModelRegistry {
    this.#models ??= new ModelRegistry(this.#project, this.#store)
    return this.#models
  }

  /**
   * Observes again the `modelAlias` sources that follow an alias of `key` (after a move), so that this
   * state plans with the move.
   *
   * @example
   * await state.observeAliasFollowers('model/churn', 'champion')
   */
  async observeAliasFollowers(key: string, alias: string): Promise<void> {
    const followers = this.#project.assets.filter(
      (a) => a.isSource && a.def.metadata.model === key && a.def.metadata.alias === alias,
    )
    if (followers.length === 0) return
    await this.observeSources(
      { runId: 'observe', log: pinoLib()({ level: 'silent' }), signal: new AbortController().signal },
      new Set(followers.map((a) => a.key)),
    )
  }

  /**
   * Builds the graph and loads every latest record in one batched query.
   *
   * @example
   * const state = await ProjectState.open(project, store, projectDir, RunConfig.resolve(project))
   */
  static async open(
    project: Project,
    store: Store,
    baseDir: string,
    config: RunConfig,
    code: CodeVersionOptions = {},
  ): Promise<ProjectState> {
    const { ids, partitioned } = assetIndex(project)
    const s = new ProjectState(project, store, baseDir, config, code, ids)
    // The partition state only when an asset is partitioned (PartitionState.open finds none otherwise).
    if (partitioned) await s.#openPartitions()
    await s.reload()
    return s
  }

  /** Builds the per-partition state (dynamic sets with their stored keys), when any asset is partitioned. */
  async #openPartitions(): Promise<void> {
    this.#parts = await PartitionState.open(this.#project, this.#ids, this.#store, this.#code, this.#config.hashBytes())
    if (this.#parts === undefined) return
    this.#readers.clear()
    this.#partitioned = this.#project.assets.flatMap((a, i) => (a.partitions === undefined ? [] : [i as AssetId]))
    for (const id of this.#partitioned)
      for (const dep of new Set(this.depIds(id))) {
        const list = this.#readers.get(dep as AssetId)
        if (list === undefined) this.#readers.set(dep as AssetId, [id])
        else list.push(id)
      }
  }

  /** The per-partition state; undefined when no asset is partitioned. */
  get partitions(): PartitionState | undefined {
    return this.#parts
  }

  /** The partition definition of a partitioned asset (a dynamic set with its stored keys). */
  partitionsOf(id: AssetId): PartitionDefinition | undefined {
    return this.#parts?.definition(id)
  }

  /** The project. */
  get project(): Project {
    return this.#project
  }

  /** Folder that relative source paths are resolved against (the project file's folder). */
  get baseDir(): string {
    return this.#baseDir
  }

  /** Number of assets. */
  get size(): number {
    return this.#project.assets.length
  }

  /** The run config in force. */
  get config(): RunConfig {
    return this.#config
  }

  /** The asset with id `id`. */
  asset(id: AssetId): ResolvedAsset {
    return this.#project.assets[id]!
  }

  /** Whether the asset is a source (a flat array, read without touching the asset's object). */
  isSource(id: AssetId): boolean {
    let flags = this.#sourceFlags
    if (flags === undefined) {
      const assets = this.#project.assets
      this.#sourceFlags = flags = new Uint8Array(assets.length)
      for (let i = 0; i < assets.length; i++) if (assets[i]!.isSource) flags[i] = 1
    }
    return flags[id] === 1
  }

  /** The id of a key, if it is an asset. */
  idOf(key: string): AssetId | undefined {
    return this.#ids.get(key)
  }

  /** Every key, in id order. */
  keys(): string[] {
    return [...this.#ids.keys()]
  }

  /** Current code version (hex) of an asset. */
  codeVersion(id: AssetId): string {
    return this.#code[id]!
  }

  /** Current config hash (hex) of an asset, under the run config in force. */
  configHash(id: AssetId): string {
    return this.#config.hash(id)
  }

  /** Current data version (hex) of an asset: its latest record's, or its observation's; '' when none. */
  dataVersion(id: AssetId): string {
    return this.#data.get(id) ?? this.#loaded.dataVersion(id)
  }

  /** Whether the asset has a data version (`dataVersion(id) !== ''`, without making the string). */
  hasDataVersion(id: AssetId): boolean {
    const v = this.#data.get(id)
    return v === undefined ? this.#loaded.hasRecord(id) : v !== ''
  }

  /** What the engine knows of an asset's latest record. */
  last(id: AssetId): LastRecord | undefined {
    return this.#recorded.get(id) ?? this.#loaded.last(id)
  }

  /** When the asset's latest record finished (epoch ms), undefined without one. */
  lastFinishedAt(id: AssetId): number | undefined {
    const r = this.#recorded.get(id)
    return r === undefined ? this.#loaded.finishedAtMs(id) : Date.parse(r.at)
  }

  /**
   * The ids of an asset's inputs, in the order of `asset(id).deps` (computed once per asset).
   *
   * @example
   * const [first] = state.depIds(id)
   */
  depIds(id: AssetId): Uint32Array {
    let d = this.#depIds[id]
    if (d === undefined) this.#depIds[id] = d = Uint32Array.from(this.asset(id).deps, (x) => this.#ids.get(x.key)!)
    return d
  }

  /** The run, time and data version of an asset's latest record (as status shows it), if any. */
  lastRun(id: AssetId): { runId: string; at: string; dataVersion: string } | undefined {
    const r = this.#recorded.get(id)
    return r === undefined ? this.#loaded.lastRun(id) : { runId: r.runId, at: r.at, dataVersion: r.dataVersion }
  }

  /**
   * The inputs (dep key -> data version, hex) the asset's latest record consumed, as last loaded
   * from the store (call `reload()` first to see records made since); undefined without a record.
   *
   * @example
   * state.consumedInputs(id)?.get('features')
   */
  consumedInputs(id: AssetId): Map<string, string> | undefined {
    return this.#consumed.get(id) ?? this.#loaded.inputs(id)
  }

  /** This process's observation of a source, if it observed it. */
  observation(key: string): Observed | undefined {
    return this.#observed.get(key)
  }

  /** The file of a source, resolved against the project file's folder. */
  sourcePath(def: SourceDef): string | undefined {
    return sourcePath(def, this.#baseDir)
  }

  /**
   * Puts a run config in force: the core hears of the config hashes that changed.
   *
   * @example
   * state.useConfig(RunConfig.resolve(project, given))
   */
  useConfig(config: RunConfig): void {
    const changed = this.#config.changedIn(config)
    this.#config = config
    if (changed.length === 0) return
    const all = config.hashBytes()
    const bytes = new Uint8Array(16 * changed.length)
    changed.forEach((id, i) => bytes.set(all.subarray(16 * id, 16 * id + 16), 16 * i))
    this.#planner.setConfigHashes(Uint32Array.from(changed), bytes)
    this.#parts?.setConfigHashes(Uint32Array.from(changed), bytes)
    this.#syncRollups()
  }

  /**
   * The highest record id the store had before the last load of partitioned records (every record up
   * to it is known); undefined without partitions or when the store cannot tell.
   */
  get seenRecordId(): number | undefined {
    return this.#seenRecordId
  }

  /** Runs `fn` after every store operation queued before it (and before any queued after it). */
  #inOrder<T>(fn: () => Promise<T>): Promise<T> {
    // Every store read or write of records waits for the group-committed records queued before it.
    const run = async (): Promise<T> => {
      await this.#records.flush()
      return fn()
    }
    const next = this.#queue.then(run, run)
    this.#queue = next.catch(() => undefined)
    return next
  }

  /**
   * Reloads everything when the partition spaces moved (a time window completed, a dynamic set was
   * edited); nothing otherwise (no store read without dynamic sets).
   *
   * @example
   * await state.syncPartitionSpaces()
   */
  syncPartitionSpaces(): Promise<void> {
    return this.#inOrder(async () => {
      if (this.#parts !== undefined && (await this.#parts.moved(this.#store))) await this.#reloadAll()
    })
  }

  /** Reloads every latest record from the store (one query) into the core and the cache. */
  reload(): Promise<void> {
    return this.#inOrder(() => this.#reloadAll())
  }

  /**
   * Reads the latest records made since the last load or refresh (one query) into the core and
   * the cache, and returns the assets whose latest record changed; `'all'` when everything was
   * reloaded (the first time, after a wipe, after very many changes, or on a store without
   * `latestRecordsSince`).
   *
   * @example
   * const changed = await state.refresh() // [] when nothing was recorded since
   */
  refresh(): Promise<AssetId[] | 'all'> {
    return this.#inOrder(async () => {
      const store = this.#store
      const parts = this.#parts
      const reloadAll = async () => {
        await this.#reloadAll()
        return 'all' as const
      }
      if (!store.latestRecordsSince || this.#cursor === undefined) return reloadAll()
      // New time windows or dynamic keys: the partition spaces are rebuilt.
      if (parts !== undefined && (await parts.moved(store))) return reloadAll()
      const { cursor, all, packed, partitions, othersVersion } = await store.latestRecordsSince(this.#cursor, {
        partitions: parts !== undefined,
      })
      if (parts !== undefined && (all || partitions === undefined)) return reloadAll()
      this.#cursor = cursor
      // Read by the store before these records (undefined, "not known", from stores without it).
      this.#othersSeen = othersVersion
      if (all) {
        this.#loadAll(packed)
        return 'all' as const
      }
      const changedParts = partitions?.count ?? 0
      if (packed.count === 0 && changedParts === 0) return []
      const { arrays, rows } = changedRecords(packed, (key) => this.#ids.get(key), this.size)
      this.#planner.applyRecords(arrays)
      const changed: AssetId[] = []
      let sourceRecorded = false
      for (const { id, last, inputs } of rows) {
        const a = id as AssetId
        this.#recorded.set(a, last)
        this.#consumed.set(a, inputs)
        // A source's own observation here stays what it reads (as after a full load).
        if (!this.#observed.has(this.asset(a).key)) this.#data.set(a, last.dataVersion)
        else sourceRecorded = true
        changed.push(a)
      }
      if (parts !== undefined) {
        parts.applyChanges(packed, partitions)
        if (sourceRecorded) this.#observedIntoPartitions()
        if (changedParts > 0)
          for (const key of new Set(partitions!.keys.split('\n'))) {
            const id = this.#ids.get(key)
            if (id !== undefined && parts.definition(id) !== undefined) changed.push(id)
          }
        for (const id of changed) this.#syncRollups(id)
        // Every record up to the cursor is known now (ids are assigned in commit order).
        this.#seenRecordId = Math.max(this.#seenRecordId ?? 0, cursor.record)
      }
      return changed
    })
  }

  async #reloadAll(): Promise<void> {
    const store = this.#store
    // Read before the records: a write by another process after it changes it.
    this.#othersSeen = await store.othersVersion?.()
    if (this.#parts !== undefined) {
      // New time windows, or dynamic keys edited meanwhile: the spaces are rebuilt, then loaded.
      if (await this.#parts.moved(store)) await this.#openPartitions()
      // Read before the records: any record after it may be one this load missed.
      this.#seenRecordId = store.lastRecordId ? await store.lastRecordId() : undefined
      let packed: PackedLatestRecords
      if (store.latestRecordsSince) {
        // With a cursor, later refreshes read only what changed (partitioned rows included).
        const { cursor, packed: all } = await store.latestRecordsSince()
        this.#cursor = cursor
        packed = all
      } else
        packed = store.latestRecordsPacked ? await store.latestRecordsPacked() : packLatest(await store.latestRecords())
      const keys = this.#partitioned.map((id) => this.asset(id).key)
      this.#loadAll(packed)
      this.#parts.load(packed, await store.latestPartitionRecords?.(keys))
      this.#observedIntoPartitions()
      this.#syncRollups()
      return
    }
    if (store.latestRecordsSince) {
      const { cursor, packed } = await store.latestRecordsSince()
      this.#cursor = cursor
      this.#loadAll(packed)
    } else
      this.#loadAll(
        store.latestRecordsPacked ? await store.latestRecordsPacked() : packLatest(await store.latestRecords()),
      )
  }

  #loadAll(packed: PackedLatestRecords): void {
    this.#loaded = LoadedRecords.load(this.#planner, packed, this.size)
    this.#recorded.clear()
    this.#consumed.clear()
    this.#data.clear()
    for (const [key, obs] of this.#observed) this.#data.set(this.#ids.get(key)!, observedVersion(obs))
  }

  /**
   * Observes every source (its observe function, else the content hash of its file) and tells the
   * core. Failures are kept per source (the source is `unobservable`), and the core hears a sentinel
   * version for it that no record holds: nothing silently reuses its last observation, so every
   * consumer reads stale (`upstream_data_changed`) and fails if it runs. A source observed again at
   * its recorded version is as it was: nothing is rebuilt. With `only`, just those sources (keys).
   *
   * @example
   * await state.observeSources({ runId: 'observe', log, signal })
   */
  async observeSources(
    scope: { runId: string; log: Logger; signal: AbortSignal },
    only?: ReadonlySet<string>,
  ): Promise<void> {
    const observed = await observeSources(
      this.#project.assets.filter((a) => a.isSource && (only === undefined || only.has(a.key))),
      { ...scope, baseDir: this.#baseDir, models: this.models },
    )
    const ids: AssetId[] = []
    const versions: string[] = []
    for (const [key, obs] of observed) {
      this.#observed.set(key, obs)
      ids.push(this.#ids.get(key)!)
      versions.push(observedVersion(obs))
    }
    if (ids.length === 0) return
    const bytes = new Uint8Array(16 * ids.length)
    versions.forEach((v, i) => bytes.set(Buffer.from(v, 'hex'), 16 * i))
    this.#planner.setObserved(ids, bytes)
    ids.forEach((id, i) => this.#data.set(id, versions[i]!))
    if (this.#parts !== undefined) {
      this.#observedIntoPartitions()
      this.#syncRollups()
    }
  }

  /** Sources' observations as the partitioned core's records of them (what the next record will say). */
  #observedIntoPartitions(): void {
    const parts = this.#parts!
    const records = []
    for (const [key, obs] of this.#observed) {
      const id = this.#ids.get(key)!
      records.push({
        id,
        partition: 0,
        code: this.#code[id]!,
        config: this.configHash(id),
        data: observedVersion(obs),
        inputs: [],
      })
    }
    if (records.length > 0) parts.apply(records)
  }

  /**
   * Gives the asset-level core a roll-up record of each partitioned asset: its data version is the
   * fingerprint of all its partitions (what an unpartitioned reader of every partition consumes),
   * and it reads stale while any partition is missing or stale, so what reads it does too.
   */
  #syncRollups(changed?: AssetId): void {
    const parts = this.#parts
    if (parts === undefined) return
    // After one record, only its asset's roll-up and the partitioned assets reading it can change.
    const ids =
      changed === undefined
        ? this.#partitioned
        : [...(parts.definition(changed) === undefined ? [] : [changed]), ...(this.#readers.get(changed) ?? [])]
    if (ids.length === 0) return
    const rollups = parts.rollups(ids)
    for (const [id, version] of rollups) this.#data.set(id, version)
    for (const [id] of rollups) {
      const r = parts.rollupRecord(
        id,
        this.depIds(id),
        (d) => this.dataVersion(d),
        this.#code[id]!,
        this.configHash(id),
      )
      this.#planner.applyRecords(singleRecord(id, r.code, r.config, r.data, r.inputs))
    }
  }

  /**
   * Records a result: writes it to the store, tells the core (early cutoff for its children), and
   * updates the data version and latest record this process knows. Returns the record id.
   *
   * @example
   * const recordId = await state.record({ id, runId, kind: 'materialization', dataVersion, inputs, startedAt, finishedAt })
   */
  record(r: NewAssetRecord): Promise<number> {
    return this.#inOrder(() => this.#record(r))
  }

  /**
   * Records a materialization of an unpartitioned asset with group commit: the core and the cache
   * know it once this resolves (its dependents may be planned and run on it), and `committed`
   * resolves to its record id once the store has it, in one transaction with the records queued
   * near it (see `RecordQueue`). Its output must already be durable. Records commit in the order
   * they were made, and before any other store call of this state; `flushRecords()` commits them now.
   *
   * @example
   * const { committed } = await state.recordSoon({ id, runId, kind: 'materialization', dataVersion, inputs, startedAt, finishedAt })
   * const recordId = await committed
   */
  recordSoon(r: NewAssetRecord): Promise<{ committed: Promise<number> }> {
    if (r.partition !== undefined || this.#parts?.definition(r.id) !== undefined)
      return this.record(r).then((id) => ({ committed: Promise.resolve(id) }))
    // In the state's queue (no flush: it is what gets flushed), so a reload never undoes it.
    const next = this.#queue.then(() => {
      const committed = this.#records.add(this.#storeRecord(r))
      this.#applyRecord(r)
      return { committed }
    })
    this.#queue = next.catch(() => undefined)
    return next
  }

  /**
   * Commits the records `recordSoon` queued; resolves once they are stored (or refused: their own
   * promises say so).
   *
   * @example
   * await state.flushRecords()
   */
  flushRecords(): Promise<void> {
    return this.#records.flush()
  }

  /**
   * After a record the store refused (the core knew it, and maybe records built on it): reloads
   * everything from the store, so the core holds what the store holds, and accepts records again.
   * Nothing when no record was refused.
   *
   * @example
   * await state.recoverLostRecords() // at the end of a run
   */
  async recoverLostRecords(): Promise<void> {
    if (!this.#records.failed) return
    await this.#inOrder(async () => {
      this.#records.reset()
      await this.#reloadAll()
    })
  }

  /**
   * Records many partitions' results (of partitioned assets) in one store transaction, all or none,
   * then tells the core once; returns the record ids in order. A backfill's partitions are recorded
   * this way, a batch at a time: one commit and one roll-up per batch instead of per partition.
   *
   * @example
   * const ids = await state.recordPartitions([{ id, runId, kind: 'materialization', dataVersion, inputs, partition: 3, startedAt, finishedAt }])
   */
  recordPartitions(records: readonly NewAssetRecord[]): Promise<number[]> {
    return this.#inOrder(async () => {
      const parts = this.#parts
      if (records.length === 0) return []
      if (parts === undefined || records.some((r) => r.partition === undefined || !parts.definition(r.id)))
        throw new Error('recordPartitions takes records of partitioned assets only (an engine bug)')
      const rows = records.map((r) => this.#storeRecord(r))
      const store = this.#store
      // A store without the batch write records one by one (each still in its own transaction).
      const ids = store.recordMaterializations
        ? await store.recordMaterializations(rows)
        : await Promise.all(rows.map((row) => store.recordMaterialization(row)))
      parts.apply(
        records.map((r) => ({
          id: r.id,
          partition: r.partition!,
          code: this.#code[r.id]!,
          config: this.#config.hash(r.id),
          data: r.dataVersion,
          inputs: r.inputs,
        })),
      )
      for (const id of new Set(records.map((r) => r.id))) this.#syncRollups(id)
      return ids
    })
  }

  /** The store's form of a record (keys, partition keys and hashes as bytes). */
  #storeRecord(r: NewAssetRecord): NewRecord {
    const def = this.#parts?.definition(r.id)
    const partition =
      def === undefined || r.partition === undefined ? undefined : def.keyAt(r.partition, this.#parts!.now)
    return {
      runId: r.runId,
      key: this.asset(r.id).key,
      ...(partition === undefined ? {} : { partition }),
      kind: r.kind,
      codeVersion: Buffer.from(this.#code[r.id]!, 'hex'),
      configHash: Buffer.from(this.#config.hash(r.id), 'hex'),
      dataVersion: Buffer.from(r.dataVersion, 'hex'),
      inputs: r.inputs.map(([d, v], i) => ({
        key: this.asset(d).key,
        dataVersion: Buffer.from(v, 'hex'),
        ...(r.inputPartitions?.[i] ? { partition: r.inputPartitions[i] } : {}),
      })),
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      ...(r.storagePath === undefined ? {} : { storagePath: r.storagePath }),
      ...(r.metadata === undefined ? {} : { metadata: r.metadata }),
      ...(r.metrics === undefined ? {} : { metrics: r.metrics }),
    }
  }

  async #record(r: NewAssetRecord): Promise<number> {
    const recordId = await this.#store.recordMaterialization(this.#storeRecord(r))
    this.#applyRecord(r)
    return recordId
  }

  /** A record into the core (early cutoff for its children) and the cache of what this process knows. */
  #applyRecord(r: NewAssetRecord): void {
    const code = this.#code[r.id]!
    const config = this.#config.hash(r.id)
    if (this.#parts !== undefined) {
      this.#parts.apply([
        { id: r.id, partition: r.partition ?? 0, code, config, data: r.dataVersion, inputs: r.inputs },
      ])
      if (this.#parts.definition(r.id) !== undefined) {
        this.#syncRollups(r.id)
        return
      }
    }
    this.#planner.applyRecords(singleRecord(r.id, code, config, r.dataVersion, r.inputs))
    this.#data.set(r.id, r.dataVersion)
    this.#consumed.set(r.id, new Map(r.inputs.map(([d, v]) => [this.asset(d).key, v])))
    this.#recorded.set(r.id, {
      runId: r.runId,
      at: r.finishedAt.toISOString(),
      dataVersion: r.dataVersion,
      kind: r.kind,
    })
    this.#syncRollups(r.id)
  }

  /**
   * Records the observations of sources whose observed version differs from their latest record
   * (selected assets, and every source).
   *
   * @example
   * await state.recordObservations(runId, selection)
   */
  async recordObservations(runId: string, selection: readonly AssetId[]): Promise<void> {
    const selected = new Set(selection)
    // Group-committed: one transaction for the sources of a run, not one each.
    const committed: Promise<number>[] = []
    for (const [key, obs] of this.#observed) {
      if (!obs.ok) continue
      const id = this.#ids.get(key)!
      if (!(selected.has(id) || this.asset(id).isSource) || this.last(id)?.dataVersion === obs.version) continue
      const now = new Date()
      const pending = await this.recordSoon({
        id,
        runId,
        kind: 'observation',
        dataVersion: obs.version,
        inputs: [],
        startedAt: now,
        finishedAt: now,
        ...(obs.metadata === undefined ? {} : { metadata: obs.metadata }),
      })
      pending.committed.catch(() => undefined) // awaited below, with the others
      committed.push(pending.committed)
    }
    await this.#records.flush()
    await Promise.all(committed)
  }

  /**
   * Whether the latest record this process knows of `key` is still the store's current one
   * (another process may have recorded it since).
   *
   * @example
   * if (!(await state.knowsCurrentRecord('model'))) await state.reload()
   */
  async knowsCurrentRecord(key: string): Promise<boolean> {
    const store = this.#store
    // Nobody else wrote to the store since the last load or refresh: what this process knows is current.
    if (this.#othersSeen !== undefined && (await this.#othersNow(store)) === this.#othersSeen) return true
    const id = this.#ids.get(key)
    const known = id === undefined ? undefined : this.last(id)
    const current = await this.#store.currentRecord(key)
    if (current === undefined || known === undefined) return current === known
    return current.runId === known.runId && current.dataVersion === known.dataVersion && current.finishedAt === known.at
  }

  /**
   * `Store.othersVersion()`, read at most once per turn of the event loop (the visits whose leases
   * one store commit granted ask together). Another process's commit in the same turn is seen a
   * turn later; what a missed one costs is a rebuild of an asset it had just built, never a wrong
   * record (the rebuild records the inputs it read).
   */
  #othersNow(store: Store): Promise<number | undefined> {
    let read = this.#othersRead
    if (read === undefined) {
      read = this.#othersRead = Promise.resolve(store.othersVersion?.())
      setImmediate(() => (this.#othersRead = undefined))
    }
    return read
  }

  /**
   * Ids selected by the union of `exprs` (default everything), ascending. An empty result is an
   * error: nothing would happen, and the user should hear why.
   *
   * @example
   * state.select(['+model'])
   */
  select(exprs: readonly string[]): AssetId[] {
    const list = exprs.length === 0 ? ['*'] : [...exprs]
    const ids = this.#planner.select(list)
    if (ids.length === 0) throw emptySelection(list)
    return ids
  }

  /**
   * The plan of a selection in layers (the maintained whole-graph plan when `exprs` selects all).
   *
   * @example
   * const { layers } = state.plan(['*'], selection, false)
   */
  plan(exprs: readonly string[], selection: readonly AssetId[], force: boolean): PlanLayers {
    return this.#planner.plan(selectsAll(exprs) ? null : selection, force)
  }

  /**
   * The per-partition plan of a selection (projects with partitioned assets): within `ranges` for the
   * assets it names.
   *
   * @example
   * const { layers, sets } = state.planPartitions(selection, new Map(), false)
   */
  planPartitions(
    selection: readonly AssetId[],
    ranges: ReadonlyMap<AssetId, Float64Array>,
    force: boolean,
  ): PartitionPlan | undefined {
    return this.#parts?.plan(selection, ranges, force)
  }

  /**
   * Statuses, causes, root causes of `selection` and its plan, in one call to the core.
   *
   * @example
   * const { statuses, planned } = state.statusReport(['*'], selection)
   */
  statusReport(exprs: readonly string[], selection: readonly AssetId[]): StatusRows {
    return this.#planner.statusReport(selection, selectsAll(exprs))
  }

  /**
   * Statuses and causes of `ids` only (what the automation tick reads; no plan, no root causes).
   *
   * @example
   * const { statuses, causes } = state.statusesOf([id])
   */
  statusesOf(ids: readonly AssetId[]): Pick<StatusRows, 'ids' | 'statuses' | 'causes' | 'noDep'> {
    return this.#planner.statusesOf(ids)
  }

  /** Whether an asset must run now (the re-verification just before it runs). */
  needsRun(id: AssetId): boolean {
    return this.#planner.needsRun(id)
  }

  /** Key of an id, or of a recorded dep that is no longer an asset (`size + j`). */
  keyOf(id: number): string {
    return this.#planner.keyOf(id)
  }
}

/**
 * The data version the core hears for a source that could not be observed: two length-prefixed
 * fields, where a version an asset or `observe` returns is hashed as one, so no record holds it.
 *
 * @example
 * state.dataVersion(id) === unobservableVersion() // the source could not be observed
 */
export function unobservableVersion(): string {
  sentinel ??= nativeModule().hashStrings('data-version', ['rivers.v1', 'unobservable source'])
  return sentinel
}
let sentinel: string | undefined

function observedVersion(obs: Observed): string {
  return obs.ok ? obs.version : unobservableVersion()
}

/** Whether `exprs` selects everything (the core then reads its maintained plan). */
function selectsAll(exprs: readonly string[]): boolean {
  return exprs.length === 0 || (exprs.length === 1 && exprs[0]!.trim() === '*')
}

/** Key -> id of every asset, and whether any is partitioned: one loop (no array of pairs made first). */
function assetIndex(project: Project): { ids: Map<string, AssetId>; partitioned: boolean } {
  const ids = new Map<string, AssetId>()
  const assets = project.assets
  let partitioned = false
  for (let i = 0; i < assets.length; i++) {
    const a = assets[i]!
    ids.set(a.key, i as AssetId)
    if (a.partitions !== undefined) partitioned = true
  }
  return { ids, partitioned }
}
