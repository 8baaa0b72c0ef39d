/**
 * The reading half of `PostgresStore` (its base class): runs, events, history, pins, artifacts,
 * partitioned records, leases, automation, jobs, dynamic partition sets and backfills. Each method is
 * one query, or a handful whatever the size of the answer (no query per row).
 */
import type {
  ArtifactRecord,
  AutomationDecisionRecord,
  AutomationTickRecord,
  BackfillRecord,
  EventRecord,
  HistoryRecord,
  JobRecord,
  MetricHistoryPoint,
  PackedPartitionRecords,
  PinRecord,
  RunRecord,
} from '@rivers-orchestrator/rivers/plugin'
import * as automation from './automation.js'
import type { Db } from './db.js'
import { redactUrl } from './errors.js'
import * as history from './history.js'
import * as latest from './latest.js'
import * as sets from './partition-sets.js'
import * as runs from './runs.js'

/**
 * The read methods of the PostgreSQL store (see `PostgresStore`).
 *
 * @example
 * const store = await PostgresStore.open(url)
 * const runs = await store.listRuns({ limit: 10 })
 */
export class PostgresReads {
  /** The pool (with its query counter). */
  protected readonly db: Db
  /** Set by `close`. */
  protected closed = false

  protected constructor(db: Db) {
    this.db = db
  }

  /**
   * The store's URL without its password (for messages).
   *
   * @example
   * console.log(`store: ${store.location}`)
   */
  get location(): string {
    return redactUrl(this.db.url)
  }

  /**
   * Queries sent so far and the connections held at most, against the pool's bound: what tests
   * assert (one query for `latestRecords`, never more connections than the bound).
   *
   * @example
   * const before = store.stats().queries
   * await store.latestRecords()
   * store.stats().queries - before // 1
   */
  stats(): { queries: number; peakConnections: number; maxConnections: number } {
    const { peak, max } = this.db.connections
    return { queries: this.db.queries, peakConnections: peak, maxConnections: max }
  }

  /**
   * One run, or undefined.
   *
   * @example
   * (await store.getRun('r1'))?.status
   */
  async getRun(id: string): Promise<RunRecord | undefined> {
    return runs.getRun(this.db, id)
  }

  /**
   * The most recent runs, newest first (default 20).
   *
   * @example
   * await store.listRuns({ limit: 10 })
   */
  async listRuns(opts: { limit?: number } = {}): Promise<RunRecord[]> {
    return runs.listRuns(this.db, opts.limit ?? 20)
  }

  /**
   * A run's events in order.
   *
   * @example
   * (await store.runEvents(runId)).map((e) => e.type)
   */
  async runEvents(runId: string): Promise<EventRecord[]> {
    return runs.runEvents(this.db, runId)
  }

  /**
   * The latest records of partitioned assets, packed, in one query.
   *
   * @example
   * const p = await store.latestPartitionRecords(['events'])
   */
  async latestPartitionRecords(keys: readonly string[]): Promise<PackedPartitionRecords> {
    return latest.latestPartitions(this.db, keys, this.db.url)
  }

  /**
   * The highest record id so far (0 for none).
   *
   * @example
   * const seen = await store.lastRecordId()
   */
  async lastRecordId(): Promise<number> {
    return latest.lastRecordId(this.db)
  }

  /**
   * Which of `partitions` of `key` another run recorded after record `afterId`.
   *
   * @example
   * await store.partitionsRecordedAfter('events', ['2024-01-01'], seen, runId)
   */
  async partitionsRecordedAfter(
    key: string,
    partitions: readonly string[],
    afterId: number,
    exceptRunId: string,
  ): Promise<string[]> {
    return latest.recordedAfter(this.db, key, partitions, afterId, exceptRunId)
  }

  /**
   * A dynamic partition set's keys by position (`null`: removed).
   *
   * @example
   * await store.dynamicPartitionSlots('customers')
   */
  async dynamicPartitionSlots(set: string): Promise<(string | null)[]> {
    return sets.dynamicSlots(this.db, set)
  }

  /**
   * One backfill with its progress; an unknown id throws, listing recent ids.
   *
   * @example
   * const { status } = await store.backfill('bf-1')
   */
  async backfill(id: string): Promise<BackfillRecord> {
    return sets.getBackfill(this.db, id, this.db.url)
  }

  /**
   * The most recent backfills, newest first.
   *
   * @example
   * await store.backfills({ limit: 10 })
   */
  async backfills(opts: { limit?: number } = {}): Promise<BackfillRecord[]> {
    return sets.listBackfills(this.db, opts.limit ?? 20)
  }

  /**
   * An asset's records, newest first, with inputs, metadata, metrics, checks and params (4 queries).
   *
   * @example
   * const [last] = await store.assetHistory('model', { limit: 1 })
   */
  async assetHistory(key: string, opts: { limit?: number; partition?: string } = {}): Promise<HistoryRecord[]> {
    return history.assetHistory(this.db, key, opts)
  }

  /**
   * The current record of an asset, or undefined.
   *
   * @example
   * (await store.currentRecord('raw'))?.storagePath
   */
  async currentRecord(key: string, opts: { partition?: string } = {}): Promise<HistoryRecord | undefined> {
    return history.currentRecord(this.db, key, opts.partition ?? '')
  }

  /**
   * One value of a metric per record, oldest first.
   *
   * @example
   * await store.metricHistory('model', 'auc')
   */
  async metricHistory(
    key: string,
    name: string,
    opts: { limit?: number; partition?: string } = {},
  ): Promise<MetricHistoryPoint[]> {
    return history.metricHistory(this.db, key, name, opts)
  }

  /**
   * Pinned records, newest first per asset.
   *
   * @example
   * await store.pins('model')
   */
  async pins(key?: string): Promise<PinRecord[]> {
    return history.pins(this.db, key)
  }

  /**
   * Records whose artifact is still stored (what gc weighs).
   *
   * @example
   * await store.artifactRecords(['model'])
   */
  async artifactRecords(keys?: readonly string[]): Promise<ArtifactRecord[]> {
    return history.artifactRecords(this.db, keys)
  }

  /**
   * Stored decisions, newest first.
   *
   * @example
   * await store.automationDecisions({ key: 'model', limit: 5 })
   */
  async automationDecisions(opts: { key?: string; limit?: number } = {}): Promise<AutomationDecisionRecord[]> {
    return automation.decisions(this.db, opts)
  }

  /**
   * Stored ticks, newest first.
   *
   * @example
   * const [last] = await store.automationTicks({ limit: 1 })
   */
  async automationTicks(opts: { limit?: number } = {}): Promise<AutomationTickRecord[]> {
    return automation.ticks(this.db, opts.limit ?? 20)
  }

  /**
   * Every entry of an automation state scope, in one query.
   *
   * @example
   * await store.automationState('sensor')
   */
  async automationState(scope: string): Promise<Map<string, unknown>> {
    return automation.automationState(this.db, scope)
  }

  /**
   * One job, or undefined.
   *
   * @example
   * (await store.getJob(jobId))?.state
   */
  async getJob(id: number): Promise<JobRecord | undefined> {
    return runs.getJob(this.db, id)
  }

  /**
   * Jobs of the same work still pending or running, newest first.
   *
   * @example
   * const [previous] = await store.activeJobs('model', 'slurm', fingerprint)
   */
  async activeJobs(key: string, launcher: string, fingerprint: string, partition = ''): Promise<JobRecord[]> {
    return runs.activeJobs(this.db, key, partition, launcher, fingerprint)
  }

  /**
   * A run's jobs, or an asset's latest jobs.
   *
   * @example
   * await store.listJobs({ runId })
   */
  async listJobs(
    filter: { runId: string } | { key: string; partition?: string; limit?: number },
  ): Promise<JobRecord[]> {
    return runs.listJobs(this.db, filter)
  }
}
