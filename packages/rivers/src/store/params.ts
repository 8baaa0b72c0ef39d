/**
 * Params: the config values a materialization was built with (secrets already redacted by the
 * engine), one JSON document per record.
 */
import type Database from 'better-sqlite3'
import { recordNotFound } from './errors.js'
import { encodeJson } from './json.js'

/**
 * Prepared statements over `materialization_params`.
 *
 * @example
 * const params = new ParamsTable(db, file)
 * db.transaction(() => params.put(42, { epochs: 3 })).immediate()
 */
export class ParamsTable {
  readonly #db: Database.Database
  readonly #file: string
  #statements: { put: Database.Statement; exists: Database.Statement } | undefined

  constructor(db: Database.Database, file: string) {
    this.#db = db
    this.#file = file
  }

  /** Statements, prepared on first use (a store opened with older migrations has no params table). */
  get #st(): { put: Database.Statement; exists: Database.Statement } {
    this.#statements ??= {
      put: this.#db.prepare(
        'INSERT INTO materialization_params (materialization_id, params) VALUES (?, ?) ' +
          'ON CONFLICT (materialization_id) DO UPDATE SET params = excluded.params',
      ),
      exists: this.#db.prepare('SELECT 1 FROM materializations WHERE id = ?').pluck(),
    }
    return this.#statements
  }

  /** Stores (or replaces) the params of a record; throws if the record does not exist. */
  put(materializationId: number, params: unknown): void {
    if (this.#st.exists.get(materializationId) === undefined) throw recordNotFound(this.#file, materializationId)
    this.#st.put.run(materializationId, encodeJson(params ?? null, `params of materialization ${materializationId}`))
  }
}
