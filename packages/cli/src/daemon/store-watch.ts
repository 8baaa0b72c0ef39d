/**
 * Waking the daemon when another process commits to the store (a run records an upstream asset):
 * fs events on the store folder, filtered on the database file and its WAL, are coalesced for
 * `delayMs` (at most that long after the first event, however many follow), then SQLite's
 * `data_version` of the daemon's own connection is read: it changes only for commits by other
 * connections, so the daemon's own writes (ticks, decisions, lease renewals, the runs it launched in
 * its process) never wake it. Where fs events are not available on the folder, or polling is asked
 * for, `data_version` is read every `pollIntervalMs` instead (one cheap pragma).
 */
import { type FSWatcher, watch } from 'node:fs'

/** Options of {@link StoreWatch}. */
export interface StoreWatchOptions {
  /** The store folder. */
  dir: string
  /** Names of the files in it whose changes may be commits (the database and its `-wal`). */
  files: readonly string[]
  /** The store connection's `PRAGMA data_version` (`SqliteStore.externalDataVersion`). */
  dataVersion(): number
  delayMs: number
  poll: boolean
  pollIntervalMs: number
  /** Another process committed. */
  onCommit(): void
  /** Told when fs events fail on the folder and the store is polled instead. */
  onFallback?(error: unknown): void
}

/**
 * @example
 * const sw = new StoreWatch({ dir: '.rivers', files: ['rivers.db', 'rivers.db-wal'], delayMs: 50, poll: false,
 *   pollIntervalMs: 1000, dataVersion: () => store.externalDataVersion(), onCommit: () => wake.wake('store') })
 * sw.close()
 */
export class StoreWatch {
  readonly #options: StoreWatchOptions
  #last: number | undefined
  #watcher: FSWatcher | undefined
  #poller: NodeJS.Timeout | undefined
  #timer: NodeJS.Timeout | undefined
  #closed = false

  constructor(options: StoreWatchOptions) {
    this.#options = options
    this.#last = this.#version()
    if (options.poll || !this.#watch()) this.#startPolling()
  }

  /** How commits are noticed. */
  get mode(): 'events' | 'polling' {
    return this.#watcher === undefined ? 'polling' : 'events'
  }

  close(): void {
    this.#closed = true
    this.#watcher?.close()
    this.#watcher = undefined
    clearInterval(this.#poller)
    clearTimeout(this.#timer)
  }

  #watch(): boolean {
    const names = new Set(this.#options.files)
    try {
      const w = watch(this.#options.dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) this.#soon()
      })
      w.on('error', (e) => {
        w.close()
        if (this.#watcher !== w) return
        this.#watcher = undefined
        this.#options.onFallback?.(e)
        this.#startPolling()
      })
      this.#watcher = w
      return true
    } catch (e) {
      this.#options.onFallback?.(e)
      return false
    }
  }

  #startPolling(): void {
    if (this.#closed || this.#poller !== undefined) return
    this.#poller = setInterval(() => this.#check(), this.#options.pollIntervalMs)
    this.#poller.unref()
  }

  /** Checks once, `delayMs` after the first of a burst of events. */
  #soon(): void {
    if (this.#closed || this.#timer !== undefined) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#check()
    }, this.#options.delayMs)
  }

  #check(): void {
    if (this.#closed) return
    const now = this.#version()
    if (now === this.#last) return
    this.#last = now
    this.#options.onCommit()
  }

  /** The data version, or undefined when the store could not answer (busy, closing): then any later answer wakes. */
  #version(): number | undefined {
    try {
      return this.#options.dataVersion()
    } catch {
      return undefined
    }
  }
}
