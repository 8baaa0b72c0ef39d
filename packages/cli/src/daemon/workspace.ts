/**
 * The daemon's workspace: the project's workspace opened over a store the daemon also holds its
 * lease on (one SQLite connection for both), for the span of `fn`.
 */
import path from 'node:path'
import type { Workspace } from '@rivers-orchestrator/rivers'
import type { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { type Ctx, storeDirOf } from '../context.js'
import { findProjectFile, loadProject } from '../project-file.js'
import { riversFor } from '../rivers-module.js'
import { checkStoreDir } from '../store-dir.js'
import { sqliteOnly, storeTargetOf } from '../store-select.js'
import { trackersFor, warnOn } from '../tracker-select.js'

/** What the daemon works with. */
export interface DaemonWorkspace {
  ws: Workspace
  /** The SQLite store (the daemon also reads its `externalDataVersion` to notice other processes' commits). */
  store: SqliteStore
  storeDir: string
  projectFile: string
}

/**
 * @example
 * await withStoreWorkspace(ctx, async ({ ws, store }) => { await store.getLease('@daemon'); await ws.tick() })
 */
export async function withStoreWorkspace<T>(ctx: Ctx, fn: (d: DaemonWorkspace) => Promise<T>): Promise<T> {
  const file = findProjectFile(ctx.io.cwd, ctx.globals.project)
  const project = await loadProject(file, ctx.io.cwd)
  const { openWorkspace } = await riversFor(file)
  // The daemon watches the SQLite file for other processes' commits: not a PostgreSQL store (yet).
  const target = storeTargetOf(ctx.globals, ctx.io.env, ctx.io.cwd, file)
  if (target.url !== undefined) throw sqliteOnly('assets daemon', target)
  const storeDir = storeDirOf(ctx, file)
  checkStoreDir(storeDir)
  const trackers = await trackersFor(ctx.io.env, file, project, storeDir, warnOn(ctx.io.stderr))
  const { SqliteStore } = await import('@rivers-orchestrator/rivers/plugin')
  const store = SqliteStore.open(storeDir)
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
    return await fn({ ws, store, storeDir, projectFile: file })
  } finally {
    await ws.close()
  }
}
