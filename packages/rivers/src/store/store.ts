/**
 * The `Store` seam: everything the engine keeps about a project's runs, as one small asynchronous
 * interface. `SqliteStore` (a file in the store folder) implements it; a PostgreSQL store for teams
 * can implement it too, in its own package, and prove it with `storeConformance` from
 * `@rivers-orchestrator/conformance`.
 *
 * What an implementation must guarantee (the conformance suite checks each):
 * - `recordMaterialization` writes the record, its inputs, metrics, the asset's latest pointer and a
 *   `materialized`/`observed` event atomically, and refuses hashes that are not 16 bytes;
 * - `latestRecords` reads every latest record in one consistent snapshot, columnar (the engine
 *   never queries records one asset at a time on its hot paths);
 * - the latest records of partitioned assets (partition not `''`) stay out of `latestRecords*`
 *   and come, packed with their partitions, from `latestPartitionRecords`;
 * - leases are exclusive across processes (and machines), re-entrant for their run, and stealable
 *   once expired;
 * - a current (latest) or pinned record is never marked collected, and a collected one cannot be
 *   pinned (checked inside the write, so a pin and a collection cannot cross);
 * - errors are `RiversError`s that name the run, asset or record at fault.
 */
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
  Lease,
  MetricHistoryPoint,
  NewAliasMove,
  NewCheckResult,
  NewJob,
  NewRecord,
  LatestChanges,
  LatestCursor,
  PackedLatestRecords,
  PackedPartitionRecords,
  BackfillProgressUpdate,
  BackfillRecord,
  BackfillStatus,
  NewBackfill,
  PinRecord,
  RunRecord,
  RunStatus,
} from './types.js'

/**
 * Where the engine keeps runs, records, checks, events, metrics, params, leases and jobs.
 *
 * @example
 * const store: Store = SqliteStore.open('.rivers')
 * await store.beginRun({ id: 'r1', selection: ['*'], force: false })
 * const latest = await store.latestRecords()
 * await store.close()
 */
export interface Store {
  /** Starts a run (status `running`, with this process's pid and host); refuses a taken id. */
  beginRun(run: BeginRun): Promise<void>
  /** Ends a run with its final status and summary (any JSON value). */
  finishRun(id: string, status: RunStatus, summary: unknown): Promise<void>
  /** One run, or undefined. */
  getRun(id: string): Promise<RunRecord | undefined>
  /** The most recent runs, newest first (default 20). */
  listRuns(opts?: { limit?: number }): Promise<RunRecord[]>
  /** Appends an event to a run; returns its id. */
  appendEvent(runId: string, type: string, key?: string, data?: unknown): Promise<number>
  /** A run's events in order. */
  runEvents(runId: string): Promise<EventRecord[]>
  /**
   * Records a materialization (or a source observation) with its inputs and metrics, the asset's
   * latest pointer and a `materialized`/`observed` event, atomically. Returns the record id.
   */
  recordMaterialization(record: NewRecord): Promise<number>
  /** Records the result of an asset check; returns its id. */
  recordCheck(result: NewCheckResult): Promise<number>
  /** Stores the config values a record was built with (secrets already redacted). */
  recordParams(materializationId: number, params: unknown): Promise<void>
  /** The latest record of every unpartitioned asset, columnar, from one consistent snapshot. */
  latestRecords(): Promise<LatestRecords>
  /**
   * Optional: the same records packed (see {@link PackedLatestRecords}); the engine opens large
   * projects faster with it and packs `latestRecords` itself when a store has none.
   */
  latestRecordsPacked?(): Promise<PackedLatestRecords>
  /**
   * Optional: the latest records changed since a cursor (see {@link LatestChanges}), with the
   * partitioned rows changed when `partitions` is asked; without it the automation tick reloads
   * every record each time.
   */
  latestRecordsSince?(cursor?: LatestCursor, options?: { partitions?: boolean }): Promise<LatestChanges>
  /**
   * Optional: the latest records of the partitioned assets `keys` (rows whose partition is not
   * `''`), packed (see {@link PackedPartitionRecords}), from one consistent snapshot, in a few
   * chunked reads. `latestRecords*` never include these rows.
   */
  latestPartitionRecords?(keys: readonly string[]): Promise<PackedPartitionRecords>
  /**
   * Optional: records many materializations (a backfill's partitions) in ONE transaction, each as
   * `recordMaterialization` would; all or none are stored. Returns the record ids in order.
   */
  recordMaterializations?(records: readonly NewRecord[]): Promise<number[]>
  /**
   * Optional (with `partitionsRecordedAfter`): the highest record id so far, 0 for none. The engine
   * reads it before loading records: a later record id is one it may not have seen.
   */
  lastRecordId?(): Promise<number>
  /**
   * Optional: a number that changes whenever another connection to the store (another process, or
   * another store object) commits a write; this object's own writes leave it as it is. Cheap, and
   * commits nothing queued. While it stays the same, the engine skips re-reading the records it
   * already knows before each asset of a run. A store with it also reports it, read before the
   * records, in `latestRecordsSince`'s result (`othersVersion`): the engine reads it from there after
   * a refresh, without a query of its own.
   */
  othersVersion?(): Promise<number>
  /**
   * Optional: which of `partitions` of `key` have a latest record newer than record `afterId`,
   * written by a run other than `exceptRunId`. With it and per-partition leases, runs on disjoint
   * partitions of one asset run at once; without it the engine leases whole assets.
   */
  partitionsRecordedAfter?(
    key: string,
    partitions: readonly string[],
    afterId: number,
    exceptRunId: string,
  ): Promise<string[]>
  /** Optional: forgets some partitions of an asset as `wipe` forgets assets; returns the `latest` rows removed. */
  wipePartitions?(key: string, partitions: readonly string[]): Promise<number>
  /** Optional: a dynamic partition set's keys by position, `null` where a key was removed (`[]`: no such set). */
  dynamicPartitionSlots?(set: string): Promise<(string | null)[]>
  /** Optional: adds keys to a dynamic set at the next positions (present keys stay); returns how many were added. */
  addDynamicPartitions?(set: string, keys: readonly string[]): Promise<number>
  /** Optional: removes keys from a dynamic set (an unknown key throws and removes nothing); returns how many. */
  removeDynamicPartitions?(set: string, keys: readonly string[]): Promise<number>
  /** Optional: stores a new backfill (status `running`) with its planned counts per asset; refuses a taken id. */
  createBackfill?(backfill: NewBackfill): Promise<void>
  /** Optional: sets a backfill's counts per asset in one transaction, adding `runId` to its runs. */
  updateBackfillProgress?(
    id: string,
    progress: readonly BackfillProgressUpdate[],
    opts?: { runId?: string },
  ): Promise<void>
  /** Optional: sets a backfill's status (done, failed, cancelled, interrupted; `running` when resumed). */
  finishBackfill?(id: string, status: BackfillStatus): Promise<void>
  /** Optional: one backfill with its progress; an unknown id throws, listing recent ids. */
  backfill?(id: string): Promise<BackfillRecord>
  /** Optional: the most recent backfills, newest first (default 20). */
  backfills?(opts?: { limit?: number }): Promise<BackfillRecord[]>
  /** An asset's records, newest first, with inputs, metadata, metrics, checks and params. */
  assetHistory(key: string, opts?: { limit?: number; partition?: string }): Promise<HistoryRecord[]>
  /** The current record of an asset (what `latestRecords` sees for it), or undefined. */
  currentRecord(key: string, opts?: { partition?: string }): Promise<HistoryRecord | undefined>
  /** One value of a metric per record of an asset (the summary value, else the last step), oldest first. */
  metricHistory(key: string, name: string, opts?: { limit?: number; partition?: string }): Promise<MetricHistoryPoint[]>
  /** Forgets the latest records of assets (history stays, marked wiped); returns how many went. */
  wipe(keys: readonly string[]): Promise<number>
  /**
   * Pins the current record of an asset, or its record of `runId`, with an optional note: gc keeps
   * its artifact whatever the retention policy says. Throws when there is no such record or its
   * artifact was collected.
   */
  pin(key: string, opts?: { runId?: string; partition?: string; note?: string }): Promise<PinRecord>
  /** Removes the pin of an asset's record of `runId`, or every pin of the asset; returns how many went. */
  unpin(key: string, opts?: { runId?: string; partition?: string }): Promise<number>
  /** Pinned records (of one asset, or all), newest first per asset. */
  pins(key?: string): Promise<PinRecord[]>
  /**
   * Optional (the model registry): moves a model alias to a version, appending to the alias's history in one transaction; with `expect`, refused (nothing written)
   * when the alias names another version by then. The record must be a materialization of `key`.
   */
  moveModelAlias?(move: NewAliasMove): Promise<AliasMoveRecord>
  /** Optional (with `moveModelAlias`): moves of a model's aliases (or of one alias), newest first. */
  modelAliasMoves?(key: string, opts?: { alias?: string; limit?: number }): Promise<AliasMoveRecord[]>
  /** Records whose artifact is still stored (not collected), newest first per asset; only of `keys` when given. */
  artifactRecords(keys?: readonly string[]): Promise<ArtifactRecord[]>
  /**
   * Marks records' artifacts as collected (the rows stay), skipping any that is current, pinned or
   * already collected; returns the ids it marked. Delete a file only after its record is marked.
   */
  markCollected(ids: readonly number[]): Promise<number[]>
  /** Takes an asset's build lease for `ttlMs` if free, expired or already this run's. */
  tryAcquireLease(key: string, runId: string, ttlMs: number, partition?: string): Promise<boolean>
  /** Extends a lease this run holds; false if another run took it or it was released. */
  renewLease(key: string, runId: string, ttlMs: number, partition?: string): Promise<boolean>
  /** Gives up a lease; false if this run did not hold it. */
  releaseLease(key: string, runId: string, partition?: string): Promise<boolean>
  /**
   * Takes the leases of many partitions of `key` in one transaction: each is taken when free, expired
   * or already this run's (re-entrant, expiry extended). Returns per partition whether it was taken.
   * Partition leases are apart from the whole-asset lease (`''`, refused here).
   */
  tryAcquirePartitionLeases(
    key: string,
    partitions: readonly string[],
    runId: string,
    ttlMs: number,
  ): Promise<boolean[]>
  /** Extends the leases this run holds among `partitions`; returns how many it still holds. */
  renewPartitionLeases(key: string, partitions: readonly string[], runId: string, ttlMs: number): Promise<number>
  /** Gives up this run's leases among `partitions`; returns how many were released. */
  releasePartitionLeases(key: string, partitions: readonly string[], runId: string): Promise<number>
  /** The current holders (possibly expired) of the given partitions' leases, in order (undefined: none). */
  partitionLeaseHolders(key: string, partitions: readonly string[]): Promise<(Lease | undefined)[]>
  /** Gives up every lease a run holds; returns how many. */
  releaseRunLeases(runId: string): Promise<number>
  /** The current holder of an asset's lease (possibly expired), or undefined. */
  getLease(key: string, partition?: string): Promise<Lease | undefined>
  /** Every lease not expired at `now` (default: now), in one query (the tick engine's in-progress facts). */
  activeLeases(now?: number): Promise<Lease[]>
  /** Starts an automation tick; returns its id. */
  beginTick(t: NewTick): Promise<number>
  /** Ends a tick: counts, runs launched, error, and the run id of each decision a run carries out. */
  finishTick(id: number, t: TickEnd): Promise<void>
  /**
   * Stores the decisions of a tick (and, in the same transaction, state entries of a scope, e.g. the
   * condition memory), dropping the decisions of ticks older than the newest 100.
   */
  recordDecisions(
    tickId: number,
    ds: readonly NewDecision[],
    state?: { scope: string; entries: readonly (readonly [string, unknown])[] },
  ): Promise<void>
  /** Stored decisions, newest first, with their tick's time (of one asset when `key` is given; default 20). */
  automationDecisions(opts?: { key?: string; limit?: number }): Promise<AutomationDecisionRecord[]>
  /** Stored ticks, newest first (default 20). */
  automationTicks(opts?: { limit?: number }): Promise<AutomationTickRecord[]>
  /** Every entry of an automation state scope ('asset', 'sensor', 'schedule', 'daemon'), in one query. */
  automationState(scope: string): Promise<Map<string, unknown>>
  /** Upserts entries of an automation state scope, in one transaction. */
  saveAutomationState(scope: string, entries: readonly (readonly [name: string, state: unknown])[]): Promise<void>
  /** Records a job a launcher is about to run (state `pending`); returns its id. */
  insertJob(job: NewJob): Promise<number>
  /** Updates a job's handle, state, times or exit code; false if there is no such job. */
  updateJob(id: number, update: JobUpdate): Promise<boolean>
  /** One job, or undefined. */
  getJob(id: number): Promise<JobRecord | undefined>
  /** Jobs of an asset still pending or running for the same work (fingerprint), newest first. */
  activeJobs(key: string, launcher: string, fingerprint: string, partition?: string): Promise<JobRecord[]>
  /** A run's jobs, or an asset's latest jobs (newest first). */
  listJobs(filter: { runId: string } | { key: string; partition?: string; limit?: number }): Promise<JobRecord[]>
  /** Releases the connection; the store is unusable afterwards. */
  close(): Promise<void>
}
