/**
 * `SqliteStore`: the built-in `Store`, a SQLite file of runs, materializations, checks, events,
 * metrics, params, leases and jobs in the store folder (`.rivers/` beside the project file).
 *
 * The `Store` seam is asynchronous (so that a PostgreSQL store can implement it); this one works
 * synchronously inside (better-sqlite3 is synchronous). Every write is in a `BEGIN IMMEDIATE`
 * transaction: taking the write lock up front means a second process waits (busy timeout, 10 s)
 * instead of failing with SQLITE_BUSY when it upgrades a read to a write. The frequent small writes
 * of a run (records, checks, params, events, leases) are group-committed (`write-batch.ts`): those
 * queued in one turn of the event loop share a transaction, and resolve once it committed.
 */
import path from 'node:path'
import type Database from 'better-sqlite3'
import { ArtifactsTable } from './artifacts.js'
import { ModelAliasesTable } from './model-aliases.js'
import { AutomationTable } from './automation.js'
import { BackfillsTable } from './backfills.js'
import { DynamicPartitionsTable } from './dynamic-partitions.js'
import { HistoryViews } from './history.js'
import { JobsTable } from './jobs.js'
import { LeasesTable, partitionsJson } from './leases.js'
import { openDatabase, translateSqliteError, type OpenOptions } from './open.js'
import { ParamsTable } from './params.js'
import { PartitionRecords } from './partition-records.js'
import { LatestCache } from './latest-cache.js'
import { RecordsTable } from './records.js'
import { RunsTable } from './runs.js'
import type { Store } from './store.js'
import { WriteBatch } from './write-batch.js'
import type {
  AliasMoveRecord,
  ArtifactRecord,
  AutomationDecisionRecord,
  AutomationTickRecord,
  NewDecision,
  NewTick,
  TickEnd,
  BeginRun,
  EventRecord,
  HistoryRecord,
  JobRecord,
  JobUpdate,
  LatestRecords,
  LatestChanges,
  LatestCursor,
  PackedLatestRecords,
  PackedPartitionRecords,
  BackfillProgressUpdate,
  BackfillRecord,
  BackfillStatus,
  NewBackfill,
  Lease,
  MetricHistoryPoint,
  NewAliasMove,
  NewCheckResult,
  NewJob,
  NewRecord,
  PinRecord,
  RunRecord,
  RunStatus,
} from './types.js'

/**
 * The SQLite store of one project.
 *
 * @example
 * const store = SqliteStore.open('.rivers')
 * await store.beginRun({ id: 'r1', selection: ['*'], force: false })
 * const id = await store.recordMaterialization({ runId: 'r1', key: 'raw', codeVersion, configHash, dataVersion,
 *   inputs: [], startedAt, finishedAt: new Date() })
 * await store.finishRun('r1', 'success', { materialized: ['raw'] })
 * await store.close()
 */
export class SqliteStore implements Store {
  /** Absolute path of the database file. */
  readonly file: string
  readonly #db: Database.Database
  #sinceWithPartitions: Database.Transaction<(c: LatestCursor | undefined) => LatestChanges> | undefined
  readonly #records: RecordsTable
  readonly #runs: RunsTable
  readonly #history: HistoryViews
  readonly #leases: LeasesTable
  readonly #jobs: JobsTable
  readonly #params: ParamsTable
  readonly #artifacts: ArtifactsTable
  readonly #aliases: ModelAliasesTable
  readonly #automation: AutomationTable
  readonly #partitions: PartitionRecords
  readonly #dynamic: DynamicPartitionsTable
  readonly #backfills: BackfillsTable
  readonly #busyMs: number
  readonly #batch: WriteBatch

  private constructor(db: Database.Database, file: string, busyMs: number, readonly: boolean) {
    this.#db = db
    this.file = file
    this.#busyMs = busyMs
    this.#batch = new WriteBatch(db, (e) => translateSqliteError(file, e, busyMs))
    // The latest records of a big store, cached beside it (`cache/`, as the code-version file cache).
    this.#records = new RecordsTable(db, file, {
      cache:
        file === ':memory:' ? undefined : new LatestCache(path.join(path.dirname(file), 'cache'), { write: !readonly }),
    })
    this.#runs = new RunsTable(db, file)
    this.#params = new ParamsTable(db, file)
    this.#history = new HistoryViews(db, this.#runs)
    this.#leases = new LeasesTable(db)
    this.#jobs = new JobsTable(db)
    this.#artifacts = new ArtifactsTable(db)
    this.#aliases = new ModelAliasesTable(db)
    this.#automation = new AutomationTable(db)
    this.#partitions = new PartitionRecords(db, file)
    this.#dynamic = new DynamicPartitionsTable(db)
    this.#backfills = new BackfillsTable(db, file)
  }

  /**
   * Opens the store in `dir` (created with mode 0700 if absent; database `dir/rivers.db`, mode 0600),
   * applying migrations. With `readonly`, nothing is created or migrated and the file must exist.
   *
   * @example
   * const store = SqliteStore.open('/project/.rivers', { readonly: true })
   */
  static open(dir: string, options: OpenOptions = {}): SqliteStore {
    const { db, file, busyTimeoutMs } = openDatabase(dir, options)
    try {
      return new SqliteStore(db, file, busyTimeoutMs, options.readonly === true)
    } catch (e) {
      db.close()
      throw translateSqliteError(file, e, busyTimeoutMs)
    }
  }

  /** Runs `fn` in one IMMEDIATE transaction (after the queued writes), translating SQLite errors. */
  #write<T>(fn: () => T): T {
    return this.#batch.now(fn)
  }

  /** Queues `fn` for the next group commit; resolves once it is committed. */
  #later<T>(fn: () => T): Promise<T> {
    return this.#batch.later(fn)
  }

  /** `#later` for a write of one statement (no savepoint of its own, see `WriteBatch.laterOne`). */
  #laterOne<T>(fn: () => T): Promise<T> {
    return this.#batch.laterOne(fn)
  }

  #read<T>(fn: () => T): T {
    try {
      this.#batch.flush()
      return fn()
    } catch (e) {
      throw translateSqliteError(this.file, e, this.#busyMs)
    }
  }

  /**
   * Starts a run (status `running`, with this process's pid and host).
   *
   * @example
   * await store.beginRun({ id: runId, selection: ['raw+'], force: false, argv: process.argv.slice(2) })
   */
  async beginRun(run: BeginRun): Promise<void> {
    this.#write(() => this.#runs.begin(run))
  }

  /**
   * Ends a run with its final status and summary (any JSON value).
   *
   * @example
   * await store.finishRun(runId, 'failed', { failed: [{ key: 'model', error: 'OOM' }] })
   */
  async finishRun(id: string, status: RunStatus, summary: unknown): Promise<void> {
    this.#write(() => this.#runs.finish(id, status, summary))
  }

  /**
   * One run, or undefined.
   *
   * @example
   * (await store.getRun('r1'))?.status // 'success'
   */
  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.#read(() => this.#runs.get(id))
  }

  /**
   * The most recent runs, newest first.
   *
   * @example
   * for (const run of await store.listRuns({ limit: 10 })) console.log(run.id, run.status)
   */
  async listRuns(opts: { limit?: number } = {}): Promise<RunRecord[]> {
    return this.#read(() => this.#runs.list(opts.limit ?? 20))
  }

  /**
   * Appends an event to a run; returns its id.
   *
   * @example
   * await store.appendEvent(runId, 'skipped', 'report', { reason: 'upstream_unchanged' })
   */
  async appendEvent(runId: string, type: string, key?: string, data?: unknown): Promise<number> {
    return this.#later(() => this.#runs.appendEvent(runId, type, key, data))
  }

  /**
   * A run's events in order.
   *
   * @example
   * (await store.runEvents(runId)).map((e) => e.type) // ['materialized', 'skipped']
   */
  async runEvents(runId: string): Promise<EventRecord[]> {
    return this.#read(() => this.#runs.events(runId))
  }

  /**
   * Records a materialization (or a source observation) with its inputs, metrics, the asset's
   * `latest` pointer and a `materialized`/`observed` event, all in one transaction. Returns the
   * record id.
   *
   * @example
   * await store.recordMaterialization({ runId, key: 'features', codeVersion, configHash, dataVersion,
   *   inputs: [{ key: 'raw', dataVersion: rawVersion }], startedAt, finishedAt: new Date(),
   *   storagePath: 'features.json', metrics: [{ name: 'rows', value: 1200 }] })
   */
  async recordMaterialization(record: NewRecord): Promise<number> {
    return this.#later(() => this.#records.insert(record))
  }

  /**
   * Records the result of an asset check; returns its id.
   *
   * @example
   * await store.recordCheck({ runId, key: 'model', materializationId: id, name: 'auc >= 0.8', passed: false, blocking: true })
   */
  async recordCheck(result: NewCheckResult): Promise<number> {
    return this.#later(() => this.#runs.recordCheck(result))
  }

  /**
   * Stores the config values a materialization was built with (secrets redacted), shown by
   * `assetHistory`; replaces earlier params of the same record.
   *
   * @example
   * await store.recordParams(id, { epochs: 3, token: '[redacted]' })
   */
  async recordParams(materializationId: number, params: unknown): Promise<void> {
    await this.#later(() => this.#params.put(materializationId, params))
  }

  /**
   * The latest record of every unpartitioned asset in columnar form, read from one consistent
   * snapshot of the `latest` table (one aggregate query per 65,536 assets; no per-row objects).
   *
   * @example
   * const latest = await store.latestRecords()
   * const i = latest.keys.indexOf('raw')
   * const rawVersion = latest.dataVersions.subarray(16 * i, 16 * i + 16)
   */
  async latestRecords(): Promise<LatestRecords> {
    return this.#read(() => this.#records.latest())
  }

  /**
   * The same records packed: a few joined strings and buffers instead of arrays of strings (what
   * the engine loads into the native planner by key).
   *
   * @example
   * const packed = await store.latestRecordsPacked()
   * packed.keys.split('\n').length === packed.count
   */
  async latestRecordsPacked(): Promise<PackedLatestRecords> {
    return this.#read(() => this.#records.latestPacked())
  }

  /**
   * The latest records changed since `cursor` (every one when `all`: no cursor, a wipe since, or
   * more than 65,536 changed), from one snapshot, with the cursor for the next call; with
   * `partitions`, the partitioned rows changed too. The automation daemon reads this each tick
   * instead of every record.
   *
   * @example
   * let { cursor } = await store.latestRecordsSince()
   * const { packed, all } = await store.latestRecordsSince(cursor)
   */
  async latestRecordsSince(cursor?: LatestCursor, options: { partitions?: boolean } = {}): Promise<LatestChanges> {
    // `othersVersion` read before the records, in the same call (a tick makes no extra query for it).
    if (!options.partitions)
      return this.#read(() => {
        const othersVersion = this.#dataVersion()
        return { ...this.#records.latestSince(cursor), othersVersion }
      })
    // One snapshot for both reads: the partitioned rows line up with the cursor.
    this.#sinceWithPartitions ??= this.#db.transaction((c: LatestCursor | undefined): LatestChanges => {
      const othersVersion = this.#dataVersion()
      const changes = this.#records.latestSince(c)
      if (changes.all || c === undefined) return { ...changes, othersVersion }
      const partitions = this.#partitions.since(c.record)
      if (partitions === undefined)
        return { cursor: changes.cursor, all: true, packed: this.#records.latestPacked(), othersVersion }
      return { ...changes, partitions, othersVersion }
    })
    const read = this.#sinceWithPartitions
    return this.#read(() => read.deferred(cursor))
  }

  /**
   * The latest records of partitioned assets, packed with their partitions and their inputs'
   * partitions, from one snapshot (one query per asset and per 65,536 partitions).
   *
   * @example
   * const p = await store.latestPartitionRecords(['events'])
   * p.partitions.split('\n') // ['2024-01-01', '2024-01-02']
   */
  async latestPartitionRecords(keys: readonly string[]): Promise<PackedPartitionRecords> {
    return this.#read(() => this.#partitions.latest(keys))
  }

  /**
   * SQLite's `PRAGMA data_version`, as `externalDataVersion()` reads it but without committing the
   * queued writes first (they are this connection's own: they never change it). It runs before each
   * asset of a run.
   *
   * @example
   * const before = await store.othersVersion()
   * // … another process records something …
   * const changed = (await store.othersVersion()) !== before // true
   */
  async othersVersion(): Promise<number> {
    try {
      return this.#dataVersion()
    } catch (e) {
      throw translateSqliteError(this.file, e, this.#busyMs)
    }
  }

  #dataVersion(): number {
    this.#dataVersionStmt ??= this.#db.prepare('PRAGMA data_version').pluck()
    return this.#dataVersionStmt.get() as number
  }

  /**
   * The highest record id so far (0 for none): a watermark for `partitionsRecordedAfter`.
   *
   * @example
   * const seen = await store.lastRecordId()
   */
  async lastRecordId(): Promise<number> {
    return this.#read(() => this.#partitions.lastRecordId())
  }

  /**
   * Which of `partitions` of `key` another run recorded after record `afterId` (their latest record).
   *
   * @example
   * await store.partitionsRecordedAfter('events', ['2024-01-01'], seen, runId) // ['2024-01-01'] if another run built it since
   */
  async partitionsRecordedAfter(
    key: string,
    partitions: readonly string[],
    afterId: number,
    exceptRunId: string,
  ): Promise<string[]> {
    return this.#read(() => this.#partitions.recordedAfter(key, partitions, afterId, exceptRunId))
  }

  /**
   * Records many materializations in one transaction (all or none; group-committed with the writes
   * queued beside it, in a savepoint of its own); returns their ids in order.
   *
   * @example
   * const ids = await store.recordMaterializations(days.map((day) => ({ ...rec, partition: day })))
   */
  async recordMaterializations(records: readonly NewRecord[]): Promise<number[]> {
    return this.#later(() => {
      const knownRuns = new Set<string>()
      return records.map((r) => this.#records.insert(r, knownRuns))
    })
  }

  /**
   * A dynamic partition set's keys by position (`null`: removed), the `slots` of `DynamicPartitions`.
   *
   * @example
   * await store.dynamicPartitionSlots('customers') // ['acme', null, 'initech']
   */
  async dynamicPartitionSlots(set: string): Promise<(string | null)[]> {
    return this.#read(() => this.#dynamic.slots(set))
  }

  /**
   * Adds keys to a dynamic partition set (present keys stay; a removed key comes back at a new
   * position); returns how many were added.
   *
   * @example
   * await store.addDynamicPartitions('customers', ['acme', 'globex']) // 2
   */
  async addDynamicPartitions(set: string, keys: readonly string[]): Promise<number> {
    return this.#write(() => this.#dynamic.add(set, keys, Date.now()))
  }

  /**
   * Removes keys from a dynamic partition set; an unknown key throws (did-you-mean) and nothing is
   * removed. Returns how many were removed.
   *
   * @example
   * await store.removeDynamicPartitions('customers', ['acme']) // 1
   */
  async removeDynamicPartitions(set: string, keys: readonly string[]): Promise<number> {
    return this.#write(() => this.#dynamic.remove(set, keys, Date.now()))
  }

  /**
   * Stores a new backfill (status `running`) with its planned counts per asset.
   *
   * @example
   * await store.createBackfill({ id: 'bf-1', selection: ['events'], ranges: { events: [['2024-01-01', '2024-01-31']] },
   *   batch: 10, planned: { events: 31 } })
   */
  async createBackfill(backfill: NewBackfill): Promise<void> {
    this.#write(() => this.#backfills.create(backfill))
  }

  /**
   * Sets a backfill's counts per asset in one transaction, adding `runId` to its runs.
   *
   * @example
   * await store.updateBackfillProgress('bf-1', [{ key: 'events', done: 10, failed: 0 }], { runId })
   */
  async updateBackfillProgress(
    id: string,
    progress: readonly BackfillProgressUpdate[],
    opts: { runId?: string } = {},
  ): Promise<void> {
    this.#write(() => this.#backfills.updateProgress(id, progress, opts.runId))
  }

  /**
   * Sets a backfill's status: done, failed, cancelled, interrupted (or running again on resume).
   *
   * @example
   * await store.finishBackfill('bf-1', 'done')
   */
  async finishBackfill(id: string, status: BackfillStatus): Promise<void> {
    this.#write(() => this.#backfills.setStatus(id, status))
  }

  /**
   * One backfill with its progress per asset; an unknown id throws, listing recent ids.
   *
   * @example
   * const { status, progress } = await store.backfill('bf-1')
   */
  async backfill(id: string): Promise<BackfillRecord> {
    return this.#read(() => this.#backfills.get(id))
  }

  /**
   * The most recent backfills, newest first, with their progress.
   *
   * @example
   * for (const b of await store.backfills({ limit: 10 })) console.log(b.id, b.status)
   */
  async backfills(opts: { limit?: number } = {}): Promise<BackfillRecord[]> {
    return this.#read(() => this.#backfills.list(opts.limit ?? 20))
  }

  /**
   * An asset's records, newest first, with inputs, metadata, metrics and check results (hashes as hex).
   *
   * @example
   * const [last] = await store.assetHistory('model', { limit: 1 })
   */
  async assetHistory(key: string, opts: { limit?: number; partition?: string } = {}): Promise<HistoryRecord[]> {
    return this.#read(() => this.#history.asset(key, opts))
  }

  /**
   * The current record of an asset (what `latestRecords` sees for it), with inputs, metadata,
   * metrics and checks; undefined if it was never materialized or was wiped.
   *
   * @example
   * const storagePath = (await store.currentRecord('raw'))?.storagePath
   */
  async currentRecord(key: string, opts: { partition?: string } = {}): Promise<HistoryRecord | undefined> {
    return this.#read(() => this.#history.current(key, opts.partition ?? ''))
  }

  /**
   * One value of a metric per record of an asset (the summary value, else the last step), oldest first.
   *
   * @example
   * (await store.metricHistory('model', 'auc')).map((p) => [p.runId, p.value])
   */
  async metricHistory(
    key: string,
    name: string,
    opts: { limit?: number; partition?: string } = {},
  ): Promise<MetricHistoryPoint[]> {
    return this.#read(() => this.#history.metric(key, name, opts))
  }

  /**
   * Forgets assets: their `latest` rows go (every partition), so `latestRecords` no longer sees them
   * and they plan as missing; their records stay as history with `wipedAt` set. Returns the number of
   * `latest` rows removed.
   *
   * @example
   * await store.wipe(['features', 'model']) // 2
   */
  async wipe(keys: readonly string[]): Promise<number> {
    return this.#write(() => this.#records.wipe(keys))
  }

  /**
   * Forgets some partitions of an asset (their `latest` rows go; records stay as history with
   * `wipedAt`). Returns the number of `latest` rows removed.
   *
   * @example
   * await store.wipePartitions('events', ['2024-01-01']) // 1
   */
  async wipePartitions(key: string, partitions: readonly string[]): Promise<number> {
    return this.#write(() => this.#records.wipePartitions(key, partitions))
  }

  /**
   * Pins the current record of an asset, or its record of `runId`, with a note; gc keeps its
   * artifact. Pinning a pinned record replaces its note.
   *
   * @example
   * await store.pin('model', { note: 'registered as churn v3' })
   */
  async pin(key: string, opts: { runId?: string; partition?: string; note?: string } = {}): Promise<PinRecord> {
    return this.#write(() => this.#artifacts.pin(key, opts))
  }

  /**
   * Removes the pin of an asset's record of `runId`, or every pin of the asset; returns how many.
   *
   * @example
   * await store.unpin('model', { runId: '20261126T010203Z-3f9a1c' }) // 1
   */
  async unpin(key: string, opts: { runId?: string; partition?: string } = {}): Promise<number> {
    return this.#write(() => this.#artifacts.unpin(key, opts))
  }

  /**
   * Moves a model alias to a version, appending to its history;
   * with `expect`, refused when the alias names another version by then (compare and set).
   *
   * @example
   * await store.moveModelAlias({ key: 'model', alias: 'champion', version: 3, recordId: 41, action: 'promote', expect: 2, reason: 'better AUC' })
   */
  async moveModelAlias(move: NewAliasMove): Promise<AliasMoveRecord> {
    return this.#write(() => this.#aliases.move(move))
  }

  /**
   * Moves of a model's aliases (or of one alias), newest first (default the last 1,000).
   *
   * @example
   * const [now] = await store.modelAliasMoves('model', { alias: 'champion', limit: 1 })
   */
  async modelAliasMoves(key: string, opts: { alias?: string; limit?: number } = {}): Promise<AliasMoveRecord[]> {
    return this.#read(() => this.#aliases.moves(key, opts))
  }

  /**
   * Pinned records (of one asset, or all), newest first per asset.
   *
   * @example
   * (await store.pins('model')).map((p) => [p.runId, p.note])
   */
  async pins(key?: string): Promise<PinRecord[]> {
    return this.#read(() => this.#artifacts.pins(key))
  }

  /**
   * Records whose artifact is still stored, newest first per asset (what gc weighs).
   *
   * @example
   * const old = (await store.artifactRecords(['model'])).filter((r) => !r.isLatest && !r.pinned)
   */
  async artifactRecords(keys?: readonly string[]): Promise<ArtifactRecord[]> {
    return this.#read(() => this.#artifacts.artifacts(keys))
  }

  /**
   * Marks records' artifacts as collected, skipping current, pinned and collected ones; returns the
   * ids marked, whose files may then be deleted.
   *
   * @example
   * const marked = await store.markCollected([12, 15])
   */
  async markCollected(ids: readonly number[]): Promise<number[]> {
    return this.#write(() => this.#artifacts.collect(ids))
  }

  /**
   * Takes the build lease of an asset for `ttlMs` if nobody holds it, this run holds it, or the
   * holder's lease expired. Returns whether this run now holds it.
   *
   * @example
   * if (!(await store.tryAcquireLease('model', runId, 60_000))) console.log('another run is building model')
   */
  async tryAcquireLease(key: string, runId: string, ttlMs: number, partition = ''): Promise<boolean> {
    return this.#laterOne(() => this.#leases.tryAcquire(key, partition, runId, ttlMs))
  }

  /**
   * Extends a lease this run holds; false if another run took it or it was released.
   *
   * @example
   * const timer = setInterval(() => void store.renewLease('model', runId, 60_000), 20_000)
   */
  async renewLease(key: string, runId: string, ttlMs: number, partition = ''): Promise<boolean> {
    return this.#laterOne(() => this.#leases.renew(key, partition, runId, ttlMs))
  }

  /**
   * Gives up a lease; false if this run did not hold it.
   *
   * @example
   * await store.releaseLease('model', runId)
   */
  async releaseLease(key: string, runId: string, partition = ''): Promise<boolean> {
    return this.#laterOne(() => this.#leases.release(key, partition, runId))
  }

  /**
   * Takes the leases of many partitions of `key` in one transaction (group-committed with the writes
   * queued in the same turn), with one multi-row upsert: each is taken when free, expired or already
   * this run's (expiry extended). Returns per partition whether this run now holds it.
   *
   * @example
   * const taken = await store.tryAcquirePartitionLeases('events', days, runId, 60_000)
   * const mine = days.filter((_, i) => taken[i]) // the others are being built by another run
   */
  async tryAcquirePartitionLeases(
    key: string,
    partitions: readonly string[],
    runId: string,
    ttlMs: number,
  ): Promise<boolean[]> {
    const json = partitionsJson(key, partitions)
    return this.#later(() => this.#leases.tryAcquireMany(key, json, runId, ttlMs))
  }

  /**
   * Extends the leases this run holds among `partitions`, in one statement; returns how many it
   * still holds (fewer: another run took some after they expired).
   *
   * @example
   * const timer = setInterval(() => void store.renewPartitionLeases('events', days, runId, 60_000), 20_000)
   */
  async renewPartitionLeases(
    key: string,
    partitions: readonly string[],
    runId: string,
    ttlMs: number,
  ): Promise<number> {
    const json = partitionsJson(key, partitions)
    return this.#later(() => this.#leases.renewMany(key, json, runId, ttlMs))
  }

  /**
   * Gives up this run's leases among `partitions`, in one statement; returns how many went.
   *
   * @example
   * await store.releasePartitionLeases('events', days, runId) // days.length
   */
  async releasePartitionLeases(key: string, partitions: readonly string[], runId: string): Promise<number> {
    const json = partitionsJson(key, partitions)
    return this.#later(() => this.#leases.releaseMany(key, json, runId))
  }

  /**
   * The holders (possibly expired) of the given partitions' leases, in order; undefined where none.
   *
   * @example
   * const [holder] = await store.partitionLeaseHolders('events', ['2024-01-01'])
   * if (holder) console.log(`2024-01-01 held by run ${holder.runId} (pid ${holder.pid} on ${holder.host})`)
   */
  async partitionLeaseHolders(key: string, partitions: readonly string[]): Promise<(Lease | undefined)[]> {
    const json = partitionsJson(key, partitions)
    return this.#read(() => this.#leases.getMany(key, json))
  }

  /**
   * Gives up every lease a run holds; returns how many.
   *
   * @example
   * await store.releaseRunLeases(runId)
   */
  async releaseRunLeases(runId: string): Promise<number> {
    return this.#write(() => this.#leases.releaseRun(runId))
  }

  /**
   * The current holder of an asset's lease (possibly expired), or undefined.
   *
   * @example
   * const lease = await store.getLease('model'); if (lease) console.log(`held by run ${lease.runId} on ${lease.host}`)
   */
  async getLease(key: string, partition = ''): Promise<Lease | undefined> {
    return this.#read(() => this.#leases.get(key, partition))
  }

  /**
   * Every lease not expired at `now`, in one query.
   *
   * @example
   * const running = new Set((await store.activeLeases()).map((l) => l.key))
   */
  async activeLeases(now: number = Date.now()): Promise<Lease[]> {
    return this.#read(() => this.#leases.active(now))
  }

  /**
   * Starts an automation tick; returns its id.
   *
   * @example
   * const tickId = await store.beginTick({ startedAt: new Date(), dryRun: false })
   */
  async beginTick(t: NewTick): Promise<number> {
    return this.#write(() => this.#automation.beginTick(t))
  }

  /**
   * Ends a tick, with the run id of each decision a run of it carries out.
   *
   * @example
   * await store.finishTick(tickId, { evaluated: 3, requested: 1, runIds: [runId], decisionRuns: [['model', runId]] })
   */
  async finishTick(id: number, t: TickEnd): Promise<void> {
    this.#write(() => this.#automation.finishTick(id, t))
  }

  /**
   * Stores a tick's decisions (and state entries of a scope) in one transaction; keeps the decisions
   * of the newest 100 ticks only.
   *
   * @example
   * await store.recordDecisions(tickId, [{ key: 'model', requested: true, tree }], { scope: 'asset', entries: [['model', memory]] })
   */
  async recordDecisions(
    tickId: number,
    ds: readonly NewDecision[],
    state?: { scope: string; entries: readonly (readonly [string, unknown])[] },
  ): Promise<void> {
    this.#write(() => {
      this.#automation.record(tickId, ds)
      if (state !== undefined) this.#automation.saveState(state.scope, state.entries)
    })
  }

  /**
   * Stored decisions, newest first, with their tick's time.
   *
   * @example
   * const why = await store.automationDecisions({ key: 'model', limit: 5 })
   */
  async automationDecisions(opts: { key?: string; limit?: number } = {}): Promise<AutomationDecisionRecord[]> {
    return this.#read(() => this.#automation.decisions(opts))
  }

  /**
   * Stored ticks, newest first.
   *
   * @example
   * const [last] = await store.automationTicks({ limit: 1 })
   */
  async automationTicks(opts: { limit?: number } = {}): Promise<AutomationTickRecord[]> {
    return this.#read(() => this.#automation.ticks(opts.limit ?? 20))
  }

  /**
   * Every entry of an automation state scope, in one query.
   *
   * @example
   * const cursors = await store.automationState('sensor')
   */
  async automationState(scope: string): Promise<Map<string, unknown>> {
    return this.#read(() => this.#automation.state(scope))
  }

  /**
   * Upserts entries of an automation state scope, in one transaction.
   *
   * @example
   * await store.saveAutomationState('sensor', [['new_batches', { cursor: 'batch-0042' }]])
   */
  async saveAutomationState(scope: string, entries: readonly (readonly [string, unknown])[]): Promise<void> {
    this.#write(() => this.#automation.saveState(scope, entries))
  }

  /**
   * Records a job a launcher is about to submit (state `pending`); returns its id.
   *
   * @example
   * const jobId = await store.insertJob({ runId, key: 'model/torch', launcher: 'slurm', fingerprint })
   */
  async insertJob(job: NewJob): Promise<number> {
    return this.#write(() => this.#jobs.insert(job))
  }

  /**
   * Updates a job's handle, state, times or exit code; false if there is no such job.
   *
   * @example
   * await store.updateJob(jobId, { handle: { id: '4242' }, state: 'running', startedAt: new Date() })
   */
  async updateJob(id: number, update: JobUpdate): Promise<boolean> {
    return this.#write(() => this.#jobs.update(id, update))
  }

  /**
   * One job, or undefined.
   *
   * @example
   * (await store.getJob(jobId))?.state // 'succeeded'
   */
  async getJob(id: number): Promise<JobRecord | undefined> {
    return this.#read(() => this.#jobs.get(id))
  }

  /**
   * Jobs of an asset still pending or running (per the store) for the same work, newest first: what a
   * restarted run may reattach to.
   *
   * @example
   * const [previous] = await store.activeJobs('model/torch', 'slurm', fingerprint)
   */
  async activeJobs(key: string, launcher: string, fingerprint: string, partition = ''): Promise<JobRecord[]> {
    return this.#read(() => this.#jobs.active(key, partition, launcher, fingerprint))
  }

  /**
   * A run's jobs, or an asset's latest jobs (newest first).
   *
   * @example
   * (await store.listJobs({ runId })).map((j) => [j.key, j.state])
   * await store.listJobs({ key: 'model/torch', limit: 5 })
   */
  async listJobs(
    filter: { runId: string } | { key: string; partition?: string; limit?: number },
  ): Promise<JobRecord[]> {
    return this.#read(() =>
      'runId' in filter
        ? this.#jobs.ofRun(filter.runId)
        : this.#jobs.ofAsset(filter.key, filter.partition ?? '', filter.limit ?? 20),
    )
  }

  #dataVersionStmt: Database.Statement | undefined

  /**
   * SQLite's `PRAGMA data_version` of this connection: it changes only when another connection (another
   * process) committed to the store since the last call, never for this connection's own writes. The
   * daemon reads it on the store's file events to tell another process's commit from its own.
   *
   * @example
   * const before = store.externalDataVersion()
   * // … another process records a materialization …
   * store.externalDataVersion() !== before // true
   */
  externalDataVersion(): number {
    this.#dataVersionStmt ??= this.#db.prepare('PRAGMA data_version').pluck()
    return this.#read(() => this.#dataVersionStmt!.get() as number)
  }

  /**
   * Closes the connection (the last connection also checkpoints and removes the WAL file).
   *
   * @example
   * await store.close()
   */
  async close(): Promise<void> {
    if (!this.#db.open) return
    try {
      this.#batch.flush()
    } finally {
      this.#db.close()
    }
  }
}
