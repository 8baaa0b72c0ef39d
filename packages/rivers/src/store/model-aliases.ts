/**
 * Moves of model aliases (`model_alias_moves`): an append-only history per model asset and alias,
 * whose newest row is what the alias names now. A move is a compare and set when it says which
 * version it expects the alias to name, so two promotions at once cannot both win.
 */
import type Database from 'better-sqlite3'
import { aliasMovedMeanwhile, aliasRecordMismatch } from './errors.js'
import { isoTime } from './json.js'
import type { AliasMoveRecord, NewAliasMove } from './types.js'

type Row = {
  id: number
  asset_key: string
  alias: string
  version: number
  record_id: number
  action: 'promote' | 'rollback'
  previous: number | null
  reason: string | null
  actor: string | null
  moved_at: string
}

interface Statements {
  current: Database.Statement<[string, string], Row>
  recordKey: Database.Statement<[number], { asset_key: string }>
  insert: Database.Statement
  byId: Database.Statement<[number], Row>
  ofKey: Database.Statement<[string, number], Row>
  ofAlias: Database.Statement<[string, string, number], Row>
}

/**
 * Maps a stored row to an {@link AliasMoveRecord} (both backends store the same columns).
 *
 * @example
 * aliasMoveOf({ id: 1, asset_key: 'model', alias: 'champion', version: 2, record_id: 7, action: 'promote', previous: 1,
 *   reason: null, actor: 'me@host', moved_at: '2026-12-06T08:00:00.000Z' }).version // 2
 */
export function aliasMoveOf(row: Row): AliasMoveRecord {
  return {
    id: Number(row.id),
    key: row.asset_key,
    alias: row.alias,
    version: Number(row.version),
    recordId: Number(row.record_id),
    action: row.action,
    previous: row.previous === null ? null : Number(row.previous),
    reason: row.reason,
    actor: row.actor,
    movedAt: row.moved_at,
  }
}

/**
 * Prepared statements over `model_alias_moves`. `move` runs inside the store's IMMEDIATE write
 * transaction (the read of the current version and the insert are one step).
 *
 * @example
 * const aliases = new ModelAliasesTable(db)
 * db.transaction(() => aliases.move({ key: 'model', alias: 'champion', version: 1, recordId: 7, action: 'promote' })).immediate()
 */
export class ModelAliasesTable {
  readonly #db: Database.Database
  #statements: Statements | undefined

  constructor(db: Database.Database) {
    this.#db = db
  }

  get #st(): Statements {
    if (this.#statements !== undefined) return this.#statements
    const db = this.#db
    const cols = 'id, asset_key, alias, version, record_id, action, previous, reason, actor, moved_at'
    this.#statements = {
      current: db.prepare(
        `SELECT ${cols} FROM model_alias_moves WHERE asset_key = ? AND alias = ? ORDER BY id DESC LIMIT 1`,
      ),
      recordKey: db.prepare('SELECT asset_key FROM materializations WHERE id = ?'),
      insert: db.prepare(
        `INSERT INTO model_alias_moves (asset_key, alias, version, record_id, action, previous, reason, actor, moved_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      byId: db.prepare(`SELECT ${cols} FROM model_alias_moves WHERE id = ?`),
      ofKey: db.prepare(`SELECT ${cols} FROM model_alias_moves WHERE asset_key = ? ORDER BY id DESC LIMIT ?`),
      ofAlias: db.prepare(
        `SELECT ${cols} FROM model_alias_moves WHERE asset_key = ? AND alias = ? ORDER BY id DESC LIMIT ?`,
      ),
    }
    return this.#statements
  }

  /** Appends a move (refused when `expect` is given and the alias names another version, or the record is another asset's). */
  move(m: NewAliasMove): AliasMoveRecord {
    const st = this.#st
    const current = st.current.get(m.key, m.alias)
    const now = current === undefined ? null : current.version
    if (m.expect !== undefined && m.expect !== now) throw aliasMovedMeanwhile(m.key, m.alias, m.expect, now)
    if (st.recordKey.get(m.recordId)?.asset_key !== m.key) throw aliasRecordMismatch(m.key, m.alias, m.recordId)
    const info = st.insert.run(
      m.key,
      m.alias,
      m.version,
      m.recordId,
      m.action,
      now,
      m.reason ?? null,
      m.actor ?? null,
      isoTime(),
    )
    return aliasMoveOf(st.byId.get(Number(info.lastInsertRowid))!)
  }

  /** Moves of a model's aliases (or of one alias), newest first. */
  moves(key: string, opts: { alias?: string; limit?: number } = {}): AliasMoveRecord[] {
    const limit = opts.limit ?? 1000
    const rows =
      opts.alias === undefined ? this.#st.ofKey.all(key, limit) : this.#st.ofAlias.all(key, opts.alias, limit)
    return rows.map(aliasMoveOf)
  }
}
