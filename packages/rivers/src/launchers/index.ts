/**
 * Launchers: where jobs run. `local` (a GPU slot pool on this machine) and `slurm` (sbatch, here or
 * over SSH), behind one contract (`Launcher`), plus the executor's entry points `runJob` and
 * `validateLaunches`.
 *
 * @example
 * import { LocalLauncher } from '@rivers-orchestrator/rivers'
 * const local = new LocalLauncher({ gpus: '0,1' })
 * console.log((await local.inventory()).gpus)
 */
export {
  TERMINAL_STATES,
  isTerminal,
  type JobHandle,
  type JobSpec,
  type JobState,
  type JobStatus,
  type Launcher,
  type LaunchTarget,
  type Reservation,
  type ResourceRequest,
} from './types.js'
export { LocalLauncher, type LocalJobHandle, type LocalLauncherOptions } from './local.js'
export { SlurmLauncher, type SlurmJobHandle, type SlurmLauncherOptions } from './slurm.js'
export { detectGpus, parseGpuOverride, parseNvidiaSmi, type GpuInventory } from './gpu-inventory.js'
export { launcherConfigOf, launcherFor, resetLaunchers, usesLauncher } from './registry.js'
export { normalizeResources, describeRequest } from './resources.js'
export { runJob } from './run-job.js'
export { superviseJob, type SuperviseOptions, type SupervisedStatus } from './supervise.js'
export { validateLaunches } from './validate.js'
export { batchScript, sbatchOptions, slurmArgv, slurmTime } from './slurm-script.js'
export { mapSlurmState } from './slurm-parse.js'
