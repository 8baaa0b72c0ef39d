/**
 * `PostgresStore`: the `Store` seam on a PostgreSQL database, for teams (several people, CI, the
 * daemon and cluster workers sharing one store). Same schema and guarantees as `SqliteStore`:
 * versioned migrations applied once under an advisory lock, every multi-row write in one transaction
 * (or one statement), leases exclusive across machines (row locks of an upsert, the server's clock),
 * and the hot reads columnar in one query. One bounded pool per store (default 5 connections).
 *
 * The read methods live in `PostgresReads` (reads.ts), the lease methods in `PostgresLeases`
 * (lease-methods.ts); this file has opening, closing and the other writes.
 */
import type {
  AliasMoveRecord,
  BackfillProgressUpdate,
  BackfillStatus,
  BeginRun,
  JobUpdate,
  LatestChanges,
  LatestCursor,
  LatestRecords,
  NewAliasMove,
  NewBackfill,
  NewCheckResult,
  NewDecision,
  NewJob,
  NewRecord,
  NewTick,
  PackedLatestRecords,
  PinRecord,
  RunStatus,
  Store,
  TickEnd,
} from '@rivers-orchestrator/rivers/plugin'
import { unpackLatest } from '@rivers-orchestrator/rivers/plugin'
import * as automation from './automation.js'
import { type CommitWatch, type CommitWatchOptions, PgCommitWatch } from './commit-watch.js'
import { Db, type PoolOptions } from './db.js'
import * as history from './history.js'
import * as latest from './latest.js'
import { migrate } from './migrations.js'
import { aliasMoves, moveAlias } from './model-aliases.js'
import * as sets from './partition-sets.js'
import { PostgresLeases } from './lease-methods.js'
import { insertRecords } from './batch-records.js'
import { insertRecord, wipeLatest } from './records.js'
import * as runs from './runs.js'
import { closest } from './suggest.js'

/** Options of `PostgresStore.open`. */
export interface PostgresStoreOptions {
  /** The connection pool of this store (default: at most 5 connections). */
  pool?: PoolOptions
}

/**
 * The PostgreSQL store of a team.
 *
 * @example
 * const store = await PostgresStore.open('postgres://rivers@db.internal/team', { pool: { max: 5 } })
 * await store.beginRun({ id: 'r1', selection: ['*'], force: false })
 * const latest = await store.latestRecords()
 * await store.close()
 */
export class PostgresStore extends PostgresLeases implements Store {
  private constructor(db: Db) {
    super(db)
  }

  /**
   * Connects (a pool of at most `options.pool.max` connections, default 5) and brings the schema up
   * to date (once, under an advisory lock, whoever else opens the database at the same time). Errors
   * name the URL (password hidden) and the fix: server unreachable, login refused, no such database,
   * database migrated by a newer Rivers.
   *
   * @example
   * const store = await PostgresStore.open(process.env.RIVERS_STORE_URL!)
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const db = new Db(url, options.pool)
    try {
      await migrate(db)
    } catch (e) {
      await db.end().catch(() => {})
      throw e
    }
    return new PostgresStore(db)
  }

  /**
   * Starts a run (status `running`, with this process's pid and host); refuses a taken id.
   *
   * @example
   * await store.beginRun({ id: runId, selection: ['raw+'], force: false })
   */
  async beginRun(run: BeginRun): Promise<void> {
    await runs.beginRun(this.db, run, this.db.url)
  }

  /**
   * Ends a run with its final status and summary.
   *
   * @example
   * await store.finishRun(runId, 'success', { materialized: ['raw'] })
   */
  async finishRun(id: string, status: RunStatus, summary: unknown): Promise<void> {
    await runs.finishRun(this.db, id, status, summary, this.db.url)
  }

  /**
   * Appends an event to a run; returns its id.
   *
   * @example
   * await store.appendEvent(runId, 'skipped', 'report', { reason: 'upstream_unchanged' })
   */
  async appendEvent(runId: string, type: string, key?: string, data?: unknown): Promise<number> {
    return runs.appendEvent(this.db, runId, type, key, data, this.db.url)
  }

  /**
   * Records a materialization (or observation) with its inputs, metrics, `latest` row and event in
   * one statement (atomic); returns the record id.
   *
   * @example
   * await store.recordMaterialization({ runId, key: 'raw', codeVersion, configHash, dataVersion, inputs: [],
   *   startedAt, finishedAt: new Date() })
   */
  async recordMaterialization(record: NewRecord): Promise<number> {
    return insertRecord(this.db, record, this.db.url)
  }

  /**
   * Records many materializations in one transaction and one insert statement (all or none); returns
   * their ids in order.
   *
   * @example
   * const ids = await store.recordMaterializations(days.map((day) => ({ ...rec, partition: day })))
   */
  async recordMaterializations(records: readonly NewRecord[]): Promise<number[]> {
    if (records.length === 0) return []
    return this.db.tx(async (c) => {
      return insertRecords(c, records, this.db.url)
    }, 'recordMaterializations')
  }

  /**
   * Records the result of an asset check; returns its id.
   *
   * @example
   * await store.recordCheck({ runId, key: 'model', materializationId: id, name: 'auc >= 0.8', passed: true })
   */
  async recordCheck(result: NewCheckResult): Promise<number> {
    return runs.recordCheck(this.db, result, this.db.url)
  }

  /**
   * Stores (replaces) the config values a record was built with.
   *
   * @example
   * await store.recordParams(id, { epochs: 3, token: '[redacted]' })
   */
  async recordParams(materializationId: number, params: unknown): Promise<void> {
    await runs.recordParams(this.db, materializationId, params, this.db.url)
  }

  /**
   * The latest record of every unpartitioned asset, columnar, in ONE query (one snapshot).
   *
   * @example
   * const { keys, dataVersions } = await store.latestRecords()
   */
  async latestRecords(): Promise<LatestRecords> {
    return unpackLatest(await latest.latestPacked(this.db, this.db.url))
  }

  /**
   * The same records packed, in one query.
   *
   * @example
   * const packed = await store.latestRecordsPacked()
   */
  async latestRecordsPacked(): Promise<PackedLatestRecords> {
    return latest.latestPacked(this.db, this.db.url)
  }

  /**
   * The latest records changed since `cursor` (with the partitioned rows when asked), from one
   * REPEATABLE READ snapshot.
   *
   * @example
   * let { cursor } = await store.latestRecordsSince()
   * const changes = await store.latestRecordsSince(cursor, { partitions: true })
   */
  async latestRecordsSince(cursor?: LatestCursor, options: { partitions?: boolean } = {}): Promise<LatestChanges> {
    return this.db.tx(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')
      return latest.latestSince(c, cursor, options, this.db.url)
    }, 'latestRecordsSince')
  }

  /**
   * Forgets the latest records of assets (every partition); history stays, marked wiped.
   *
   * @example
   * await store.wipe(['features', 'model'])
   */
  async wipe(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0
    return this.db.tx((c) => wipeLatest(c, keys), 'wipe')
  }

  /**
   * Forgets some partitions of an asset.
   *
   * @example
   * await store.wipePartitions('events', ['2024-01-01'])
   */
  async wipePartitions(key: string, partitions: readonly string[]): Promise<number> {
    if (partitions.length === 0) return 0
    return this.db.tx((c) => wipeLatest(c, [key], partitions), 'wipePartitions')
  }

  /**
   * Moves a model alias to a version, appending to its history; with `expect`, refused when the alias
   * names another version by then (compare and set under an advisory lock).
   *
   * @example
   * await store.moveModelAlias({ key: 'model', alias: 'champion', version: 3, recordId: 41, action: 'promote', expect: 2 })
   */
  async moveModelAlias(move: NewAliasMove): Promise<AliasMoveRecord> {
    return this.db.tx((c) => moveAlias(c, move), 'moveModelAlias')
  }

  /**
   * Moves of a model's aliases (or of one alias), newest first.
   *
   * @example
   * const [now] = await store.modelAliasMoves('model', { alias: 'champion', limit: 1 })
   */
  async modelAliasMoves(key: string, opts: { alias?: string; limit?: number } = {}): Promise<AliasMoveRecord[]> {
    return aliasMoves(this.db, key, opts)
  }

  /**
   * Pins the current record of an asset (or its record of `runId`) with a note.
   *
   * @example
   * await store.pin('model', { note: 'registered as churn v3' })
   */
  async pin(key: string, opts: { runId?: string; partition?: string; note?: string } = {}): Promise<PinRecord> {
    return this.db.tx((c) => history.pin(c, key, opts), 'pin')
  }

  /**
   * Removes pins; returns how many.
   *
   * @example
   * await store.unpin('model')
   */
  async unpin(key: string, opts: { runId?: string; partition?: string } = {}): Promise<number> {
    return history.unpin(this.db, key, opts)
  }

  /**
   * Marks records' artifacts collected (never a current or pinned one); returns the ids marked.
   *
   * @example
   * const marked = await store.markCollected([12, 15])
   */
  async markCollected(ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return []
    return this.db.tx((c) => history.markCollected(c, ids), 'markCollected')
  }

  /**
   * Adds keys to a dynamic partition set; returns how many were added.
   *
   * @example
   * await store.addDynamicPartitions('customers', ['acme'])
   */
  async addDynamicPartitions(set: string, keys: readonly string[]): Promise<number> {
    return this.db.tx((c) => sets.addDynamic(c, set, keys), 'addDynamicPartitions')
  }

  /**
   * Removes keys from a dynamic partition set (an unknown key throws and nothing goes).
   *
   * @example
   * await store.removeDynamicPartitions('customers', ['acme'])
   */
  async removeDynamicPartitions(set: string, keys: readonly string[]): Promise<number> {
    return this.db.tx((c) => sets.removeDynamic(c, set, keys, closest), 'removeDynamicPartitions')
  }

  /**
   * Stores a new backfill with its planned counts per asset.
   *
   * @example
   * await store.createBackfill({ id: 'bf-1', selection: ['events'], ranges: {}, batch: 10, planned: { events: 31 } })
   */
  async createBackfill(backfill: NewBackfill): Promise<void> {
    await this.db.tx((c) => sets.createBackfill(c, backfill, this.db.url), 'createBackfill')
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
    await this.db.tx(
      (c) => sets.updateBackfillProgress(c, id, progress, opts.runId, this.db.url),
      'updateBackfillProgress',
    )
  }

  /**
   * Sets a backfill's status.
   *
   * @example
   * await store.finishBackfill('bf-1', 'done')
   */
  async finishBackfill(id: string, status: BackfillStatus): Promise<void> {
    await sets.finishBackfill(this.db, id, status, this.db.url)
  }

  /**
   * Starts an automation tick; returns its id.
   *
   * @example
   * const tickId = await store.beginTick({ startedAt: new Date(), dryRun: false })
   */
  async beginTick(t: NewTick): Promise<number> {
    return automation.beginTick(this.db, t)
  }

  /**
   * Ends a tick, with the run of each decision a run carries out.
   *
   * @example
   * await store.finishTick(tickId, { evaluated: 3, requested: 1, runIds: [runId] })
   */
  async finishTick(id: number, t: TickEnd): Promise<void> {
    await this.db.tx((c) => automation.finishTick(c, id, t), 'finishTick')
  }

  /**
   * Stores a tick's decisions (and state entries of a scope) in one transaction.
   *
   * @example
   * await store.recordDecisions(tickId, [{ key: 'model', requested: true, tree }])
   */
  async recordDecisions(
    tickId: number,
    ds: readonly NewDecision[],
    state?: { scope: string; entries: readonly (readonly [string, unknown])[] },
  ): Promise<void> {
    await this.db.tx(async (c) => {
      await automation.recordDecisions(c, tickId, ds)
      if (state !== undefined) await automation.saveAutomationState(c, state.scope, state.entries)
    }, 'recordDecisions')
  }

  /**
   * Upserts entries of an automation state scope (one statement).
   *
   * @example
   * await store.saveAutomationState('sensor', [['new_batches', { cursor: 'batch-0042' }]])
   */
  async saveAutomationState(scope: string, entries: readonly (readonly [string, unknown])[]): Promise<void> {
    await automation.saveAutomationState(this.db, scope, entries)
  }

  /**
   * Records a job a launcher is about to run; returns its id.
   *
   * @example
   * const jobId = await store.insertJob({ runId, key: 'model', launcher: 'slurm', fingerprint })
   */
  async insertJob(job: NewJob): Promise<number> {
    return runs.insertJob(this.db, job)
  }

  /**
   * Updates a job; false if there is no such job.
   *
   * @example
   * await store.updateJob(jobId, { state: 'running', startedAt: new Date() })
   */
  async updateJob(id: number, update: JobUpdate): Promise<boolean> {
    return runs.updateJob(this.db, id, update)
  }

  /**
   * Watches other connections' commits of records (materializations, observations, wipes) through
   * LISTEN/NOTIFY on one connection of this store's pool, with a polling fallback while that
   * connection is down (see commit-watch.ts). Close the watch before the store.
   *
   * @example
   * const watch = await store.watchCommits({ onCommit: () => wake('store'), onFallback: (e) => log(e) })
   * watch.mode // 'events'
   * watch.close()
   */
  async watchCommits(options: CommitWatchOptions): Promise<CommitWatch> {
    return PgCommitWatch.start(this.db, options)
  }

  /**
   * Closes the pool; the store is unusable afterwards.
   *
   * @example
   * await store.close()
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.db.end()
  }
}
