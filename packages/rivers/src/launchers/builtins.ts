/**
 * The built-in launchers, registered by type: `local` (a GPU slot pool on this machine) and `slurm`
 * (sbatch, here or over SSH).
 */
import path from 'node:path'

import { type LauncherConfig, parseDuration } from '../definitions/index.js'
import { defaultGpuLockDir } from './gpu-locks.js'
import { LocalLauncher } from './local.js'
import { hasLauncher, type LauncherEnvironment, type LauncherSettings, registerLauncher } from './registry.js'
import { SlurmLauncher } from './slurm.js'

/**
 * Registers `local` and `slurm` unless a launcher of that type is registered already (a plugin's
 * replacement wins).
 *
 * @example
 * registerBuiltinLaunchers()
 * launcherFor({ type: 'local' }, '.rivers')
 */
export function registerBuiltinLaunchers(): void {
  if (!hasLauncher('local')) registerLauncher('local', makeLocal)
  if (!hasLauncher('slurm')) registerLauncher('slurm', makeSlurm)
}

function makeLocal(settings: LauncherSettings, where: LauncherEnvironment): LocalLauncher {
  const config = settings as Extract<LauncherConfig, { type: 'local' }>
  const { env } = where
  const killGrace = config.killGrace === undefined ? undefined : parseDuration(config.killGrace)
  const poll = config.pollInterval === undefined ? undefined : parseDuration(config.pollInterval)
  return new LocalLauncher({
    env,
    lockDir: config.lockDir === undefined ? defaultGpuLockDir(env) : path.resolve(config.lockDir),
    ...(config.gpus !== undefined ? { gpus: config.gpus } : {}),
    ...(killGrace !== undefined ? { killGraceMs: killGrace } : {}),
    ...(poll !== undefined ? { pollIntervalMs: poll } : {}),
    ...(config.functions !== undefined ? { functions: config.functions } : {}),
  })
}

function makeSlurm(settings: LauncherSettings): SlurmLauncher {
  const { type: _type, pollInterval, ...rest } = settings as Extract<LauncherConfig, { type: 'slurm' }>
  const poll = pollInterval === undefined ? undefined : parseDuration(pollInterval)
  return new SlurmLauncher({ ...rest, ...(poll !== undefined ? { pollIntervalMs: poll } : {}) })
}
