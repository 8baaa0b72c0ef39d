/**
 * Launchers by type: a registry that launcher implementations register into (the built-ins `local`
 * and `slurm` in `builtins.ts`; a plugin registers e.g. `ray`), and the launcher objects themselves,
 * one per store folder and settings, shared by every asset of every run in this process (so a local
 * GPU pool is shared).
 */
import path from 'node:path'

import type { AssetDef, LauncherConfig, Project } from '../definitions/index.js'
import { unknownLauncher } from './errors.js'
import type { Launcher } from './types.js'

/** A launcher's settings: its `type`, and fields of its own. */
export type LauncherSettings = { type: string } & Record<string, unknown>

/** Where a launcher works: the store folder (locks, job folders) and the environment it reads. */
export interface LauncherEnvironment {
  storeDir: string
  env: NodeJS.ProcessEnv
}

/**
 * Makes a launcher from its settings.
 *
 * @example
 * const factory: LauncherFactory = (settings, where) => new LocalLauncher({ lockDir: `${where.storeDir}/locks`, ...settings })
 */
export type LauncherFactory = (settings: LauncherSettings, where: LauncherEnvironment) => Launcher

const factories = new Map<string, LauncherFactory>()
const cache = new Map<string, Launcher>()

/**
 * Registers the launcher of a `type` (replacing an earlier one of the same type).
 *
 * @example
 * registerLauncher('local-nightly', (_settings, where) => new LocalLauncher({ env: where.env, gpus: 'none' }))
 */
export function registerLauncher(type: string, factory: LauncherFactory): void {
  factories.set(type, factory)
  for (const k of [...cache.keys()]) if ((JSON.parse(k) as unknown[])[1] === type) cache.delete(k)
}

/**
 * Whether a launcher of `type` is registered.
 *
 * @example
 * if (!hasLauncher('slurm')) registerBuiltinLaunchers()
 */
export function hasLauncher(type: string): boolean {
  return factories.has(type)
}

/**
 * Whether an asset runs through a launcher: it has a `command`, `resources` or its own `launcher`.
 * Other assets run as plain functions in the executor.
 *
 * @example
 * usesLauncher(asset({ key: 'm', command: ['python', 'train.py'] })) // true
 */
export function usesLauncher(def: AssetDef): boolean {
  return def.command !== undefined || def.resources !== undefined || def.launcher !== undefined
}

/**
 * The launcher settings of an asset: its own, else the project's, else `'local'`. A bare type
 * (`'slurm'`) takes the project's settings for that type when the project has them.
 *
 * @example
 * launcherConfigOf(model, project) // { type: 'slurm', partition: 'gpu' }
 */
export function launcherConfigOf(def: AssetDef, project: Pick<Project, 'launcher'>): LauncherConfig {
  const chosen = def.launcher ?? project.launcher ?? 'local'
  if (typeof chosen !== 'string') return chosen
  const p = project.launcher
  return typeof p === 'object' && p.type === chosen ? p : { type: chosen }
}

/**
 * The launcher for these settings and store folder (created once per process).
 *
 * @example
 * const launcher = launcherFor(launcherConfigOf(def, project), storeDir)
 */
export function launcherFor(
  settings: LauncherConfig | LauncherSettings,
  storeDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Launcher {
  const key = JSON.stringify([
    path.resolve(storeDir),
    settings.type,
    settings,
    env.RIVERS_GPUS ?? null,
    env.CUDA_VISIBLE_DEVICES ?? null,
    env.RIVERS_GPU_LOCK_DIR ?? null,
    env.PATH ?? null,
  ])
  let launcher = cache.get(key)
  if (launcher === undefined) {
    const factory = factories.get(settings.type)
    if (factory === undefined) throw unknownLauncher(settings.type, [...factories.keys()])
    launcher = factory(settings as LauncherSettings, { storeDir, env })
    cache.set(key, launcher)
  }
  return launcher
}

/**
 * Forgets every launcher object (tests that change the environment between cases); registrations stay.
 *
 * @example
 * import { afterEach } from 'vitest'
 * afterEach(() => resetLaunchers())
 */
export function resetLaunchers(): void {
  cache.clear()
}

/**
 * Where the job folders of a launcher go: its own `jobsDir` (on storage a cluster shares), else
 * `<storeDir>/jobs`.
 *
 * @example
 * jobsDirOf(launcher, '/p/.rivers') // '/p/.rivers/jobs'
 */
export function jobsDirOf(launcher: Pick<Launcher, 'jobsDir'>, storeDir: string): string {
  return launcher.jobsDir ?? path.join(storeDir, 'jobs')
}
