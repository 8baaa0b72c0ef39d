/**
 * The connection layer of the PostgreSQL store: one bounded `pg` pool per store (default 5
 * connections), a query counter (tests assert how many round trips a hot path makes), transactions,
 * and the translation of connection failures into errors that name the store and the fix.
 *
 * Types: `bigint` columns (record ids, lease times in epoch milliseconds, counts) are read as JS
 * numbers (exact up to 2^53, far above any id or epoch millisecond); `bytea` comes as a Buffer.
 */
import pg from 'pg'
import { storeQueryFailed, storeUnreachable } from './errors.js'

/** Pool settings of a store. */
export interface PoolOptions {
  /** Connections this process may open at most (default 5): the store never exceeds it. */
  max?: number
  /** Milliseconds an idle connection stays open (default 10,000). */
  idleTimeoutMillis?: number
  /** Milliseconds to wait for a connection before failing (default 30,000). */
  connectionTimeoutMillis?: number
}

/**
 * A statement prepared once per connection under its name (parsed and planned once, not per call):
 * for the statements a run sends most (recording a materialization).
 */
export interface Prepared {
  name: string
  text: string
}

/** Something that runs a query: the pool, or the client of a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string | Prepared,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>
}

/** The argument of `pg`'s query for a text or a prepared statement. */
function config(text: string | Prepared, values: unknown[] | undefined): pg.QueryConfig {
  return typeof text === 'string'
    ? { text, values: values ?? [] }
    : { name: text.name, text: text.text, values: values ?? [] }
}

const INT8 = 20
const NUMERIC = 1700

/** Type parsers of this store's pools: int8 and numeric as numbers; the defaults otherwise. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format as 'text')
  }) as typeof pg.types.getTypeParser,
}

/** The server process id of a connection (`pg` sets it at login; not in its types). */
function backendPid(client: pg.PoolClient | pg.Client): number | undefined {
  const pid = (client as unknown as { processID?: unknown }).processID
  return typeof pid === 'number' ? pid : undefined
}

/** Error codes of the server that mean the input was refused (not a failure of the store). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', '28P01', '28000', '3D000'])

/**
 * A pool with a query counter, and transactions.
 *
 * @example
 * const db = new Db('postgres://postgres@127.0.0.1:54329/team', { max: 5 })
 * const { rows } = await db.query('SELECT 1 AS one')
 * await db.tx(async (c) => { await c.query('SELECT 2') })
 * await db.end()
 */
export class Db implements Queryable {
  /** The connection URL (with its password: never print it; see `redactUrl`). */
  readonly url: string
  readonly #pool: pg.Pool
  readonly #max: number
  #queries = 0
  #peak = 0
  /** Server process ids of this pool's connections (a notification from one of them is this store's own write). */
  readonly #pids = new Set<number>()

  constructor(url: string, options: PoolOptions = {}) {
    this.url = url
    this.#max = options.max ?? 5
    this.#pool = new pg.Pool({
      connectionString: url,
      max: this.#max,
      idleTimeoutMillis: options.idleTimeoutMillis ?? 10_000,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 30_000,
      // The process is named on the server (pg_stat_activity): who holds which connections.
      application_name: `rivers pid ${process.pid}`,
      types: TYPES,
    })
    // An idle connection that dies (server restart) must not crash the process: the pool drops it and
    // the next query opens a fresh one.
    this.#pool.on('error', () => {})
    this.#pool.on('connect', (client) => {
      this.#peak = Math.max(this.#peak, this.#pool.totalCount)
      const pid = backendPid(client)
      if (pid !== undefined) this.#pids.add(pid)
    })
    this.#pool.on('remove', (client) => {
      const pid = backendPid(client)
      if (pid !== undefined) this.#pids.delete(pid)
    })
  }

  /** Whether `pid` (a server process id, as notifications carry it) is one of this pool's connections. */
  isOwn(pid: number): boolean {
    return this.#pids.has(pid)
  }

  /**
   * A connection of the pool held by the caller until it calls `release` (a LISTEN connection): it
   * counts against the pool's bound like any other.
   */
  async hold(operation: string): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect()
    } catch (e) {
      throw this.translate(e, operation)
    }
  }

  /** Queries sent so far (each statement of a transaction counts, BEGIN and COMMIT included). */
  get queries(): number {
    return this.#queries
  }

  /** The most connections this pool held at once, and its bound. */
  get connections(): { peak: number; max: number } {
    return { peak: this.#peak, max: this.#max }
  }

  /** Runs one statement on a pooled connection (its own transaction). */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string | Prepared,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    this.#queries++
    try {
      return await this.#pool.query<R>(config(text, values))
    } catch (e) {
      throw this.translate(e, 'a query')
    }
  }

  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it
   * throws (the error goes on unchanged when it is a `RiversError`, translated otherwise).
   */
  async tx<T>(fn: (c: Queryable) => Promise<T>, operation = 'a transaction'): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await this.#pool.connect()
    } catch (e) {
      throw this.translate(e, operation)
    }
    const counted: Queryable = {
      query: <R extends pg.QueryResultRow>(text: string | Prepared, values?: unknown[]) => {
        this.#queries++
        return client.query<R>(config(text, values))
      },
    }
    let broken = false
    // A connection killed while the transaction waits between statements emits 'error' on the client
    // (the pool listens only to idle ones): without a listener the process would crash.
    const onError = () => {
      broken = true
    }
    client.on('error', onError)
    try {
      await counted.query('BEGIN')
      const out = await fn(counted)
      await counted.query('COMMIT')
      return out
    } catch (e) {
      try {
        await client.query('ROLLBACK')
      } catch {
        broken = true
      }
      throw this.translate(e, operation)
    } finally {
      client.removeListener('error', onError)
      client.release(broken)
    }
  }

  /** A RiversError for a failure of the server or the connection; other errors pass unchanged. */
  translate(e: unknown, operation: string): Error {
    if (!(e instanceof Error)) return storeQueryFailed(this.url, operation, e)
    if (e.name === 'RiversError') return e
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return storeUnreachable(this.url, e)
    if (/connect|terminat|timeout/i.test(e.message) && code === undefined) return storeUnreachable(this.url, e)
    return storeQueryFailed(this.url, operation, e)
  }

  /** Closes every connection of the pool. */
  async end(): Promise<void> {
    await this.#pool.end()
  }
}
