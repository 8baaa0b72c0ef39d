/**
 * Moves of model aliases on PostgreSQL: the same append-only table as SQLite's. A move takes a
 * transaction-scoped advisory lock on its model and alias first, so that the read of what the alias
 * names, the compare and the insert are one step against concurrent movers on any machine.
 */
import { aliasMoveOf, storeErrors, type AliasMoveRecord, type NewAliasMove } from '@rivers-orchestrator/rivers/plugin'
import type { Queryable } from './db.js'

const COLS = 'id, asset_key, alias, version, record_id, action, previous, reason, actor, moved_at'

/**
 * Appends a move inside the caller's transaction (refused when `expect` is given and the alias names
 * another version, or when the record is not one of the model's).
 *
 * @example
 * await db.tx((c) => moveAlias(c, { key: 'model', alias: 'champion', version: 2, recordId: 7, action: 'promote', expect: 1 }))
 */
export async function moveAlias(q: Queryable, m: NewAliasMove): Promise<AliasMoveRecord> {
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rivers model alias\n${m.key}\n${m.alias}`])
  const current = await q.query<{ version: number }>(
    'SELECT version FROM model_alias_moves WHERE asset_key = $1 AND alias = $2 ORDER BY id DESC LIMIT 1',
    [m.key, m.alias],
  )
  const now = current.rows[0] === undefined ? null : Number(current.rows[0].version)
  if (m.expect !== undefined && m.expect !== now) throw storeErrors.aliasMovedMeanwhile(m.key, m.alias, m.expect, now)
  const record = await q.query<{ asset_key: string }>('SELECT asset_key FROM materializations WHERE id = $1', [
    m.recordId,
  ])
  if (record.rows[0]?.asset_key !== m.key) throw storeErrors.aliasRecordMismatch(m.key, m.alias, m.recordId)
  const { rows } = await q.query(
    `INSERT INTO model_alias_moves (asset_key, alias, version, record_id, action, previous, reason, actor, moved_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLS}`,
    [m.key, m.alias, m.version, m.recordId, m.action, now, m.reason ?? null, m.actor ?? null, new Date().toISOString()],
  )
  return aliasMoveOf(rows[0] as Parameters<typeof aliasMoveOf>[0])
}

/**
 * Moves of a model's aliases (or of one alias), newest first (default the last 1,000).
 *
 * @example
 * const [now] = await aliasMoves(db, 'model', { alias: 'champion', limit: 1 })
 */
export async function aliasMoves(
  q: Queryable,
  key: string,
  opts: { alias?: string; limit?: number } = {},
): Promise<AliasMoveRecord[]> {
  const limit = opts.limit ?? 1000
  const { rows } =
    opts.alias === undefined
      ? await q.query(`SELECT ${COLS} FROM model_alias_moves WHERE asset_key = $1 ORDER BY id DESC LIMIT $2`, [
          key,
          limit,
        ])
      : await q.query(
          `SELECT ${COLS} FROM model_alias_moves WHERE asset_key = $1 AND alias = $2 ORDER BY id DESC LIMIT $3`,
          [key, opts.alias, limit],
        )
  return rows.map((r) => aliasMoveOf(r as Parameters<typeof aliasMoveOf>[0]))
}
