/**
 * Group commit for the store's frequent small writes (records, leases, events, checks, params): the
 * writes queued within one turn of the event loop commit together in one `BEGIN IMMEDIATE`
 * transaction, each inside its own savepoint (a write of one statement needs none: SQLite undoes a
 * failed statement alone), so one write that fails is rolled back and rejected alone while the
 * others commit. A commit costs far more than the statements of one record, and a
 * run's assets finish in bursts, so this divides the commits of a run.
 *
 * Nothing changes for callers: a queued write resolves only after its transaction committed (a
 * record is still written after its output is durable, and its caller goes on only once it is
 * stored), and any other store call (a read, or a write that is not queued) commits the queue first,
 * so every call sees the writes made before it, in program order.
 */
import type Database from 'better-sqlite3'

/** A queued write and how to answer its caller. */
interface Queued {
  fn: () => unknown
  /** Makes at most one write statement: SQLite undoes a failed statement by itself, no savepoint needed. */
  one: boolean
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * The write queue of one database connection.
 *
 * @example
 * const batch = new WriteBatch(db, (e) => translateSqliteError(file, e, busyMs))
 * const id = await batch.later(() => records.insert(rec)) // committed with its neighbours
 * batch.now(() => runs.finish(id, 'success', summary)) // commits the queue first, then itself
 */
export class WriteBatch {
  readonly #db: Database.Database
  readonly #tx: Database.Transaction<(fn: () => unknown) => unknown>
  readonly #translate: (e: unknown) => unknown
  #queue: Queued[] = []
  #scheduled: NodeJS.Immediate | undefined
  #commits = 0

  constructor(db: Database.Database, translate: (e: unknown) => unknown) {
    // One transaction wrapper for the connection (building one per call costs as much as the write);
    // called inside an open transaction, it runs as a savepoint.
    this.#db = db
    this.#tx = db.transaction((fn: () => unknown) => fn())
    this.#translate = translate
  }

  /**
   * Runs `fn` in its own IMMEDIATE transaction now, after committing the queue.
   *
   * @example
   * batch.now(() => runs.begin(run))
   */
  now<T>(fn: () => T): T {
    this.flush()
    try {
      const value = this.#tx.immediate(fn) as T
      this.#commits++
      return value
    } catch (e) {
      throw this.#translate(e)
    }
  }

  /**
   * Queues `fn`; it commits with the other writes queued in this turn of the event loop.
   *
   * @example
   * const acquired = await batch.later(() => leases.tryAcquire(key, '', runId, ttlMs))
   */
  later<T>(fn: () => T): Promise<T> {
    return this.#enqueue(fn, false)
  }

  /**
   * `later` for a write of at most one statement (reads before it are fine): it needs no savepoint
   * of its own, since SQLite undoes a failed statement alone and the transaction goes on.
   *
   * @example
   * const released = await batch.laterOne(() => leases.release(key, '', runId))
   */
  laterOne<T>(fn: () => T): Promise<T> {
    return this.#enqueue(fn, true)
  }

  #enqueue<T>(fn: () => T, one: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, one, resolve: resolve as (value: unknown) => void, reject })
      this.#scheduled ??= setImmediate(() => this.flush())
    })
  }

  /**
   * Transactions committed so far (for tests and diagnostics).
   *
   * @example
   * batch.commits // 1 after three writes queued in the same turn
   */
  get commits(): number {
    return this.#commits
  }

  /**
   * Commits what is queued (nothing when the queue is empty); called before every other store call.
   *
   * @example
   * batch.flush()
   */
  flush(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled)
      this.#scheduled = undefined
    }
    const queued = this.#queue
    if (queued.length === 0) return
    this.#queue = []
    const results: { ok: boolean; value: unknown }[] = []
    try {
      if (queued.length === 1) results.push({ ok: true, value: this.#tx.immediate(queued[0]!.fn) })
      else
        this.#tx.immediate(() => {
          for (const q of queued) {
            try {
              results.push({ ok: true, value: q.one ? q.fn() : this.#tx(q.fn) })
            } catch (e) {
              // An error that ended the whole transaction (SQLite rolled it back): the batch fails.
              if (!this.#db.inTransaction) throw e
              results.push({ ok: false, value: e })
            }
          }
        })
      this.#commits++
    } catch (e) {
      // BEGIN or COMMIT failed (or the only write did): nothing of the batch is stored.
      const error = this.#translate(e)
      for (const q of queued) q.reject(error)
      return
    }
    queued.forEach((q, i) => {
      const r = results[i]!
      if (r.ok) q.resolve(r.value)
      else q.reject(this.#translate(r.value))
    })
  }
}
