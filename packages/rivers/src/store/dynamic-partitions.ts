/**
 * Dynamic partition sets (the `dynamic_partitions` table): the keys of each named set by position,
 * in order of addition. A removed key keeps its row with `removed_at` set, so its position stays a
 * hole (`null` in the slots) and positions never shift; added again, it takes the next position.
 */
import type Database from 'better-sqlite3'
import { closest } from '../definitions/suggest.js'
import { badStorePartition, unknownDynamicPartition } from './errors.js'

interface Statements {
  slots: Database.Statement
  next: Database.Statement
  get: Database.Statement
  put: Database.Statement
  remove: Database.Statement
}

/**
 * Prepared statements and operations over `dynamic_partitions`. Callers run `add` and `remove`
 * inside an IMMEDIATE transaction, so a failing key leaves the set unchanged.
 *
 * @example
 * const sets = new DynamicPartitionsTable(db)
 * sets.add('customers', ['acme', 'globex'], Date.now())
 * sets.slots('customers') // ['acme', 'globex']
 */
export class DynamicPartitionsTable {
  readonly #db: Database.Database
  #s: Statements | undefined

  constructor(db: Database.Database) {
    this.#db = db
  }

  /** Statements, prepared on first use (a store opened at an older schema has no table). */
  get #st(): Statements {
    this.#s ??= {
      slots: this.#db.prepare(
        `SELECT key, position, removed_at IS NULL FROM dynamic_partitions WHERE set_name = ? ORDER BY position`,
      ),
      next: this.#db.prepare('SELECT coalesce(max(position) + 1, 0) FROM dynamic_partitions WHERE set_name = ?'),
      get: this.#db.prepare('SELECT removed_at IS NULL FROM dynamic_partitions WHERE set_name = ? AND key = ?'),
      put: this.#db.prepare(
        `INSERT INTO dynamic_partitions (set_name, key, position, added_at, removed_at) VALUES (?, ?, ?, ?, NULL)
         ON CONFLICT (set_name, key) DO UPDATE SET position = excluded.position, added_at = excluded.added_at,
           removed_at = NULL`,
      ),
      remove: this.#db.prepare(
        'UPDATE dynamic_partitions SET removed_at = ? WHERE set_name = ? AND key = ? AND removed_at IS NULL',
      ),
    }
    return this.#s
  }

  /** The set's keys by position (`null` where a key was removed; `[]` for an unknown set). */
  slots(set: string): (string | null)[] {
    const rows = this.#st.slots.raw().all(set) as [string, number, number][]
    const last = rows[rows.length - 1]
    const out: (string | null)[] = new Array(last === undefined ? 0 : last[1] + 1).fill(null)
    for (const [key, position, present] of rows) if (present === 1) out[position] = key
    return out
  }

  /** Adds keys at the next positions (present keys stay where they are); returns how many were added. */
  add(set: string, keys: readonly string[], at: number): number {
    const st = this.#st
    let next = st.next.pluck().get(set) as number
    let added = 0
    for (const key of new Set(keys)) {
      checkDynamicKey(set, key)
      if (st.get.pluck().get(set, key) === 1) continue
      st.put.run(set, key, next++, at)
      added++
    }
    return added
  }

  /** Marks keys removed; an unknown (or already removed) key throws, naming the nearest present key. */
  remove(set: string, keys: readonly string[], at: number): number {
    const st = this.#st
    const unique = [...new Set(keys)]
    // Every key is checked before any is removed: the suggestion comes from the set as it was.
    for (const key of unique) {
      if (st.get.pluck().get(set, key) === 1) continue
      const present = this.slots(set).filter((k): k is string => k !== null)
      throw unknownDynamicPartition(set, key, closest(key, present))
    }
    for (const key of unique) st.remove.run(at, set, key)
    return unique.length
  }
}

function checkDynamicKey(set: string, key: string): void {
  if (typeof key !== 'string' || key === '' || /[\n\0]/.test(key)) {
    throw badStorePartition(`A key of the dynamic partition set '${set}' (non-empty)`, String(key))
  }
}
