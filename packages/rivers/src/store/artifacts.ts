/**
 * Artifacts of records, as garbage collection sees them: which records still have a stored value,
 * which are pinned, and marking a record's value as collected. The safety rules live in SQL, inside
 * the write transaction: a record that is current (in `latest`) or pinned is never marked collected,
 * and a collected record can no longer be pinned, so a pin and a collection cannot cross.
 */
import type Database from 'better-sqlite3'
import { pinCollected, pinNoRecord } from './errors.js'
import { isoTime } from './json.js'
import type { ArtifactRecord, PinRecord } from './types.js'

type Obj = Record<string, unknown>

interface Statements {
  latestOf: Database.Statement
  ofRun: Database.Statement
  pin: Database.Statement
  unpinRecord: Database.Statement
  unpinKey: Database.Statement
  pins: Database.Statement
  pinsOf: Database.Statement
  pinById: Database.Statement
  artifacts: Database.Statement
  collect: Database.Statement
}

const PIN_SELECT = `SELECT m.id, m.asset_key, m.partition, m.run_id, m.finished_at, m.storage_path, p.note, p.pinned_at
  FROM pins p JOIN materializations m ON m.id = p.materialization_id`

/**
 * Prepared statements over `pins` and the `collected_at` column of `materializations`. Callers run
 * the writing methods inside an IMMEDIATE transaction (see `Store`).
 *
 * @example
 * const artifacts = new ArtifactsTable(db)
 * db.transaction(() => artifacts.pin('model', { note: 'v1' })).immediate()
 */
export class ArtifactsTable {
  readonly #db: Database.Database
  #statements: Statements | undefined

  constructor(db: Database.Database) {
    this.#db = db
  }

  /** Statements, prepared on first use (a store opened with older migrations has no pins table). */
  get #st(): Statements {
    if (this.#statements !== undefined) return this.#statements
    const db = this.#db
    this.#statements = {
      latestOf: db.prepare(
        `SELECT m.id, m.run_id, m.collected_at FROM latest l JOIN materializations m ON m.id = l.materialization_id
         WHERE l.asset_key = ? AND l.partition = ?`,
      ),
      ofRun: db.prepare(
        `SELECT id, run_id, collected_at FROM materializations
         WHERE asset_key = ? AND partition = ? AND run_id = ? AND kind = 'materialization' ORDER BY id DESC LIMIT 1`,
      ),
      pin: db.prepare(
        `INSERT INTO pins (materialization_id, note, pinned_at) VALUES (?, ?, ?)
         ON CONFLICT (materialization_id) DO UPDATE SET note = excluded.note, pinned_at = excluded.pinned_at`,
      ),
      unpinRecord: db.prepare(
        `DELETE FROM pins WHERE materialization_id IN
           (SELECT id FROM materializations WHERE asset_key = ? AND partition = ? AND run_id = ?)`,
      ),
      unpinKey: db.prepare(
        'DELETE FROM pins WHERE materialization_id IN (SELECT id FROM materializations WHERE asset_key = ? AND partition = ?)',
      ),
      pins: db.prepare(`${PIN_SELECT} ORDER BY m.asset_key, m.id DESC`),
      pinsOf: db.prepare(`${PIN_SELECT} WHERE m.asset_key = ? ORDER BY m.id DESC`),
      pinById: db.prepare(`${PIN_SELECT} WHERE m.id = ?`),
      artifacts: db.prepare(
        `SELECT m.id, m.asset_key, m.partition, m.run_id, m.finished_at, m.storage_path, m.wiped_at,
           (l.materialization_id IS NOT NULL) AS is_latest, (p.materialization_id IS NOT NULL) AS pinned
         FROM materializations m
         LEFT JOIN latest l ON l.asset_key = m.asset_key AND l.partition = m.partition AND l.materialization_id = m.id
         LEFT JOIN pins p ON p.materialization_id = m.id
         WHERE m.storage_path IS NOT NULL AND m.collected_at IS NULL
         ORDER BY m.asset_key, m.partition, m.id DESC`,
      ),
      collect: db.prepare(
        `UPDATE materializations SET collected_at = ?
         WHERE id = ? AND collected_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM latest l WHERE l.asset_key = materializations.asset_key
             AND l.partition = materializations.partition AND l.materialization_id = materializations.id)
           AND NOT EXISTS (SELECT 1 FROM pins WHERE materialization_id = materializations.id)`,
      ),
    }
    return this.#statements
  }

  /**
   * Pins the current record of `key`, or its record of `runId`; an existing pin gets the new note.
   * Throws when there is no such record or its artifact was collected. Call inside a transaction.
   */
  pin(key: string, opts: { runId?: string; partition?: string; note?: string }, at: Date = new Date()): PinRecord {
    const partition = opts.partition ?? ''
    const row = (
      opts.runId === undefined ? this.#st.latestOf.get(key, partition) : this.#st.ofRun.get(key, partition, opts.runId)
    ) as Obj | undefined
    if (row === undefined) throw pinNoRecord(key, opts.runId)
    if (row.collected_at !== null) throw pinCollected(key, row.run_id as string, row.collected_at as string)
    this.#st.pin.run(row.id, opts.note ?? null, isoTime(at))
    return toPin(this.#st.pinById.get(row.id) as Obj)
  }

  /** Removes the pin of `key`'s record of `runId`, or every pin of `key`; returns how many. Call inside a transaction. */
  unpin(key: string, opts: { runId?: string; partition?: string }): number {
    const partition = opts.partition ?? ''
    return opts.runId === undefined
      ? this.#st.unpinKey.run(key, partition).changes
      : this.#st.unpinRecord.run(key, partition, opts.runId).changes
  }

  /** Pinned records (of one asset, or all), newest first per asset. */
  pins(key?: string): PinRecord[] {
    return ((key === undefined ? this.#st.pins.all() : this.#st.pinsOf.all(key)) as Obj[]).map(toPin)
  }

  /** Records whose artifact is still stored, newest first per (asset, partition); only of `keys` when given. */
  artifacts(keys?: readonly string[]): ArtifactRecord[] {
    const only = keys === undefined ? undefined : new Set(keys)
    const out: ArtifactRecord[] = []
    for (const row of this.#st.artifacts.iterate() as Iterable<Obj>) {
      const key = row.asset_key as string
      if (only !== undefined && !only.has(key)) continue
      out.push({
        id: row.id as number,
        key,
        partition: row.partition as string,
        runId: row.run_id as string,
        finishedAt: row.finished_at as string,
        storagePath: row.storage_path as string,
        isLatest: row.is_latest === 1,
        pinned: row.pinned === 1,
        wipedAt: (row.wiped_at as string | null) ?? null,
      })
    }
    return out
  }

  /**
   * Marks records' artifacts as collected, skipping any that is current, pinned or already collected;
   * returns the ids marked (only their files may be deleted). Call inside a transaction.
   */
  collect(ids: readonly number[], at: Date = new Date()): number[] {
    const when = isoTime(at)
    return ids.filter((id) => this.#st.collect.run(when, id).changes === 1)
  }
}

function toPin(row: Obj): PinRecord {
  return {
    materializationId: row.id as number,
    key: row.asset_key as string,
    partition: row.partition as string,
    runId: row.run_id as string,
    finishedAt: row.finished_at as string,
    storagePath: (row.storage_path as string | null) ?? null,
    note: (row.note as string | null) ?? null,
    pinnedAt: row.pinned_at as string,
  }
}
