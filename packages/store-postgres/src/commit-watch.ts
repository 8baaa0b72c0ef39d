/**
 * Live events of the PostgreSQL store: every write of `latest` (a materialization, an observation, a
 * batch, a wipe) sends `NOTIFY rivers_commits` inside its statement or transaction, which the server
 * delivers at commit (once per transaction). A `CommitWatch` LISTENs on one connection of the store's
 * pool (inside its bound) and calls `onCommit` for the commits of OTHER connections (other processes,
 * other machines), coalesced over `delayMs`: the store's own writes never wake its owner, as with
 * SQLite's `data_version`.
 *
 * When the LISTEN connection drops (server restart, `pg_terminate_backend`, a network cut) the watch
 * wakes its owner once (a commit may have gone unheard), then polls the store's version (the highest
 * record id of `latest` and the count of wipes: one indexed query) every `pollIntervalMs`, and tries
 * to LISTEN again at each poll; once it listens again it checks the version once more and goes back to
 * events. Polling cannot tell whose commit it sees: in polling mode the store's own writes wake it too.
 */
import type pg from 'pg'
import type { Db } from './db.js'
import { COMMITS_CHANNEL } from './records.js'

/** Options of `PostgresStore.watchCommits`. */
export interface CommitWatchOptions {
  /** Another connection committed a write of the latest records. */
  onCommit(): void
  /** Poll only, never LISTEN (also when the pool allows fewer than 2 connections). */
  poll?: boolean
  /** Milliseconds between polls while not listening (default 1,000). */
  pollIntervalMs?: number
  /** Milliseconds a burst of notifications is coalesced over (default 50). */
  delayMs?: number
  /** Told when LISTEN is not available or its connection dropped: the store is polled from then on. */
  onFallback?(error: unknown): void
  /** Told when the watch listens again after a fallback. */
  onResumed?(): void
}

/** A running watch of a store's commits. */
export interface CommitWatch {
  /** How commits are noticed now. */
  readonly mode: 'events' | 'polling'
  /** Stops the watch and gives its connection back (synchronously). */
  close(): void
}

const VERSION = `SELECT coalesce((SELECT max(materialization_id) FROM latest), 0) || ':' ||
  (SELECT n FROM store_counters WHERE name = 'latest_deletes') AS v`

/**
 * The watch behind `PostgresStore.watchCommits`.
 *
 * @example
 * const watch = await PgCommitWatch.start(db, { onCommit: () => wake('store') })
 * watch.close()
 */
export class PgCommitWatch implements CommitWatch {
  readonly #db: Db
  readonly #options: CommitWatchOptions
  #client: pg.PoolClient | undefined
  #last: string | undefined
  #poller: NodeJS.Timeout | undefined
  #timer: NodeJS.Timeout | undefined
  #busy = false
  #closed = false

  private constructor(db: Db, options: CommitWatchOptions) {
    this.#db = db
    this.#options = options
  }

  /**
   * Reads the store's version, then LISTENs (or polls when asked, when the pool is too small to hold
   * a connection for it, or when LISTEN fails: `onFallback` hears why).
   *
   * @example
   * const watch = await PgCommitWatch.start(db, { onCommit, poll: true, pollIntervalMs: 250 })
   */
  static async start(db: Db, options: CommitWatchOptions): Promise<PgCommitWatch> {
    const watch = new PgCommitWatch(db, options)
    watch.#last = await watch.#version()
    if (options.poll === true || !watch.#canListen()) {
      watch.#startPolling()
      return watch
    }
    try {
      await watch.#listen()
    } catch (e) {
      options.onFallback?.(e)
      watch.#startPolling()
    }
    return watch
  }

  get mode(): 'events' | 'polling' {
    return this.#client === undefined ? 'polling' : 'events'
  }

  close(): void {
    this.#closed = true
    clearInterval(this.#poller)
    clearTimeout(this.#timer)
    const client = this.#client
    this.#client = undefined
    client?.release(true)
  }

  #canListen(): boolean {
    return this.#options.poll !== true && this.#db.connections.max >= 2
  }

  async #listen(): Promise<void> {
    const client = await this.#db.hold('listening for commits')
    let gone = false
    const dropped = (error: unknown) => {
      if (gone) return
      gone = true
      this.#dropped(client, error)
    }
    client.on('notification', (n) => {
      if (n.channel === COMMITS_CHANNEL && !this.#db.isOwn(n.processId)) this.#soon()
    })
    client.on('error', dropped)
    client.on('end', () => dropped(new Error('the LISTEN connection ended')))
    try {
      await client.query(`LISTEN ${COMMITS_CHANNEL}`)
    } catch (e) {
      gone = true
      client.release(true)
      throw this.#db.translate(e, 'LISTEN')
    }
    if (this.#closed) {
      gone = true
      client.release(true)
      return
    }
    this.#client = client
  }

  /** The LISTEN connection failed: wake once, take the version as it is now, poll and retry LISTEN. */
  #dropped(client: pg.PoolClient, error: unknown): void {
    if (this.#client !== client) return
    this.#client = undefined
    client.release(true)
    if (this.#closed) return
    this.#options.onFallback?.(error)
    this.#options.onCommit()
    this.#last = undefined
    void this.#version().then((v) => {
      this.#last ??= v
    })
    this.#startPolling()
  }

  #startPolling(): void {
    if (this.#closed || this.#poller !== undefined) return
    this.#poller = setInterval(() => void this.#poll(), this.#options.pollIntervalMs ?? 1_000)
    this.#poller.unref()
  }

  async #poll(): Promise<void> {
    if (this.#busy || this.#closed) return
    this.#busy = true
    try {
      await this.#check()
      if (this.#client !== undefined || !this.#canListen()) return
      try {
        await this.#listen()
      } catch {
        return // still unreachable: poll again
      }
      if (this.#client === undefined) return
      clearInterval(this.#poller)
      this.#poller = undefined
      this.#options.onResumed?.()
      await this.#check() // what was committed between the last poll and LISTEN
    } finally {
      this.#busy = false
    }
  }

  /** Wakes the owner when the version moved (any answer after an unanswered read counts as a move). */
  async #check(): Promise<void> {
    const now = await this.#version()
    if (now === undefined || now === this.#last || this.#closed) return
    this.#last = now
    this.#options.onCommit()
  }

  /** Calls `onCommit` once, `delayMs` after the first notification of a burst. */
  #soon(): void {
    if (this.#closed || this.#timer !== undefined) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      if (!this.#closed) this.#options.onCommit()
    }, this.#options.delayMs ?? 50)
  }

  /** The store's version, or undefined when the server did not answer. */
  async #version(): Promise<string | undefined> {
    try {
      const { rows } = await this.#db.query<{ v: string }>(VERSION)
      return rows[0]?.v
    } catch {
      return undefined
    }
  }
}
