/**
 * The history views (records of an asset with inputs, metrics, checks, params and pins; metric
 * series) and what gc relies on (pins, records that still have an artifact, marking one collected).
 * A history page is four queries whatever its length: the records, then the inputs, metrics and
 * checks of all of them at once.
 */
import type {
  ArtifactRecord,
  CheckResult,
  HistoryRecord,
  MetricHistoryPoint,
  MetricPoint,
  PinRecord,
  RecordKind,
} from '@rivers-orchestrator/rivers/plugin'
import type { Queryable } from './db.js'
import { pinCollected, pinNoRecord } from './errors.js'
import { decodeJson, isoTime } from './values.js'

type Row = Record<string, unknown>

const SELECT = `SELECT m.*, (l.materialization_id IS NOT NULL) AS is_latest, p.params AS params_json,
    pin.note AS pin_note, pin.pinned_at AS pinned_at
  FROM materializations m
  LEFT JOIN latest l ON l.asset_key = m.asset_key AND l.partition = m.partition AND l.materialization_id = m.id
  LEFT JOIN materialization_params p ON p.materialization_id = m.id
  LEFT JOIN pins pin ON pin.materialization_id = m.id`

/**
 * Check results as the store reports them.
 *
 * @example
 * const check = checkOf(row)
 */
export function checkOf(row: Row): CheckResult {
  return {
    id: Number(row.id),
    runId: row.run_id as string,
    key: row.asset_key as string,
    partition: row.partition as string,
    materializationId: row.materialization_id == null ? null : Number(row.materialization_id),
    name: row.name as string,
    passed: row.passed === true,
    blocking: row.blocking === true,
    message: (row.message as string | null) ?? null,
    metadata: decodeJson<Record<string, unknown>>(row.metadata as string | null),
    at: row.at as string,
  }
}

/** Records of `rows` with their inputs, metrics and checks (three queries for all of them). */
async function withDetails(q: Queryable, rows: Row[]): Promise<HistoryRecord[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => Number(r.id))
  const [inputs, metrics, checks] = await Promise.all([
    q.query(
      `SELECT materialization_id, dep_key, dep_partition, data_version FROM materialization_inputs
       WHERE materialization_id = ANY ($1::bigint[]) ORDER BY materialization_id, position`,
      [ids],
    ),
    q.query(
      `SELECT materialization_id, name, step, value FROM metrics WHERE materialization_id = ANY ($1::bigint[])
       ORDER BY materialization_id, name COLLATE "C", step IS NULL, step`,
      [ids],
    ),
    q.query('SELECT * FROM check_results WHERE materialization_id = ANY ($1::bigint[]) ORDER BY id', [ids]),
  ])
  const group = <T>(list: Row[], map: (r: Row) => T): Map<number, T[]> => {
    const out = new Map<number, T[]>()
    for (const r of list) {
      const id = Number(r.materialization_id)
      const at = out.get(id)
      if (at === undefined) out.set(id, [map(r)])
      else at.push(map(r))
    }
    return out
  }
  const inputsOf = group(inputs.rows, (i) => ({
    key: i.dep_key as string,
    partition: i.dep_partition as string,
    dataVersion: (i.data_version as Buffer).toString('hex'),
  }))
  const metricsOf = group(metrics.rows, (m): MetricPoint => {
    const value = m.value == null ? Number.NaN : Number(m.value)
    return m.step == null ? { name: m.name as string, value } : { name: m.name as string, value, step: Number(m.step) }
  })
  const checksOf = group(checks.rows, checkOf)
  return rows.map((row) => {
    const id = Number(row.id)
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
      durationMs: Number(row.duration_ms),
      storagePath: (row.storage_path as string | null) ?? null,
      metadata: decodeJson<Record<string, unknown>>(row.metadata as string | null),
      inputs: inputsOf.get(id) ?? [],
      metrics: metricsOf.get(id) ?? [],
      checks: checksOf.get(id) ?? [],
      params: decodeJson(row.params_json as string | null),
      isLatest: row.is_latest === true,
      wipedAt: (row.wiped_at as string | null) ?? null,
      collectedAt: (row.collected_at as string | null) ?? null,
      pin:
        row.pinned_at == null
          ? null
          : { note: (row.pin_note as string | null) ?? null, pinnedAt: row.pinned_at as string },
    }
  })
}

/**
 * An asset's records, newest first (of one partition when given).
 *
 * @example
 * const [last] = await assetHistory(db, 'model', { limit: 1 })
 */
export async function assetHistory(
  q: Queryable,
  key: string,
  opts: { limit?: number; partition?: string },
): Promise<HistoryRecord[]> {
  const limit = opts.limit ?? 20
  const { rows } =
    opts.partition === undefined
      ? await q.query(`${SELECT} WHERE m.asset_key = $1 ORDER BY m.id DESC LIMIT $2`, [key, limit])
      : await q.query(`${SELECT} WHERE m.asset_key = $1 AND m.partition = $2 ORDER BY m.id DESC LIMIT $3`, [
          key,
          opts.partition,
          limit,
        ])
  return withDetails(q, rows)
}

/**
 * The current record of an (asset, partition), or undefined.
 *
 * @example
 * const current = await currentRecord(db, 'raw', '')
 */
export async function currentRecord(q: Queryable, key: string, partition: string): Promise<HistoryRecord | undefined> {
  const { rows } = await q.query(
    `SELECT m.*, true AS is_latest, p.params AS params_json, pin.note AS pin_note, pin.pinned_at AS pinned_at
     FROM latest l JOIN materializations m ON m.id = l.materialization_id
     LEFT JOIN materialization_params p ON p.materialization_id = m.id
     LEFT JOIN pins pin ON pin.materialization_id = m.id
     WHERE l.asset_key = $1 AND l.partition = $2`,
    [key, partition],
  )
  return (await withDetails(q, rows))[0]
}

/**
 * One value of a metric per record (the summary value, else the last step), oldest first.
 *
 * @example
 * const auc = await metricHistory(db, 'model', 'auc', {})
 */
export async function metricHistory(
  q: Queryable,
  key: string,
  name: string,
  opts: { limit?: number; partition?: string },
): Promise<MetricHistoryPoint[]> {
  // Per record, the summary (NULL step) value if any, else the highest step: DISTINCT ON picks it.
  const { rows } = await q.query(
    `SELECT * FROM (
       SELECT DISTINCT ON (m.id) m.id, m.run_id, m.finished_at, x.step, x.value
       FROM materializations m JOIN metrics x ON x.materialization_id = m.id
       WHERE m.asset_key = $1 AND m.partition = $2 AND x.name = $3
       ORDER BY m.id DESC, x.step IS NULL DESC, x.step DESC
       LIMIT $4) t ORDER BY id`,
    [key, opts.partition ?? '', name, opts.limit ?? 100],
  )
  return rows.map((r) => ({
    materializationId: Number(r.id),
    runId: r.run_id as string,
    finishedAt: r.finished_at as string,
    value: r.value == null ? Number.NaN : Number(r.value),
    step: r.step == null ? null : Number(r.step),
  }))
}

const PIN_SELECT = `SELECT m.id, m.asset_key, m.partition, m.run_id, m.finished_at, m.storage_path, p.note, p.pinned_at
  FROM pins p JOIN materializations m ON m.id = p.materialization_id`

function pinOf(row: Row): PinRecord {
  return {
    materializationId: Number(row.id),
    key: row.asset_key as string,
    partition: row.partition as string,
    runId: row.run_id as string,
    finishedAt: row.finished_at as string,
    storagePath: (row.storage_path as string | null) ?? null,
    note: (row.note as string | null) ?? null,
    pinnedAt: row.pinned_at as string,
  }
}

/**
 * Pins the current record of an asset, or its record of `runId` (locked first, so that a collection
 * cannot cross the pin). Call inside a transaction.
 *
 * @example
 * await pin(client, 'model', { note: 'registered v3' })
 */
export async function pin(
  q: Queryable,
  key: string,
  opts: { runId?: string; partition?: string; note?: string },
): Promise<PinRecord> {
  const partition = opts.partition ?? ''
  const { rows } =
    opts.runId === undefined
      ? await q.query(
          `SELECT m.id, m.run_id, m.collected_at FROM latest l JOIN materializations m ON m.id = l.materialization_id
           WHERE l.asset_key = $1 AND l.partition = $2 FOR UPDATE OF m`,
          [key, partition],
        )
      : await q.query(
          `SELECT id, run_id, collected_at FROM materializations
           WHERE asset_key = $1 AND partition = $2 AND run_id = $3 AND kind = 'materialization'
           ORDER BY id DESC LIMIT 1 FOR UPDATE`,
          [key, partition, opts.runId],
        )
  const row = rows[0]
  if (row === undefined) throw pinNoRecord(key, opts.runId)
  if (row.collected_at !== null) throw pinCollected(key, row.run_id as string, row.collected_at as string)
  await q.query(
    `INSERT INTO pins (materialization_id, note, pinned_at) VALUES ($1, $2, $3)
     ON CONFLICT (materialization_id) DO UPDATE SET note = excluded.note, pinned_at = excluded.pinned_at`,
    [row.id, opts.note ?? null, isoTime()],
  )
  const pinned = await q.query(`${PIN_SELECT} WHERE m.id = $1`, [row.id])
  return pinOf(pinned.rows[0]!)
}

/**
 * Removes the pin of an asset's record of `runId`, or every pin of the asset; returns how many.
 *
 * @example
 * await unpin(db, 'model', {})
 */
export async function unpin(q: Queryable, key: string, opts: { runId?: string; partition?: string }): Promise<number> {
  const partition = opts.partition ?? ''
  const { rowCount } =
    opts.runId === undefined
      ? await q.query(
          `DELETE FROM pins WHERE materialization_id IN
             (SELECT id FROM materializations WHERE asset_key = $1 AND partition = $2)`,
          [key, partition],
        )
      : await q.query(
          `DELETE FROM pins WHERE materialization_id IN
             (SELECT id FROM materializations WHERE asset_key = $1 AND partition = $2 AND run_id = $3)`,
          [key, partition, opts.runId],
        )
  return rowCount ?? 0
}

/**
 * Pinned records, of one asset or all, newest first per asset.
 *
 * @example
 * const all = await pins(db)
 */
export async function pins(q: Queryable, key?: string): Promise<PinRecord[]> {
  const { rows } =
    key === undefined
      ? await q.query(`${PIN_SELECT} ORDER BY m.asset_key, m.id DESC`)
      : await q.query(`${PIN_SELECT} WHERE m.asset_key = $1 ORDER BY m.id DESC`, [key])
  return rows.map(pinOf)
}

/**
 * Records whose artifact is still stored, newest first per asset (only of `keys` when given).
 *
 * @example
 * const stored = await artifactRecords(db, ['model'])
 */
export async function artifactRecords(q: Queryable, keys?: readonly string[]): Promise<ArtifactRecord[]> {
  const { rows } = await q.query(
    `SELECT m.id, m.asset_key, m.partition, m.run_id, m.finished_at, m.storage_path, m.wiped_at,
       (l.materialization_id IS NOT NULL) AS is_latest, (p.materialization_id IS NOT NULL) AS pinned
     FROM materializations m
     LEFT JOIN latest l ON l.asset_key = m.asset_key AND l.partition = m.partition AND l.materialization_id = m.id
     LEFT JOIN pins p ON p.materialization_id = m.id
     WHERE m.storage_path IS NOT NULL AND m.collected_at IS NULL AND ($1::text[] IS NULL OR m.asset_key = ANY ($1::text[]))
     ORDER BY m.asset_key, m.partition, m.id DESC`,
    [keys === undefined ? null : [...keys]],
  )
  return rows.map((r) => ({
    id: Number(r.id),
    key: r.asset_key as string,
    partition: r.partition as string,
    runId: r.run_id as string,
    finishedAt: r.finished_at as string,
    storagePath: r.storage_path as string,
    isLatest: r.is_latest === true,
    pinned: r.pinned === true,
    wipedAt: (r.wiped_at as string | null) ?? null,
  }))
}

/**
 * Marks records collected unless current, pinned or collected; returns the ids marked, in the order
 * given. Rows are locked in id order (as `pin` locks its record), so a pin and a collection of one
 * record cannot cross.
 *
 * @example
 * const marked = await markCollected(client, [12, 15])
 */
export async function markCollected(q: Queryable, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return []
  await q.query('SELECT id FROM materializations WHERE id = ANY ($1::bigint[]) ORDER BY id FOR UPDATE', [[...ids]])
  const { rows } = await q.query<{ id: number }>(
    `UPDATE materializations m SET collected_at = $2
     WHERE m.id = ANY ($1::bigint[]) AND m.collected_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM latest l WHERE l.asset_key = m.asset_key AND l.partition = m.partition
         AND l.materialization_id = m.id)
       AND NOT EXISTS (SELECT 1 FROM pins WHERE materialization_id = m.id)
     RETURNING m.id`,
    [[...ids], isoTime()],
  )
  const marked = new Set(rows.map((r) => Number(r.id)))
  return [...new Set(ids)].filter((id) => marked.has(id))
}
