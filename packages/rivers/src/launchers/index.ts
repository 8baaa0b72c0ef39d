/**
 * Launchers: where jobs run. The contract (`Launcher`, `JobContext`), the registry launchers
 * register into by type, and the built-ins: `local` (a GPU slot pool on this machine) and `slurm`
 * (sbatch, here or over SSH).
 *
 * @example
 * import { LocalLauncher } from '@rivers-orchestrator/rivers/plugin'
 * const local = new LocalLauncher({ gpus: '0,1' })
 * console.log((await local.inventory()).gpus)
 */
export {
  TERMINAL_STATES,
  isTerminal,
  type JobContext,
  type JobHandle,
  type JobSpec,
  type JobState,
  type JobStatus,
  type JobStore,
  type Launcher,
  type LaunchTarget,
  type Reservation,
  type ResourceRequest,
} from './types.js'
export { LocalLauncher, type LocalJobHandle, type LocalLauncherOptions } from './local.js'
export { DEFAULT_MAX_REQUEUES, SlurmLauncher, type SlurmJobHandle, type SlurmLauncherOptions } from './slurm.js'
export { detectGpus, parseGpuOverride, parseNvidiaSmi, type GpuInventory } from './gpu-inventory.js'
export { GpuLocks, defaultGpuLockDir } from './gpu-locks.js'
export { CHECKPOINT_ENV, checkpointDir, prepareCheckpointDir, removeCheckpointDir } from './checkpoints.js'
export {
  RENDEZVOUS_PORT_BASE,
  RENDEZVOUS_PORT_SPAN,
  localRendezvous,
  rendezvousPort,
  slurmRendezvousLines,
  slurmTaskArgv,
} from './rendezvous.js'
export {
  hasLauncher,
  jobsDirOf,
  launcherConfigOf,
  launcherFor,
  registerLauncher,
  resetLaunchers,
  usesLauncher,
  type LauncherEnvironment,
  type LauncherFactory,
  type LauncherSettings,
} from './registry.js'
export { registerBuiltinLaunchers } from './builtins.js'
export { normalizeResources, describeRequest } from './resources.js'
export { superviseJob, type SuperviseOptions, type SupervisedStatus } from './supervise.js'
export { batchScript, sbatchOptions, slurmArgv, slurmTime } from './slurm-script.js'
export { mapSlurmState } from './slurm-parse.js'
