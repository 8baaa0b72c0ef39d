import path from 'node:path'
import type { Project, Tracker } from '@rivers-orchestrator/rivers'
import { CliError } from './errors.js'
import { type Importer, importPlugin } from './plugin-import.js'

/** The package of the MLflow tracker. */
export const MLFLOW_PACKAGE = '@rivers-orchestrator/tracker-mlflow'

/** The settings the CLI gives the MLflow tracker (a subset of its `MlflowTrackerOptions`). */
export interface MlflowSettings {
  trackingUri: string
  project: string
  experiment?: string
  assets?: readonly string[]
  groupOf: (assetKey: string) => string | undefined
  /** Whether an asset is a model (registered as a model version when its data version changes). */
  models: (assetKey: string) => boolean
  storageDir: (assetKey: string) => string | undefined
  /** Where the package reads MLFLOW_TRACKING_USERNAME / PASSWORD / TOKEN. */
  env: Readonly<Record<string, string | undefined>>
}

/** What the MLflow tracker package exports (the part the CLI uses). */
export interface MlflowModule {
  MlflowTracker: new (settings: MlflowSettings) => Tracker
}

/**
 * The trackers of a command: the MLflow tracker when MLFLOW_TRACKING_URI is set, else none. A URI
 * that is not a tracking server, or a package that is not installed, is a warning (`warn`), never
 * an error: like a tracking server that is down, it must not stop a command (and the variable is
 * often set for other MLflow work).
 *
 * @example
 * const trackers = await trackersFor(process.env, '/home/me/shop/rivers.config.ts', project, '/home/me/shop/.rivers', console.warn)
 */
export async function trackersFor(
  env: Readonly<Record<string, string | undefined>>,
  projectFile: string,
  project: Project,
  storeDir: string,
  warn: (message: string) => void,
  importer: Importer = (s) => import(s),
): Promise<Tracker[]> {
  const uri = env.MLFLOW_TRACKING_URI || undefined
  if (uri === undefined) return []
  if (!/^https?:\/\//i.test(uri)) {
    warn(notATrackingServer(uri).message)
    return []
  }
  let mod: MlflowModule
  try {
    mod = await loadMlflow(projectFile, importer, uri)
  } catch (e) {
    if (!(e instanceof CliError && e.code === 'RIVERS_TRACKER_MISSING')) throw e
    warn(e.message)
    return []
  }
  return [new mod.MlflowTracker(mlflowSettings(uri, env, projectFile, project, storeDir))]
}

/**
 * Writes a tracker warning to a command's stderr.
 *
 * @example
 * const trackers = await trackersFor(ctx.io.env, file, project, storeDir, warnOn(ctx.io.stderr))
 */
export function warnOn(stderr: { write(chunk: string): unknown }): (message: string) => void {
  return (message) => void stderr.write(`warning: ${message}\n`)
}

/**
 * The MLflow tracker's settings for a project: experiment, groups, and where each asset's output
 * files are (the folder of its IO manager when that manager has one, `baseDir`).
 *
 * @example
 * mlflowSettings('http://127.0.0.1:5000', {}, '/home/me/shop/rivers.config.ts', project, '/home/me/shop/.rivers').project // 'shop'
 */
export function mlflowSettings(
  uri: string,
  env: Readonly<Record<string, string | undefined>>,
  projectFile: string,
  project: Project,
  storeDir: string,
): MlflowSettings {
  const experiment = env.MLFLOW_EXPERIMENT_NAME || undefined
  const assets = patternsOf(env.RIVERS_MLFLOW_ASSETS)
  const models = patternsOf(env.RIVERS_MLFLOW_MODELS).map(globToRegExp)
  return {
    trackingUri: uri,
    env,
    project: project.name ?? path.basename(path.dirname(projectFile)),
    ...(experiment === undefined ? {} : { experiment }),
    ...(assets.length === 0 ? {} : { assets }),
    groupOf: (key) => project.byKey.get(key)?.group,
    models: (key) => project.byKey.get(key)?.kinds.includes('model') === true || models.some((m) => m.test(key)),
    storageDir: (key) => {
      const own = (project.byKey.get(key)?.def as { io?: unknown } | undefined)?.io
      const io = own ?? project.io
      // The default IO manager: files under the store folder (see openWorkspace).
      if (io === undefined) return path.join(storeDir, 'storage')
      const baseDir = (io as { baseDir?: unknown }).baseDir
      return typeof baseDir === 'string' ? baseDir : undefined
    },
  }
}

/**
 * Imports the MLflow tracker package (beside the project file, else beside the CLI), or throws
 * `mlflowMissing` naming the install command.
 *
 * @example
 * const mod = await loadMlflow('/home/me/shop/rivers.config.ts', (s) => import(s), 'http://127.0.0.1:5000')
 */
export async function loadMlflow(projectFile: string, importer: Importer, uri: string): Promise<MlflowModule> {
  return importPlugin(
    projectFile,
    MLFLOW_PACKAGE,
    importer,
    (mod): mod is MlflowModule => typeof (mod as Partial<MlflowModule>).MlflowTracker === 'function',
    (cause) => mlflowMissing(uri, projectFile, cause),
  )
}

/**
 * MLFLOW_TRACKING_URI is set but the MLflow tracker package is not installed (`trackersFor` warns with it).
 *
 * @example
 * throw mlflowMissing('http://127.0.0.1:5000', '/home/me/shop/rivers.config.ts', undefined)
 */
export function mlflowMissing(uri: string, projectFile: string, cause: unknown): CliError {
  return new CliError(
    'RIVERS_TRACKER_MISSING',
    `MLFLOW_TRACKING_URI is ${redact(uri)}: logging to MLflow needs the package ${MLFLOW_PACKAGE}, which is not installed; this command runs without MLflow.\n` +
      `Fix: install it beside the project: (cd ${path.dirname(projectFile)} && npm install ${MLFLOW_PACKAGE})\n` +
      '     or unset MLFLOW_TRACKING_URI to run without MLflow.',
    cause === undefined ? {} : { cause },
  )
}

/**
 * MLFLOW_TRACKING_URI is not the URL of a tracking server (a local folder, `databricks`, …); `trackersFor` warns with it.
 *
 * @example
 * throw notATrackingServer('file:///home/me/mlruns')
 */
export function notATrackingServer(uri: string): CliError {
  return new CliError(
    'RIVERS_MLFLOW_URI',
    `MLFLOW_TRACKING_URI is ${JSON.stringify(redact(uri))}; Rivers logs to an MLflow tracking server over its REST API, so it needs an http(s) URL; this command runs without MLflow.\n` +
      'Fix: start a server (mlflow server --host 127.0.0.1 --port 5000) and set MLFLOW_TRACKING_URI=http://127.0.0.1:5000, or unset it to run without MLflow.',
  )
}

/** Comma-separated patterns. */
function patternsOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** `*` stands for any characters. */
function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  )
}

/** A URL without its password. */
function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@')
  }
}
