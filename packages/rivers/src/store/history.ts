/**
 * Read-only views for people: one asset's records with everything attached, and one metric across
 * records (to compare runs).
 */
import type Database from 'better-sqlite3'
import { decodeJson } from './json.js'
import type { RunsTable } from './runs.js'
import type { HistoryRecord, MetricHistoryPoint, MetricPoint, RecordKind } from './types.js'

type Obj = Record<string, unknown>

interface Statements {
  records: Database.Statement
  recordsOfPartition: Database.Statement
  current: Database.Statement
  inputs: Database.Statement
  metrics: Database.Statement
  metricSeries: Database.Statement
}

/**
 * Prepared statements behind `Store.assetHistory`, `Store.currentRecord` and `Store.metricHistory`.
 * Params come with each record in the same query (a LEFT JOIN), not one query more per record.
 *
 * @example
 * const history = new HistoryViews(db, runs)
 * history.asset('raw', { limit: 5 })
 */
export class HistoryViews {
  readonly #db: Database.Database
  readonly #runs: RunsTable
  #statements: Statements | undefined

  constructor(db: Database.Database, runs: RunsTable) {
    this.#db = db
    this.#runs = runs
  }

  /** Statements, prepared on first use (a store opened with older migrations has no params or pins table). */
  get #st(): Statements {
    if (this.#statements !== undefined) return this.#statements
    const db = this.#db
    const select = `SELECT m.*, (l.materialization_id IS NOT NULL) AS is_latest, p.params AS params_json,
        pin.note AS pin_note, pin.pinned_at AS pinned_at
      FROM materializations m
      LEFT JOIN latest l ON l.asset_key = m.asset_key AND l.partition = m.partition AND l.materialization_id = m.id
      LEFT JOIN materialization_params p ON p.materialization_id = m.id
      LEFT JOIN pins pin ON pin.materialization_id = m.id`
    this.#statements = {
      records: db.prepare(`${select} WHERE m.asset_key = ? ORDER BY m.id DESC LIMIT ?`),
      recordsOfPartition: db.prepare(`${select} WHERE m.asset_key = ? AND m.partition = ? ORDER BY m.id DESC LIMIT ?`),
      current: db.prepare(
        `SELECT m.*, 1 AS is_latest, p.params AS params_json, pin.note AS pin_note, pin.pinned_at AS pinned_at
         FROM latest l JOIN materializations m ON m.id = l.materialization_id
         LEFT JOIN materialization_params p ON p.materialization_id = m.id
         LEFT JOIN pins pin ON pin.materialization_id = m.id
         WHERE l.asset_key = ? AND l.partition = ?`,
      ),
      inputs: db.prepare(
        'SELECT dep_key, dep_partition, data_version FROM materialization_inputs WHERE materialization_id = ? ORDER BY position',
      ),
      metrics: db.prepare(
        'SELECT name, step, value FROM metrics WHERE materialization_id = ? ORDER BY name, step IS NULL, step',
      ),
      // Per record: stepped values by ascending step, then the summary (NULL step) value last, so the
      // last row of each record is the value to report.
      metricSeries: db.prepare(
        `SELECT m.id, m.run_id, m.finished_at, x.step, x.value
         FROM materializations m JOIN metrics x ON x.materialization_id = m.id
         WHERE m.asset_key = ? AND m.partition = ? AND x.name = ?
         ORDER BY m.id, x.step IS NULL, x.step`,
      ),
    }
    return this.#statements
  }

  /** Newest records of an asset first (all partitions unless one is given). */
  asset(key: string, opts: { limit?: number; partition?: string } = {}): HistoryRecord[] {
    const limit = opts.limit ?? 20
    const rows = (
      opts.partition === undefined
        ? this.#st.records.all(key, limit)
        : this.#st.recordsOfPartition.all(key, opts.partition, limit)
    ) as Obj[]
    return rows.map((row) => this.#toRecord(row))
  }

  /** The current (latest, not wiped) record of an asset, or undefined. */
  current(key: string, partition = ''): HistoryRecord | undefined {
    const row = this.#st.current.get(key, partition) as Obj | undefined
    return row === undefined ? undefined : this.#toRecord(row)
  }

  #toRecord(row: Obj): HistoryRecord {
    const id = row.id as number
    return {
      id,
      runId: row.run_id as string,
      key: row.asset_key as string,
      partition: row.partition as string,
      kind: row.kind as RecordKind,
      codeVersion: (row.code_version as Buffer).toString('hex'),
      configHash: (row.config_hash as Buffer).toString('hex'),
      dataVersion: (row.data_version as Buffer).toString('hex'),
      startedAt: row.started_at as string,
      finishedAt: row.finished_at as string,
      durationMs: row.duration_ms as number,
      storagePath: (row.storage_path as string | null) ?? null,
      metadata: decodeJson<Record<string, unknown>>(row.metadata as string | null),
      inputs: (this.#st.inputs.all(id) as Obj[]).map((i) => ({
        key: i.dep_key as string,
        partition: i.dep_partition as string,
        dataVersion: (i.data_version as Buffer).toString('hex'),
      })),
      metrics: (this.#st.metrics.all(id) as Obj[]).map(toMetric),
      checks: this.#runs.checksOf(id),
      params: decodeJson(row.params_json as string | null),
      isLatest: row.is_latest === 1,
      wipedAt: (row.wiped_at as string | null) ?? null,
      collectedAt: (row.collected_at as string | null) ?? null,
      pin:
        row.pinned_at == null
          ? null
          : { note: (row.pin_note as string | null) ?? null, pinnedAt: row.pinned_at as string },
    }
  }

  /** One value of metric `name` per record of `key`, oldest first, at most `limit` (the newest). */
  metric(key: string, name: string, opts: { limit?: number; partition?: string } = {}): MetricHistoryPoint[] {
    const points: MetricHistoryPoint[] = []
    for (const row of this.#st.metricSeries.all(key, opts.partition ?? '', name) as Obj[]) {
      const point: MetricHistoryPoint = {
        materializationId: row.id as number,
        runId: row.run_id as string,
        finishedAt: row.finished_at as string,
        value: (row.value as number | null) ?? Number.NaN,
        step: (row.step as number | null) ?? null,
      }
      const last = points[points.length - 1]
      if (last?.materializationId === point.materializationId) points[points.length - 1] = point
      else points.push(point)
    }
    const limit = opts.limit ?? 100
    return points.length > limit ? points.slice(points.length - limit) : points
  }
}

function toMetric(row: Obj): MetricPoint {
  const value = (row.value as number | null) ?? Number.NaN
  return row.step == null
    ? { name: row.name as string, value }
    : { name: row.name as string, value, step: row.step as number }
}
