/**
 * The daemon's workspace: the project's workspace opened over a store the daemon also holds its
 * lease on (one SQLite connection, or one bounded PostgreSQL pool, for both), for the span of `fn`,
 * with the way that store tells of other processes' commits: fs events on the SQLite file and its
 * `data_version` (a {@link StoreWatch}), or LISTEN/NOTIFY on a PostgreSQL store (`watchCommits`,
 * polling while its connection is down).
 */
import path from 'node:path'
import type { Workspace } from '@rivers-orchestrator/rivers'
import type { Store } from '@rivers-orchestrator/rivers/plugin'
import type { Ctx } from '../context.js'
import { findProjectFile, loadProject } from '../project-file.js'
import { riversFor } from '../rivers-module.js'
import { checkStoreDir } from '../store-dir.js'
import { trackersFor, warnOn } from '../tracker-select.js'
import { openStoreUrl, redact, storeCannotWatch, storeTargetOf } from '../store-select.js'
import { StoreWatch } from './store-watch.js'
import { type CommitWatch, STORE_DELAY_MS } from './wakeups.js'

/** Options of {@link DaemonWorkspace.watchCommits}. */
export interface CommitWatchOptions {
  poll: boolean
  pollIntervalMs: number
  /** Another process committed. */
  onCommit(): void
  /** Told when fs events fail on the SQLite store's folder `dir` (it is polled from then on). */
  onFallback(dir: string, error: unknown): void
  /** Told when a PostgreSQL store's LISTEN connection failed (it is polled until it reconnects). */
  onListenLost(error: unknown): void
  /** Told when a PostgreSQL store's LISTEN connection is back. */
  onResumed(): void
}

/** What the daemon works with. */
export interface DaemonWorkspace {
  ws: Workspace
  /** The store (the daemon holds its lease there). */
  store: Store
  /** The store for messages: its folder, or its URL without password. */
  storeName: string
  /** The local folder (the SQLite store; outputs and logs with a PostgreSQL store). */
  storeDir: string
  projectFile: string
  /** Starts watching other processes' commits to the store. */
  watchCommits(options: CommitWatchOptions): Promise<CommitWatch>
  /** What the watch uses when it is not polling (for the start-up line). */
  storeEvents: 'fs events' | 'LISTEN/NOTIFY'
}

/** The method a PostgreSQL store has for its live events (see `@rivers-orchestrator/store-postgres`). */
interface Watchable {
  watchCommits(options: {
    onCommit(): void
    poll?: boolean
    pollIntervalMs?: number
    delayMs?: number
    onFallback?(error: unknown): void
    onResumed?(): void
  }): Promise<CommitWatch>
}

/**
 * @example
 * await withStoreWorkspace(ctx, async ({ ws, store }) => { await store.getLease('@daemon'); await ws.tick() })
 */
export async function withStoreWorkspace<T>(ctx: Ctx, fn: (d: DaemonWorkspace) => Promise<T>): Promise<T> {
  const file = findProjectFile(ctx.io.cwd, ctx.globals.project)
  const project = await loadProject(file, ctx.io.cwd)
  const { openWorkspace } = await riversFor(file)
  const target = storeTargetOf(ctx.globals, ctx.io.env, ctx.io.cwd, file, project.store)
  const storeDir = target.dir
  checkStoreDir(storeDir)
  const trackers = await trackersFor(ctx.io.env, file, project, storeDir, warnOn(ctx.io.stderr))
  let store: Store
  let storeName: string
  let watchCommits: DaemonWorkspace['watchCommits']
  if (target.url === undefined) {
    const { SqliteStore } = await import('@rivers-orchestrator/rivers/plugin')
    const sqlite = SqliteStore.open(storeDir)
    store = sqlite
    storeName = storeDir
    watchCommits = async (o) => {
      const db = path.basename(sqlite.file)
      return new StoreWatch({
        dir: path.dirname(sqlite.file),
        files: [db, `${db}-wal`],
        dataVersion: () => sqlite.externalDataVersion(),
        delayMs: STORE_DELAY_MS,
        poll: o.poll,
        pollIntervalMs: o.pollIntervalMs,
        onCommit: o.onCommit,
        onFallback: (error) => o.onFallback(path.dirname(sqlite.file), error),
      })
    }
  } else {
    const url = target.url
    store = await openStoreUrl(url, file)
    storeName = redact(url)
    const watchable = store as Partial<Watchable>
    if (typeof watchable.watchCommits !== 'function') {
      await store.close()
      throw storeCannotWatch('assets daemon', url)
    }
    const watch = watchable.watchCommits.bind(store)
    watchCommits = (o) =>
      watch({
        onCommit: o.onCommit,
        poll: o.poll,
        pollIntervalMs: o.pollIntervalMs,
        delayMs: STORE_DELAY_MS,
        onFallback: o.onListenLost,
        onResumed: o.onResumed,
      })
  }
  // The workspace closes the store (also when it fails to open).
  const ws = await openWorkspace(project, {
    storeDir,
    projectDir: path.dirname(file),
    ...(ctx.globals.logLevel === undefined ? {} : { logLevel: ctx.globals.logLevel }),
    pretty: !ctx.json,
    logDestination: ctx.logSink,
    store,
    trackers,
  })
  try {
    const storeEvents = target.url === undefined ? 'fs events' : 'LISTEN/NOTIFY'
    return await fn({ ws, store, storeName, storeDir, projectFile: file, watchCommits, storeEvents })
  } finally {
    await ws.close()
  }
}
