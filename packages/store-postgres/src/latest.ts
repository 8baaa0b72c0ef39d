/**
 * Reading the latest records: every unpartitioned one in ONE query (the planner's input), those
 * changed since a cursor (the automation tick), the partitioned ones of some assets, and the
 * watermark queries of partitioned runs. Each read is one statement, or a REPEATABLE READ
 * transaction when it needs several statements to see one snapshot.
 */
import type {
  LatestChanges,
  LatestCursor,
  PackedLatestRecords,
  PackedPartitionRecords,
} from '@rivers-orchestrator/rivers/plugin'
import type { Prepared, Queryable } from './db.js'
import { storeQueryFailed } from './errors.js'
import { PACKED_SELECT, type PackedRow, packedOf, packedPartitionsOf } from './packed.js'

/** Changed rows past which `latestRecordsSince` answers with every record instead (as SQLite). */
export const SINCE_LIMIT = 65_536

const LATEST: Prepared = {
  name: 'rivers_latest',
  text: `SELECT ${PACKED_SELECT} FROM (SELECT * FROM latest WHERE partition = '' ORDER BY asset_key) s`,
}
const SINCE = `SELECT ${PACKED_SELECT} FROM (SELECT * FROM latest WHERE partition = '' AND materialization_id > $1
  ORDER BY asset_key LIMIT ${SINCE_LIMIT}) s`
const PARTITIONS_SINCE = `SELECT ${PACKED_SELECT} FROM (SELECT * FROM latest WHERE partition <> '' AND materialization_id > $1
  ORDER BY asset_key, partition LIMIT ${SINCE_LIMIT}) s`
const PARTITIONS = `SELECT ${PACKED_SELECT} FROM (
  SELECT l.* FROM unnest($1::text[]) WITH ORDINALITY AS k (key, ord)
  JOIN latest l ON l.asset_key = k.key AND l.partition <> ''
  ORDER BY k.ord, l.partition) s`
const CURSOR = `SELECT coalesce((SELECT max(materialization_id) FROM latest), 0) AS record,
  (SELECT n FROM store_counters WHERE name = 'latest_deletes') AS deletes`

function decoded<T>(out: T | string, url: string): T {
  if (typeof out === 'string') throw storeQueryFailed(url, 'reading the latest records', new Error(out))
  return out
}

/**
 * Every unpartitioned latest record, packed, in one query.
 *
 * @example
 * const packed = await latestPacked(db, db.url)
 */
export async function latestPacked(q: Queryable, url: string): Promise<PackedLatestRecords> {
  const { rows } = await q.query<PackedRow>(LATEST)
  return decoded(packedOf(rows[0]!), url)
}

/**
 * The latest records changed since `cursor` (all of them when there is no cursor, a wipe since, or
 * more than `SINCE_LIMIT` changed), with the partitioned rows when asked; `q` must be a REPEATABLE
 * READ transaction so that the cursor and the rows come from one snapshot.
 *
 * @example
 * const changes = await latestSince(client, previous, { partitions: true }, db.url)
 */
export async function latestSince(
  q: Queryable,
  cursor: LatestCursor | undefined,
  options: { partitions?: boolean },
  url: string,
): Promise<LatestChanges> {
  const { rows } = await q.query<{ record: number; deletes: number }>(CURSOR)
  const now = { record: Number(rows[0]!.record), deletes: Number(rows[0]!.deletes) }
  const all = async (): Promise<LatestChanges> => ({ cursor: now, all: true, packed: await latestPacked(q, url) })
  if (cursor === undefined || cursor.deletes !== now.deletes) return all()
  const changed = await q.query<PackedRow>(SINCE, [cursor.record])
  const packed = decoded(packedOf(changed.rows[0]!), url)
  if (packed.count >= SINCE_LIMIT) return all()
  if (!options.partitions) return { cursor: now, all: false, packed }
  const parts = await q.query<PackedRow>(PARTITIONS_SINCE, [cursor.record])
  const partitions = decoded(packedPartitionsOf(parts.rows[0]!), url)
  if (partitions.count >= SINCE_LIMIT) return all()
  return { cursor: now, all: false, packed, partitions }
}

/**
 * The latest records of the partitioned assets `keys`, packed, grouped by asset in the order asked
 * (duplicates once), partitions in byte order: one query.
 *
 * @example
 * const p = await latestPartitions(db, ['events'], db.url)
 */
export async function latestPartitions(
  q: Queryable,
  keys: readonly string[],
  url: string,
): Promise<PackedPartitionRecords> {
  const { rows } = await q.query<PackedRow>(PARTITIONS, [[...new Set(keys)]])
  return decoded(packedPartitionsOf(rows[0]!), url)
}

/**
 * The highest record id so far (0 for none).
 *
 * @example
 * const seen = await lastRecordId(db)
 */
export async function lastRecordId(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM materializations')
  return Number(rows[0]!.id)
}

/**
 * Which of `partitions` of `key` have a latest record above `afterId` written by another run.
 *
 * @example
 * await recordedAfter(db, 'events', ['2024-01-01'], seen, runId)
 */
export async function recordedAfter(
  q: Queryable,
  key: string,
  partitions: readonly string[],
  afterId: number,
  exceptRunId: string,
): Promise<string[]> {
  if (partitions.length === 0) return []
  const { rows } = await q.query<{ partition: string }>(
    `SELECT partition FROM latest WHERE asset_key = $1 AND partition = ANY ($2::text[])
       AND materialization_id > $3 AND run_id <> $4`,
    [key, [...partitions], afterId, exceptRunId],
  )
  return rows.map((r) => r.partition)
}
