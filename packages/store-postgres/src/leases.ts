/**
 * Build leases in SQL, correct across processes and machines: each take is one
 * `INSERT … ON CONFLICT … DO UPDATE … WHERE` statement (the row lock of the upsert decides between
 * two takers), and expiry is judged by the SERVER's clock, so hosts with skewed clocks agree on when
 * a lease died. A dead holder is found by its expiry (a heartbeat, `renewLease`, keeps it alive), never
 * by a pid on this host. Batched partition leases lock their rows in key order (no deadlock between
 * two backfills of overlapping ranges).
 */
import { hostname } from 'node:os'
import type { Lease } from '@rivers-orchestrator/rivers/plugin'
import type { Prepared, Queryable } from './db.js'
import { badLeasePartition, badStoreKey, badTtl } from './errors.js'

/** The server's clock in epoch milliseconds. */
export const NOW_MS = `(floor(extract(epoch from clock_timestamp()) * 1000))::bigint`

const HOST = hostname()

interface LeaseRow {
  asset_key: string
  partition: string
  run_id: string
  pid: number
  host: string
  acquired_at: number
  expires_at: number
}

function leaseOf(row: LeaseRow): Lease {
  return {
    key: row.asset_key,
    partition: row.partition,
    runId: row.run_id,
    pid: Number(row.pid),
    host: row.host,
    acquiredAt: Number(row.acquired_at),
    expiresAt: Number(row.expires_at),
  }
}

function checkTtl(key: string, ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw badTtl(key, ttlMs)
}

/**
 * Checks the key and partitions of a batched lease call (no whole-asset `''` among them).
 *
 * @example
 * checkPartitions('events', ['2024-01-01'])
 */
export function checkPartitions(key: string, partitions: readonly string[]): string[] {
  if (typeof key !== 'string' || key === '' || /[\n\0]/.test(key))
    throw badStoreKey('The asset key of a lease', String(key))
  for (const p of partitions)
    if (typeof p !== 'string' || p === '' || /[\n\0]/.test(p)) throw badLeasePartition(key, String(p))
  return [...partitions]
}

// Taken when free, expired, or already this run's (then acquired_at is kept while it is unexpired).
const TAKE_SQL = `WITH now AS (SELECT ${NOW_MS} AS ms),
want AS (SELECT DISTINCT p FROM unnest($2::text[]) AS p ORDER BY p),
taken AS (
  INSERT INTO leases (asset_key, partition, run_id, pid, host, acquired_at, expires_at)
  SELECT $1, want.p, $3, $4, $5, now.ms, now.ms + $6 FROM want, now ORDER BY want.p
  ON CONFLICT (asset_key, partition) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid, host = excluded.host,
    expires_at = excluded.expires_at,
    acquired_at = CASE WHEN leases.run_id = excluded.run_id AND leases.expires_at > excluded.acquired_at
      THEN leases.acquired_at ELSE excluded.acquired_at END
  WHERE leases.run_id = excluded.run_id OR leases.expires_at <= excluded.acquired_at
  RETURNING partition)
SELECT (taken.partition IS NOT NULL) AS ok FROM unnest($2::text[]) WITH ORDINALITY AS j (p, ord)
LEFT JOIN taken ON taken.partition = j.p ORDER BY j.ord`
const TAKE: Prepared = { name: 'rivers_take_leases', text: TAKE_SQL }

/**
 * Takes the leases of `partitions` of `key` ('' is the whole-asset lease) in one statement; returns
 * per partition whether this run holds it now.
 *
 * @example
 * const [mine] = await takeLeases(db, 'model', [''], runId, 60_000)
 */
export async function takeLeases(
  q: Queryable,
  key: string,
  partitions: readonly string[],
  runId: string,
  ttlMs: number,
): Promise<boolean[]> {
  checkTtl(key, ttlMs)
  if (partitions.length === 0) return []
  const { rows } = await q.query<{ ok: boolean }>(TAKE, [key, partitions, runId, process.pid, HOST, Math.ceil(ttlMs)])
  return rows.map((r) => r.ok)
}

/**
 * Extends this run's leases among `partitions`; returns how many it still holds.
 *
 * @example
 * await renewLeases(db, 'model', [''], runId, 60_000) // 1
 */
export async function renewLeases(
  q: Queryable,
  key: string,
  partitions: readonly string[],
  runId: string,
  ttlMs: number,
): Promise<number> {
  checkTtl(key, ttlMs)
  if (partitions.length === 0) return 0
  const { rowCount } = await q.query(
    `UPDATE leases SET expires_at = ${NOW_MS} + $4
     WHERE asset_key = $1 AND run_id = $3 AND partition = ANY ($2::text[])`,
    [key, [...new Set(partitions)], runId, Math.ceil(ttlMs)],
  )
  return rowCount ?? 0
}

/**
 * Gives up this run's leases among `partitions`; returns how many went.
 *
 * @example
 * await releaseLeases(db, 'model', [''], runId) // 1
 */
export async function releaseLeases(
  q: Queryable,
  key: string,
  partitions: readonly string[],
  runId: string,
): Promise<number> {
  if (partitions.length === 0) return 0
  const { rowCount } = await q.query(
    'DELETE FROM leases WHERE asset_key = $1 AND run_id = $3 AND partition = ANY ($2::text[])',
    [key, [...new Set(partitions)], runId],
  )
  return rowCount ?? 0
}

/**
 * The holders (possibly expired) of `partitions` of `key`, in the order asked.
 *
 * @example
 * const [holder] = await leaseHolders(db, 'model', [''])
 */
export async function leaseHolders(
  q: Queryable,
  key: string,
  partitions: readonly string[],
): Promise<(Lease | undefined)[]> {
  if (partitions.length === 0) return []
  const { rows } = await q.query<LeaseRow & { asset_key: string | null }>(
    `SELECT l.* FROM unnest($2::text[]) WITH ORDINALITY AS j (p, ord)
     LEFT JOIN leases l ON l.asset_key = $1 AND l.partition = j.p ORDER BY j.ord`,
    [key, [...partitions]],
  )
  return rows.map((r) => (r.asset_key === null ? undefined : leaseOf(r)))
}

/**
 * Gives up every lease of a run; returns how many.
 *
 * @example
 * await releaseRun(db, runId)
 */
export async function releaseRun(q: Queryable, runId: string): Promise<number> {
  return (await q.query('DELETE FROM leases WHERE run_id = $1', [runId])).rowCount ?? 0
}

/**
 * Every lease not expired at `now` (epoch ms; default: the server's clock), in one query.
 *
 * @example
 * const running = await activeLeases(db)
 */
export async function activeLeases(q: Queryable, now?: number): Promise<Lease[]> {
  const { rows } =
    now === undefined
      ? await q.query<LeaseRow>(`SELECT * FROM leases WHERE expires_at > ${NOW_MS}`)
      : await q.query<LeaseRow>('SELECT * FROM leases WHERE expires_at > $1', [Math.floor(now)])
  return rows.map(leaseOf)
}
