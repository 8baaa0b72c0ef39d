/**
 * Which launcher runs an asset, and the launcher objects themselves: one per store folder and
 * settings, shared by every asset of every run in this process (so the local GPU pool is shared).
 */
import path from 'node:path'

import { parseDuration, type AssetDef, type LauncherConfig, type Project } from '../definitions/index.js'
import { LocalLauncher } from './local.js'
import { SlurmLauncher } from './slurm.js'
import type { Launcher } from './types.js'

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
 * The launcher settings of an asset: its own, else the project's, else `'local'`. A bare `'slurm'`
 * or `'local'` takes the project's settings for that launcher when the project has them.
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
 * Where the job folders of a launcher go: `jobsDir` (Slurm), else `<storeDir>/jobs`.
 *
 * @example
 * jobsDirOf({ type: 'local' }, '/p/.rivers') // '/p/.rivers/jobs'
 */
export function jobsDirOf(config: LauncherConfig, storeDir: string): string {
  return config.type === 'slurm' && config.jobsDir !== undefined
    ? path.resolve(config.jobsDir)
    : path.join(storeDir, 'jobs')
}

const cache = new Map<string, Launcher>()

/**
 * The launcher for these settings and store folder (created once per process).
 *
 * @example
 * const launcher = launcherFor(launcherConfigOf(def, project), storeDir)
 */
export function launcherFor(config: LauncherConfig, storeDir: string, env: NodeJS.ProcessEnv = process.env): Launcher {
  const key = JSON.stringify([
    path.resolve(storeDir),
    config,
    env.RIVERS_GPUS ?? null,
    env.CUDA_VISIBLE_DEVICES ?? null,
    env.RIVERS_GPU_LOCK_DIR ?? null,
    env.PATH ?? null,
  ])
  let launcher = cache.get(key)
  if (launcher === undefined) {
    launcher = config.type === 'local' ? makeLocal(config, storeDir, env) : makeSlurm(config)
    cache.set(key, launcher)
  }
  return launcher
}

/**
 * Forgets every launcher (tests that change the environment between cases).
 *
 * @example
 * afterEach(() => resetLaunchers())
 */
export function resetLaunchers(): void {
  cache.clear()
}

function makeLocal(
  config: Extract<LauncherConfig, { type: 'local' }>,
  storeDir: string,
  env: NodeJS.ProcessEnv,
): LocalLauncher {
  const killGrace = config.killGrace === undefined ? undefined : parseDuration(config.killGrace)
  const poll = config.pollInterval === undefined ? undefined : parseDuration(config.pollInterval)
  return new LocalLauncher({
    env,
    lockDir: path.resolve(config.lockDir ?? env.RIVERS_GPU_LOCK_DIR ?? path.join(storeDir, 'locks', 'gpus')),
    ...(config.gpus !== undefined ? { gpus: config.gpus } : {}),
    ...(killGrace !== undefined ? { killGraceMs: killGrace } : {}),
    ...(poll !== undefined ? { pollIntervalMs: poll } : {}),
  })
}

function makeSlurm(config: Extract<LauncherConfig, { type: 'slurm' }>): SlurmLauncher {
  const { type: _type, pollInterval, jobsDir: _jobsDir, ...rest } = config
  const poll = pollInterval === undefined ? undefined : parseDuration(pollInterval)
  return new SlurmLauncher({ ...rest, ...(poll !== undefined ? { pollIntervalMs: poll } : {}) })
}
