/**
 * Many records in ONE statement (a backfill's partitions, `recordMaterializations`): the values go
 * as arrays (one per column, the inputs and metrics flattened with the index of their record), the
 * record ids are reserved as one range of the sequence under the records lock (so they follow the
 * order given and commit in order, as single records do), and the `latest` rows take the last record
 * of each (asset, partition) in the batch.
 */
import type { NewRecord } from '@rivers-orchestrator/rivers/plugin'
import type { Prepared, Queryable } from './db.js'
import { runNotFound } from './errors.js'
import { LATEST_COLUMNS, LATEST_UPSERT, NOTIFY_COMMIT, RECORDS_LOCK, recordParams } from './records.js'

const SEQ = `pg_get_serial_sequence('materializations', 'id')`

const INSERT_MANY: Prepared = {
  name: 'rivers_insert_records',
  text: `WITH lock AS (SELECT ${RECORDS_LOCK}, ${NOTIFY_COMMIT}),
base AS (SELECT setval(${SEQ}, nextval(${SEQ}) + $28 - 1) - $28 + 1 AS id FROM lock),
r AS (
  SELECT base.id + t.ord - 1 AS id, t.* FROM base,
    unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::bytea[], $7::bytea[], $8::text[], $9::text[],
      $10::bigint[], $11::text[], $12::text[], $13::integer[], $14::text[], $15::bytea[], $16::text[], $17::text[], $18::text[])
    WITH ORDINALITY AS t (run_id, asset_key, partition, kind, code_version, config_hash, data_version, started_at,
      finished_at, duration_ms, storage_path, metadata, input_count, input_keys, input_versions, input_partitions,
      event_type, event_part, ord)),
m AS (
  INSERT INTO materializations (id, run_id, asset_key, partition, kind, code_version, config_hash, data_version,
    started_at, finished_at, duration_ms, storage_path, metadata)
  OVERRIDING SYSTEM VALUE
  SELECT id, run_id, asset_key, partition, kind, code_version, config_hash, data_version, started_at, finished_at,
    duration_ms, storage_path, metadata FROM r ORDER BY id
  RETURNING id),
i AS (
  INSERT INTO materialization_inputs (materialization_id, position, dep_key, dep_partition, data_version)
  SELECT base.id + t.rec - 1, t.pos, t.k, t.p, t.v FROM base,
    unnest($19::integer[], $20::integer[], $21::text[], $22::text[], $23::bytea[]) AS t (rec, pos, k, p, v)),
l AS (
  INSERT INTO latest (${LATEST_COLUMNS})
  SELECT DISTINCT ON (asset_key, partition) asset_key, partition, id, kind, code_version, config_hash, data_version,
    input_count, input_keys, input_versions, run_id, finished_at, input_partitions
  FROM r ORDER BY asset_key, partition, id DESC
  ${LATEST_UPSERT}),
x AS (
  INSERT INTO metrics (materialization_id, name, step, value)
  SELECT base.id + t.rec - 1, t.n, t.s, t.v FROM base,
    unnest($24::integer[], $25::text[], $26::bigint[], $27::float8[]) AS t (rec, n, s, v)),
e AS (
  INSERT INTO events (run_id, at, type, asset_key, data)
  SELECT run_id, finished_at, event_type, asset_key,
    '{"materializationId":' || id || event_part || ',"dataVersion":"' || encode(data_version, 'hex') || '"}'
  FROM r ORDER BY id)
SELECT min(id) AS first, count(*) AS n FROM m`,
}

/**
 * Writes `records` (all checked first) in one statement inside the caller's transaction; returns
 * their ids in order. A run that does not exist is named and nothing is written.
 *
 * @example
 * const ids = await insertRecords(client, records, db.url)
 */
export async function insertRecords(q: Queryable, records: readonly NewRecord[], url: string): Promise<number[]> {
  const params = records.map(recordParams)
  const col = (i: number): unknown[] => params.map((p) => p[i])
  const runs = [...new Set(records.map((r) => r.runId))]
  const missing = await q.query<{ id: string }>(
    'SELECT r AS id FROM unnest($1::text[]) AS r WHERE NOT EXISTS (SELECT 1 FROM runs WHERE runs.id = r) LIMIT 1',
    [runs],
  )
  if (missing.rows[0] !== undefined) throw runNotFound(url, missing.rows[0].id)
  const inputs: [number[], number[], string[], string[], Buffer[]] = [[], [], [], [], []]
  const metrics: [number[], string[], (number | null)[], number[]] = [[], [], [], []]
  params.forEach((p, r) => {
    const keys = p[12] as string[]
    keys.forEach((k, pos) => {
      inputs[0].push(r + 1)
      inputs[1].push(pos)
      inputs[2].push(k)
      inputs[3].push((p[13] as string[])[pos]!)
      inputs[4].push((p[14] as Buffer[])[pos]!)
    })
    ;(p[19] as string[]).forEach((name, j) => {
      metrics[0].push(r + 1)
      metrics[1].push(name)
      metrics[2].push((p[20] as (number | null)[])[j]!)
      metrics[3].push((p[21] as number[])[j]!)
    })
  })
  const { rows } = await q.query<{ first: number; n: number }>(INSERT_MANY, [
    ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 18, 22, 23].map(col),
    ...inputs,
    ...metrics,
    records.length,
  ])
  const first = Number(rows[0]!.first)
  return records.map((_, i) => first + i)
}
