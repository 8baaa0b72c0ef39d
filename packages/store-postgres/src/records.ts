/**
 * Materialization records: writing one (record, inputs, `latest` row, metrics and event in ONE
 * statement), and wiping. Record writers take a transaction-scoped advisory lock before their record
 * id is drawn, so record ids commit in increasing order: a reader that saw record N has seen every
 * record below N (what the cursors of `latestRecordsSince` and `lastRecordId` rely on). SQLite gets
 * the same from its single writer.
 */
import type { NewRecord, RecordKind } from '@rivers-orchestrator/rivers/plugin'
import type { Prepared, Queryable } from './db.js'
import { runNotFound } from './errors.js'
import { asHash, checkKey, checkPartition, encodeJson, isoTime } from './values.js'

/** The lock every record writer takes (per schema), held to the end of its transaction. */
export const RECORDS_LOCK = `pg_advisory_xact_lock(hashtext('rivers-records:' || current_schema()))`

/** The channel on which every write of `latest` notifies listeners (delivered at commit, once per transaction). */
export const COMMITS_CHANNEL = 'rivers_commits'

/** The notification of a write of `latest`, an expression of the statement that writes (see commit-watch.ts). */
export const NOTIFY_COMMIT = `pg_notify('${COMMITS_CHANNEL}', current_schema())`

/** The columns of `latest`, in the order both record writes give them. */
export const LATEST_COLUMNS = `asset_key, partition, materialization_id, kind, code_version, config_hash, data_version,
    input_count, input_keys, input_versions, run_id, finished_at, input_partitions`

/** A newer record of an asset (and partition) replaces its `latest` row (single and batched writes). */
export const LATEST_UPSERT = `ON CONFLICT (asset_key, partition) DO UPDATE SET materialization_id = excluded.materialization_id,
    kind = excluded.kind, code_version = excluded.code_version, config_hash = excluded.config_hash,
    data_version = excluded.data_version, input_count = excluded.input_count, input_keys = excluded.input_keys,
    input_versions = excluded.input_versions, run_id = excluded.run_id, finished_at = excluded.finished_at,
    input_partitions = excluded.input_partitions`

const INSERT_SQL = `WITH lock AS (SELECT ${RECORDS_LOCK}, ${NOTIFY_COMMIT}),
m AS (
  INSERT INTO materializations (run_id, asset_key, partition, kind, code_version, config_hash, data_version,
    started_at, finished_at, duration_ms, storage_path, metadata)
  SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM lock
  WHERE EXISTS (SELECT 1 FROM runs WHERE id = $1)
  RETURNING id),
i AS (
  INSERT INTO materialization_inputs (materialization_id, position, dep_key, dep_partition, data_version)
  SELECT m.id, t.ord - 1, t.k, t.p, t.v FROM m, unnest($13::text[], $14::text[], $15::bytea[]) WITH ORDINALITY AS t (k, p, v, ord)),
l AS (
  INSERT INTO latest (${LATEST_COLUMNS})
  SELECT $2, $3, m.id, $4, $5, $6, $7, $16, $17, $18, $1, $9, $19 FROM m
  ${LATEST_UPSERT}),
x AS (
  INSERT INTO metrics (materialization_id, name, step, value)
  SELECT m.id, t.n, t.s, t.v FROM m, unnest($20::text[], $21::bigint[], $22::float8[]) AS t (n, s, v)),
e AS (
  INSERT INTO events (run_id, at, type, asset_key, data)
  SELECT $1, $9, $23, $2, '{"materializationId":' || m.id || $24 || ',"dataVersion":"' || encode($7, 'hex') || '"}' FROM m)
SELECT id FROM m`

/** Prepared: parsed and planned once per connection, not once per record. */
const INSERT: Prepared = { name: 'rivers_insert_record', text: INSERT_SQL }

/**
 * The parameters of the insert statement, every value checked (errors name the asset and field).
 *
 * @example
 * const params = recordParams(record)
 */
export function recordParams(r: NewRecord): unknown[] {
  const key = checkKey(r.key, 'Asset key')
  const partition = checkPartition(r.partition ?? '', `Partition of asset '${key}'`)
  const kind: RecordKind = r.kind ?? 'materialization'
  const code = asHash(r.codeVersion, `codeVersion of asset '${key}'`)
  const config = asHash(r.configHash, `configHash of asset '${key}'`)
  const data = asHash(r.dataVersion, `dataVersion of asset '${key}'`)
  const inputs = r.inputs.map((i) => ({
    key: checkKey(i.key, `Input key of asset '${key}'`),
    partition: checkPartition(i.partition ?? '', `Partition of input '${i.key}' of asset '${key}'`),
    version: asHash(i.dataVersion, `input '${i.key}' of asset '${key}'`),
  }))
  const metadata = encodeJson(r.metadata, `metadata of asset '${key}'`)
  const n = inputs.length
  // As SQLite: input_partitions stays NULL for an unpartitioned record with unpartitioned inputs.
  const plain = partition === '' && inputs.every((i) => i.partition === '')
  const metrics = r.metrics ?? []
  return [
    r.runId,
    key,
    partition,
    kind,
    code,
    config,
    data,
    isoTime(r.startedAt),
    isoTime(r.finishedAt),
    Math.max(0, r.finishedAt.getTime() - r.startedAt.getTime()),
    r.storagePath ?? null,
    metadata,
    inputs.map((i) => i.key),
    inputs.map((i) => i.partition),
    inputs.map((i) => i.version),
    n,
    n === 0 ? null : inputs.map((i) => i.key).join('\n'),
    n === 0 ? null : Buffer.concat(inputs.map((i) => i.version)),
    plain || n === 0 ? null : inputs.map((i) => i.partition).join('\n'),
    metrics.map((m) => m.name),
    metrics.map((m) => m.step ?? null),
    metrics.map((m) => m.value),
    kind === 'observation' ? 'observed' : 'materialized',
    partition === '' ? '' : `,"partition":${JSON.stringify(partition)}`,
  ]
}

/**
 * Writes one record (checked first: nothing is written when a value is refused); returns its id.
 * Run it in a transaction with others (`recordMaterializations`) or alone (one statement).
 *
 * @example
 * const id = await insertRecord(db, record, db.url)
 */
export async function insertRecord(q: Queryable, r: NewRecord, url: string): Promise<number> {
  const params = recordParams(r)
  const { rows } = await q.query<{ id: number }>(INSERT, params)
  if (rows[0] === undefined) throw runNotFound(url, r.runId)
  return Number(rows[0].id)
}

/**
 * Forgets the `latest` rows of assets (every partition, or only `partitions`) and stamps `wiped_at`
 * on their records; returns how many `latest` rows went. Call inside a transaction.
 *
 * @example
 * await wipeLatest(client, ['raw'])
 */
export async function wipeLatest(
  q: Queryable,
  keys: readonly string[],
  partitions?: readonly string[],
): Promise<number> {
  const at = isoTime()
  const unique = [...new Set(keys)]
  if (unique.length === 0) return 0
  await q.query(`SELECT ${NOTIFY_COMMIT}`) // delivered when the wipe commits
  if (partitions === undefined) {
    await q.query('UPDATE materializations SET wiped_at = $1 WHERE asset_key = ANY ($2::text[]) AND wiped_at IS NULL', [
      at,
      unique,
    ])
    return (await q.query('DELETE FROM latest WHERE asset_key = ANY ($1::text[])', [unique])).rowCount ?? 0
  }
  const parts = [...new Set(partitions)]
  await q.query(
    `UPDATE materializations SET wiped_at = $1
     WHERE asset_key = ANY ($2::text[]) AND partition = ANY ($3::text[]) AND wiped_at IS NULL`,
    [at, unique, parts],
  )
  return (
    (
      await q.query('DELETE FROM latest WHERE asset_key = ANY ($1::text[]) AND partition = ANY ($2::text[])', [
        unique,
        parts,
      ])
    ).rowCount ?? 0
  )
}
