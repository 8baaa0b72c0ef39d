/**
 * What wakes the daemon before its next slot: its path sources' files (a {@link SourceWatch}) and
 * other processes' commits to its store (a {@link StoreWatch}), both with fs events, or polling with
 * `--poll` / `RIVERS_WATCH=poll` (and wherever fs events fail). Each wake goes to the loop's
 * {@link Wake}; the changed sources wait in the source watch for the next tick to observe.
 */
import path from 'node:path'
import { formatDuration } from '../format/duration.js'
import type { Wake } from './loop.js'
import { type SourceAsset, SourceWatch, watchedSources } from './source-watch.js'
import { StoreWatch } from './store-watch.js'

/** Quiet time after a source file's last change before the daemon ticks (editors write in bursts). */
export const SOURCE_DEBOUNCE_MS = 50
/** Delay after the store's first file event before its data version is read (a run commits in bursts). */
export const STORE_DELAY_MS = 50

/** Options of {@link startWakeups}. */
export interface WakeupOptions {
  assets: readonly SourceAsset[]
  /** The project file's folder: relative source paths are resolved against it. */
  baseDir: string
  /** The store's database file (its folder is watched for it and its `-wal`). */
  dbFile: string
  dataVersion(): number
  poll: boolean
  pollIntervalMs: number
  wake: Wake
  /** Told once per folder whose fs events failed or that went away (its files are polled from then on). */
  onFallback(what: string, error: unknown): void
}

/** The running watches. */
export interface Wakeups {
  sources: SourceWatch
  store: StoreWatch
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
 * const w = startWakeups({ assets: ws.project.assets, baseDir, dbFile: store.file, poll: false, pollIntervalMs: 1000,
 *   dataVersion: () => store.externalDataVersion(), wake, onFallback: (what, e) => log.info('fallback', `${what}: ${e}`) })
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
  const storeDir = path.dirname(options.dbFile)
  const db = path.basename(options.dbFile)
  const store = new StoreWatch({
    dir: storeDir,
    files: [db, `${db}-wal`],
    dataVersion: options.dataVersion,
    delayMs: STORE_DELAY_MS,
    poll,
    pollIntervalMs,
    onCommit: () => wake.wake('store'),
    onFallback: (error) => options.onFallback(storeDir, error),
  })
  const how = (mode: string) =>
    mode === 'events'
      ? 'fs events'
      : mode === 'polling'
        ? `polling every ${formatDuration(pollIntervalMs)}`
        : `fs events (some folders polled every ${formatDuration(pollIntervalMs)})`
  return {
    sources,
    store,
    describe() {
      const n = sources.sources.length
      const files = n === 0 ? 'no source files' : `${n} source file${n === 1 ? '' : 's'} with ${how(sources.mode)}`
      return `watching ${files}; store commits with ${how(store.mode)}`
    },
    close() {
      sources.close()
      store.close()
    },
  }
}
