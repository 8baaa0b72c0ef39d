/**
 * Dynamic partition sets (keys by position, holes for removed keys) and durable backfills.
 */
import type {
  BackfillProgressUpdate,
  BackfillRecord,
  BackfillStatus,
  NewBackfill,
} from '@rivers-orchestrator/rivers/plugin'
import type { Queryable } from './db.js'
import { backfillExists, backfillNotFound, badStorePartition, unknownDynamicPartition } from './errors.js'
import { decodeJson, encodeJson, isoTime } from './values.js'

/**
 * A set's keys by position, `null` where a key was removed.
 *
 * @example
 * await dynamicSlots(db, 'customers') // ['acme', null, 'initech']
 */
export async function dynamicSlots(q: Queryable, set: string): Promise<(string | null)[]> {
  const { rows } = await q.query<{ key: string; position: number; present: boolean }>(
    'SELECT key, position, removed_at IS NULL AS present FROM dynamic_partitions WHERE set_name = $1 ORDER BY position',
    [set],
  )
  const last = rows[rows.length - 1]
  const out: (string | null)[] = new Array(last === undefined ? 0 : Number(last.position) + 1).fill(null)
  for (const r of rows) if (r.present) out[Number(r.position)] = r.key
  return out
}

/**
 * Adds keys at the next positions (present keys stay). Call inside a transaction: the set's rows are
 * locked so that two adders do not take the same position.
 *
 * @example
 * await addDynamic(client, 'customers', ['acme'])
 */
export async function addDynamic(q: Queryable, set: string, keys: readonly string[]): Promise<number> {
  for (const key of keys)
    if (typeof key !== 'string' || key === '' || /[\n\0]/.test(key))
      throw badStorePartition(`A key of the dynamic partition set '${set}' (non-empty)`, String(key))
  await q.query(`SELECT pg_advisory_xact_lock(hashtext('rivers-dynamic:' || current_schema() || ':' || $1))`, [set])
  const { rows } = await q.query<{ key: string; present: boolean }>(
    'SELECT key, removed_at IS NULL AS present FROM dynamic_partitions WHERE set_name = $1 AND key = ANY ($2::text[])',
    [set, [...new Set(keys)]],
  )
  const present = new Set(rows.filter((r) => r.present).map((r) => r.key))
  const fresh = [...new Set(keys)].filter((k) => !present.has(k))
  if (fresh.length === 0) return 0
  await q.query(
    `INSERT INTO dynamic_partitions (set_name, key, position, added_at, removed_at)
     SELECT $1, t.key, (SELECT coalesce(max(position) + 1, 0) FROM dynamic_partitions WHERE set_name = $1) + t.ord - 1, $3, NULL
     FROM unnest($2::text[]) WITH ORDINALITY AS t (key, ord)
     ON CONFLICT (set_name, key) DO UPDATE SET position = excluded.position, added_at = excluded.added_at, removed_at = NULL`,
    [set, fresh, Date.now()],
  )
  return fresh.length
}

/**
 * Removes keys (all checked first: an unknown key throws with a suggestion and nothing goes).
 * Call inside a transaction.
 *
 * @example
 * await removeDynamic(client, 'customers', ['acme'], closest)
 */
export async function removeDynamic(
  q: Queryable,
  set: string,
  keys: readonly string[],
  suggest: (word: string, candidates: readonly string[]) => string | undefined,
): Promise<number> {
  const unique = [...new Set(keys)]
  await q.query(`SELECT pg_advisory_xact_lock(hashtext('rivers-dynamic:' || current_schema() || ':' || $1))`, [set])
  const slots = (await dynamicSlots(q, set)).filter((k): k is string => k !== null)
  const present = new Set(slots)
  for (const key of unique) if (!present.has(key)) throw unknownDynamicPartition(set, key, suggest(key, slots))
  await q.query(
    'UPDATE dynamic_partitions SET removed_at = $1 WHERE set_name = $2 AND key = ANY ($3::text[]) AND removed_at IS NULL',
    [Date.now(), set, unique],
  )
  return unique.length
}

type BackfillRow = Record<string, unknown>

async function recentIds(q: Queryable): Promise<string[]> {
  const { rows } = await q.query('SELECT id FROM backfills ORDER BY created_at DESC, id DESC LIMIT 5')
  return rows.map((r) => r.id as string)
}

async function records(q: Queryable, rows: BackfillRow[]): Promise<BackfillRecord[]> {
  if (rows.length === 0) return []
  const { rows: progress } = await q.query(
    `SELECT backfill_id, asset_key, planned, done, failed FROM backfill_progress
     WHERE backfill_id = ANY ($1::text[]) ORDER BY backfill_id, asset_key`,
    [rows.map((r) => r.id as string)],
  )
  return rows.map((r) => ({
    id: r.id as string,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
    selection: decodeJson<string[]>(r.selection as string) ?? [],
    ranges: decodeJson<BackfillRecord['ranges']>(r.ranges as string) ?? {},
    batch: Number(r.batch),
    status: r.status as BackfillStatus,
    runIds: decodeJson<string[]>(r.run_ids as string) ?? [],
    progress: progress
      .filter((p) => p.backfill_id === r.id)
      .map((p) => ({
        key: p.asset_key as string,
        planned: Number(p.planned),
        done: Number(p.done),
        failed: Number(p.failed),
      })),
  }))
}

/**
 * Stores a new backfill with its planned counts. Call inside a transaction.
 *
 * @example
 * await createBackfill(client, { id: 'bf-1', selection: ['events'], ranges: {}, batch: 10, planned: { events: 31 } }, url)
 */
export async function createBackfill(q: Queryable, b: NewBackfill, url: string): Promise<void> {
  const at = isoTime(b.createdAt ?? new Date())
  const { rowCount } = await q.query(
    `INSERT INTO backfills (id, created_at, selection, ranges, batch, status, run_ids, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'running', '[]', $2) ON CONFLICT (id) DO NOTHING`,
    [
      b.id,
      at,
      encodeJson(b.selection, `selection of backfill '${b.id}'`),
      encodeJson(b.ranges, `ranges of backfill '${b.id}'`),
      b.batch,
    ],
  )
  if (rowCount === 0) throw backfillExists(url, b.id)
  const planned = Object.entries(b.planned)
  if (planned.length > 0)
    await q.query(
      `INSERT INTO backfill_progress (backfill_id, asset_key, planned, done, failed)
       SELECT $1, t.key, t.planned, 0, 0 FROM unnest($2::text[], $3::integer[]) AS t (key, planned)`,
      [b.id, planned.map(([k]) => k), planned.map(([, n]) => n)],
    )
}

/**
 * Sets a backfill's counts per asset, adding `runId` to its runs. Call inside a transaction.
 *
 * @example
 * await updateBackfillProgress(client, 'bf-1', [{ key: 'events', done: 10, failed: 0 }], 'run-a', url)
 */
export async function updateBackfillProgress(
  q: Queryable,
  id: string,
  progress: readonly BackfillProgressUpdate[],
  runId: string | undefined,
  url: string,
): Promise<void> {
  const { rows } = await q.query('SELECT run_ids FROM backfills WHERE id = $1 FOR UPDATE', [id])
  if (rows[0] === undefined) throw backfillNotFound(url, id, await recentIds(q))
  if (progress.length > 0)
    await q.query(
      // The backfill's row is locked above: no other writer of its progress runs between the two.
      `WITH t AS (SELECT * FROM unnest($2::text[], $3::integer[], $4::integer[], $5::integer[]) AS t (key, planned, done, failed)),
       u AS (UPDATE backfill_progress b SET planned = coalesce(t.planned, b.planned), done = t.done, failed = t.failed
             FROM t WHERE b.backfill_id = $1 AND b.asset_key = t.key RETURNING b.asset_key)
       INSERT INTO backfill_progress (backfill_id, asset_key, planned, done, failed)
       SELECT DISTINCT ON (t.key) $1, t.key, coalesce(t.planned, 0), t.done, t.failed FROM t
       WHERE t.key NOT IN (SELECT asset_key FROM u)`,
      [
        id,
        progress.map((p) => p.key),
        progress.map((p) => p.planned ?? null),
        progress.map((p) => p.done),
        progress.map((p) => p.failed),
      ],
    )
  const runs = decodeJson<string[]>(rows[0].run_ids as string) ?? []
  const next =
    runId !== undefined && !runs.includes(runId) ? JSON.stringify([...runs, runId]) : (rows[0].run_ids as string)
  await q.query('UPDATE backfills SET updated_at = $2, run_ids = $3 WHERE id = $1', [id, isoTime(), next])
}

/**
 * Sets a backfill's status.
 *
 * @example
 * await finishBackfill(db, 'bf-1', 'done', url)
 */
export async function finishBackfill(q: Queryable, id: string, status: BackfillStatus, url: string): Promise<void> {
  const { rowCount } = await q.query('UPDATE backfills SET status = $2, updated_at = $3 WHERE id = $1', [
    id,
    status,
    isoTime(),
  ])
  if (rowCount === 0) throw backfillNotFound(url, id, await recentIds(q))
}

/**
 * One backfill with its progress; an unknown id throws, listing recent ids.
 *
 * @example
 * const b = await getBackfill(db, 'bf-1', url)
 */
export async function getBackfill(q: Queryable, id: string, url: string): Promise<BackfillRecord> {
  const { rows } = await q.query('SELECT * FROM backfills WHERE id = $1', [id])
  if (rows[0] === undefined) throw backfillNotFound(url, id, await recentIds(q))
  return (await records(q, rows))[0]!
}

/**
 * The most recent backfills, newest first.
 *
 * @example
 * const recent = await listBackfills(db, 20)
 */
export async function listBackfills(q: Queryable, limit: number): Promise<BackfillRecord[]> {
  const { rows } = await q.query('SELECT * FROM backfills ORDER BY created_at DESC, id DESC LIMIT $1', [limit])
  return records(q, rows)
}
