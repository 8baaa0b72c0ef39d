/**
 * `openWorkspace`, `materialize` and `loadAsset`: the library's entry points, and the one place that chooses the
 * defaults the engine itself never names: the SQLite store under the store folder, files as the IO
 * manager, the built-in tracker (params in the store), and the built-in launchers (`local`,
 * `slurm`, registered by type).
 */
import path from 'node:path'

import type { LevelWithSilent } from 'pino'

import type { Handle, Project, ValueOf } from './definitions/index.js'
import type { MaterializeOptions, RunSummary } from './engine/types.js'
import { Workspace } from './engine/workspace.js'
import { FileIOManager, type IOManager } from './io/index.js'
import type { Store } from './store/store.js'
import type { Tracker } from './tracking/tracker.js'

/** Options of `openWorkspace`. */
export interface WorkspaceOptions {
  /** Store folder; default `RIVERS_HOME`, else `.rivers/` in `projectDir`. */
  storeDir?: string
  /** Folder of the project file (default: the current directory). */
  projectDir?: string
  /** pino level of run logs (default `info`). */
  logLevel?: string
  /** Human-readable log lines on stderr (default: when stderr is a TTY). */
  pretty?: boolean
  /** Where human/NDJSON log lines go (default: stderr); run logs are also written to the store. */
  logDestination?: NodeJS.WritableStream
  /**
   * The store (a `Store` from `@rivers-orchestrator/rivers/plugin`, e.g. a PostgreSQL one); default
   * a SQLite file in the store folder. The workspace closes it.
   */
  store?: Store
  /** Trackers told of runs and materializations, besides the built-in one (params in the store). */
  trackers?: readonly Tracker[]
}

/**
 * Opens a project against its store: builds the native graph once and loads every latest record
 * in one query. Sources are observed when a command first needs them.
 *
 * @example
 * const ws = await openWorkspace(project, { storeDir: '.rivers' })
 * console.log((await ws.status(['*'])).assets.filter((a) => a.planned).map((a) => a.key))
 * await ws.close()
 */
export async function openWorkspace(project: Project, options: WorkspaceOptions = {}): Promise<Workspace> {
  // Loaded here rather than imported: importing the library (to define assets) never needs them.
  const [{ registerBuiltinLaunchers }, { SqliteStore }, { StoreTracker }] = await Promise.all([
    import('./launchers/builtins.js'),
    import('./store/sqlite-store.js'),
    import('./tracking/store-tracker.js'),
  ])
  registerBuiltinLaunchers()
  const projectDir = path.resolve(options.projectDir ?? process.cwd())
  const storeDir = path.resolve(options.storeDir ?? process.env.RIVERS_HOME ?? path.join(projectDir, '.rivers'))
  const store = options.store ?? SqliteStore.open(storeDir)
  try {
    return await Workspace.open(project, {
      store,
      storeDir,
      projectDir,
      io: (project.io as IOManager | undefined) ?? new FileIOManager(path.join(storeDir, 'storage')),
      trackers: [new StoreTracker(store), ...(options.trackers ?? [])],
      log: {
        level: (options.logLevel ?? 'info') as LevelWithSilent,
        pretty: options.pretty ?? false,
        ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
      },
    })
  } catch (e) {
    await store.close()
    throw e
  }
}

/**
 * Opens the project's store, runs the plan of the selection, closes the store, and returns the same
 * summary as `assets materialize --json`.
 *
 * @example
 * const summary = await materialize(project, { select: ['+model'], storeDir: '.rivers' })
 * if (summary.status !== 'success') process.exitCode = 1
 */
export async function materialize(
  project: Project,
  options: MaterializeOptions & WorkspaceOptions = {},
): Promise<RunSummary> {
  const ws = await openWorkspace(project, options)
  try {
    return await ws.materialize(options)
  } finally {
    await ws.close()
  }
}

/**
 * The current stored value of an asset (what its consumers would be given), read through its IO
 * manager and typed from the handle (Dagster's `load_asset_value`). Throws for an unknown key (with
 * a did-you-mean), for a source, and for an asset never materialized (naming the command to run).
 *
 * @example
 * const rows = await loadAsset(project, features, { storeDir: '.rivers' }) // typed as features' value
 */
export async function loadAsset<H extends Handle<any> | string>(
  project: Project,
  asset: H,
  options: Pick<WorkspaceOptions, 'storeDir' | 'projectDir' | 'store'> = {},
): Promise<H extends string ? unknown : ValueOf<H>> {
  const ws = await openWorkspace(project, { ...options, logLevel: 'silent' })
  try {
    return (await ws.load(typeof asset === 'string' ? asset : asset.key)) as H extends string ? unknown : ValueOf<H>
  } finally {
    await ws.close()
  }
}
