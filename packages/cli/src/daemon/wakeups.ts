/**
 * What wakes the daemon before its next slot: its path sources' files (a {@link SourceWatch}) and
 * other processes' commits to its store (a {@link CommitWatch}: fs events on a SQLite store,
 * LISTEN/NOTIFY on a PostgreSQL one), or polling with `--poll` / `RIVERS_WATCH=poll` (and wherever
 * events fail). Each wake goes to the loop's {@link Wake}; the changed sources wait in the source
 * watch for the next tick to observe.
 */
import { formatDuration } from '../format/duration.js'
import type { Wake } from './loop.js'
import { type SourceAsset, SourceWatch, watchedSources } from './source-watch.js'

/** A running watch of the store's commits by other processes (started by the daemon's workspace). */
export interface CommitWatch {
  /** How commits are noticed now. */
  readonly mode: 'events' | 'polling'
  close(): void
}

/** Quiet time after a source file's last change before the daemon ticks (editors write in bursts). */
export const SOURCE_DEBOUNCE_MS = 50
/** Delay after the store's first commit event before the daemon is woken (a run commits in bursts). */
export const STORE_DELAY_MS = 50

/** Options of {@link startWakeups}. */
export interface WakeupOptions {
  assets: readonly SourceAsset[]
  /** The project file's folder: relative source paths are resolved against it. */
  baseDir: string
  /** The store's watch, started on `wake` (it goes on belonging to the wakeups: `close` closes it). */
  store: CommitWatch
  /** What the store's watch uses when it is not polling (default `fs events`). */
  storeEvents?: string
  poll: boolean
  pollIntervalMs: number
  wake: Wake
  /** Told once per folder whose fs events failed or that went away (its files are polled from then on). */
  onFallback(what: string, error: unknown): void
}

/** The running watches. */
export interface Wakeups {
  sources: SourceWatch
  store: CommitWatch
  /** For the start-up line: `watching 2 source files with fs events; store commits with fs events`. */
  describe(): string
  close(): void
}

/**
 * Whether polling is asked for: `--poll`, or `RIVERS_WATCH=poll` in the environment.
 *
 * @example
 * wantsPolling(undefined, { RIVERS_WATCH: 'poll' }) // true
 */
export function wantsPolling(flag: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  return flag === true || env.RIVERS_WATCH?.trim().toLowerCase() === 'poll'
}

/**
 * @example
 * const store = await d.watchCommits({ poll: false, pollIntervalMs: 1000, onCommit: () => wake.wake('store'),
 *   onFallback: (dir, e) => log.info('fallback', `${dir}: ${e}`), onListenLost: () => {}, onResumed: () => {} })
 * const w = startWakeups({ assets: ws.project.assets, baseDir, store, poll: false, pollIntervalMs: 1000,
 *   wake, onFallback: (what, e) => log.info('fallback', `${what}: ${e}`) })
 * w.close()
 */
export function startWakeups(options: WakeupOptions): Wakeups {
  const { wake, poll, pollIntervalMs } = options
  const sources = new SourceWatch(watchedSources(options.assets, options.baseDir), {
    debounceMs: SOURCE_DEBOUNCE_MS,
    poll,
    pollIntervalMs,
    onChange: () => wake.wake('files'),
    onFallback: (dir, error) => options.onFallback(dir, error),
  })
  const store = options.store
  const how = (mode: string, events = 'fs events') =>
    mode === 'events'
      ? events
      : mode === 'polling'
        ? `polling every ${formatDuration(pollIntervalMs)}`
        : `fs events (some folders polled every ${formatDuration(pollIntervalMs)})`
  return {
    sources,
    store,
    describe() {
      const n = sources.sources.length
      const files = n === 0 ? 'no source files' : `${n} source file${n === 1 ? '' : 's'} with ${how(sources.mode)}`
      return `watching ${files}; store commits with ${how(store.mode, options.storeEvents)}`
    },
    close() {
      sources.close()
      store.close()
    },
  }
}
