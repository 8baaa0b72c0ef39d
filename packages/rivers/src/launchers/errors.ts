/**
 * Every error the launchers raise, one constructor per kind. Messages name the asset, the launcher
 * and the limit at fault, and say how to fix it. Requests refused before a run are exit 2; jobs
 * that fail while running make their asset fail (exit 1).
 */
import { RiversError } from '../errors.js'
import type { JobState } from './types.js'

/**
 * A request that can never be scheduled: more than the launcher has (GPUs, CPUs, memory, nodes, time).
 *
 * @example
 * throw unschedulable('model', 'local', 'asks for 4 GPUs', 'this machine has 2 (nvidia-smi)', 'lower resources.gpus to at most 2, or use the slurm launcher')
 */
export function unschedulable(
  assetKey: string,
  launcher: string,
  asks: string,
  limit: string,
  fix: string,
): RiversError {
  return new RiversError(
    'RIVERS_UNSCHEDULABLE',
    `Asset '${assetKey}' ${asks}, but ${limit}: the ${launcher} launcher can never run it.\nFix: ${fix}.`,
  )
}

/**
 * A field of the request this launcher cannot honour (it never ignores one).
 *
 * @example
 * throw cannotHonour('model', 'local', 'resources.nodes', 'nodes: 4 asks for a multi-node job, and the local launcher runs on this machine only', "use launcher: 'slurm'")
 */
export function cannotHonour(assetKey: string, launcher: string, field: string, why: string, fix: string): RiversError {
  return new RiversError(
    'RIVERS_LAUNCHER_UNSUPPORTED',
    `Asset '${assetKey}': the ${launcher} launcher cannot honour ${field}: ${why}.\nFix: ${fix}.`,
  )
}

/**
 * The launcher's cluster cannot be reached or queried (sinfo fails, ssh fails).
 *
 * @example
 * throw launcherUnavailable('slurm', ['model'], '`sinfo` could not start: spawn sinfo ENOENT', 'install the Slurm client tools, or set launcher.ssh to submit through a login node')
 */
export function launcherUnavailable(
  launcher: string,
  assetKeys: readonly string[],
  detail: string,
  fix: string,
): RiversError {
  const who = assetKeys.length === 0 ? '' : ` (needed by ${assetKeys.map((k) => `'${k}'`).join(', ')})`
  return new RiversError(
    'RIVERS_LAUNCHER_UNAVAILABLE',
    `The ${launcher} launcher is not usable${who}: ${detail}.\nFix: ${fix}.`,
  )
}

/**
 * Submitting the job failed. `settings` names the launcher settings to check (Slurm's by default).
 *
 * @example
 * throw submitFailed('model', 'slurm', '`sbatch --parsable job.sbatch` exited with 1: Invalid account')
 */
export function submitFailed(
  assetKey: string,
  launcher: string,
  detail: string,
  settings = 'partition, account, qos',
): RiversError {
  return new RiversError(
    'RIVERS_JOB_SUBMIT',
    `The ${launcher} launcher could not submit the job of asset '${assetKey}': ${detail}.\nFix: check the launcher settings (${settings}) and the job's resources.`,
    { exitCode: 1 },
  )
}

const ENDED: Record<Exclude<JobState, 'pending' | 'running' | 'succeeded'>, string> = {
  failed: 'failed',
  cancelled: 'was cancelled',
  timeout: 'hit its time limit',
  oom: 'ran out of memory',
  node_fail: 'lost its node',
  preempted: 'was preempted',
}

const ENDED_FIX: Record<keyof typeof ENDED, string> = {
  failed: "read the job's output above (or the files in its folder) and fix the command",
  cancelled: 'run it again; it was stopped from outside Rivers, or by a cancelled run',
  timeout: 'raise resources.timeLimit, or make the job faster',
  oom: 'raise resources.memory, or make the job use less',
  node_fail: 'run it again (the node failed, not the job)',
  preempted: 'run it again, or use a partition/QOS that is not preempted',
}

/**
 * A job ended without succeeding.
 *
 * @example
 * throw jobEnded('model', 'local', '12345', 'failed', 3, undefined, 'Traceback … ValueError: bad input', '/s/jobs/r1/model/attempt-1')
 */
export function jobEnded(
  assetKey: string,
  launcher: string,
  jobId: string,
  state: keyof typeof ENDED,
  exitCode: number | undefined,
  reason: string | undefined,
  stderrTail: string,
  jobDir: string,
): RiversError {
  const code = exitCode === undefined ? '' : ` with exit code ${exitCode}`
  const why = reason === undefined || reason === '' ? '' : ` (${reason})`
  const tail =
    stderrTail.trim() === ''
      ? ''
      : `\nLast lines of its stderr:\n${stderrTail
          .trimEnd()
          .split('\n')
          .map((l) => `  | ${l}`)
          .join('\n')}`
  return new RiversError(
    state === 'timeout' ? 'RIVERS_JOB_TIMEOUT' : state === 'cancelled' ? 'RIVERS_JOB_CANCELLED' : 'RIVERS_JOB_FAILED',
    `The job of asset '${assetKey}' (${launcher} job ${jobId}) ${ENDED[state]}${code}${why}.${tail}\nIts files: ${jobDir}\nFix: ${ENDED_FIX[state]}.`,
    { exitCode: 1 },
  )
}

/**
 * No launcher is registered for a type.
 *
 * @example
 * throw unknownLauncher('ray', ['local', 'slurm'])
 */
export function unknownLauncher(type: string, registered: readonly string[]): RiversError {
  return new RiversError(
    'RIVERS_UNKNOWN_LAUNCHER',
    `no launcher of type '${type}' is registered (registered: ${registered.length === 0 ? 'none' : registered.join(', ')}): ` +
      'import the plugin that provides it and register it before opening the workspace, or use one of the registered types',
  )
}

/**
 * A command function returned something else than a non-empty array of strings.
 *
 * @example
 * throw badCommand('model', 'a string ("python train.py")')
 */
export function badCommand(assetKey: string, got: string): RiversError {
  return new RiversError(
    'RIVERS_BAD_COMMAND',
    `The command function of asset '${assetKey}' returned ${got}.\nFix: return the program and its arguments as an array of strings, e.g. ['python', 'train.py'].`,
    { exitCode: 1 },
  )
}

/**
 * `RIVERS_GPUS` (or the launcher's `gpus` setting) is not a GPU list.
 *
 * @example
 * throw badGpuOverride('RIVERS_GPUS', 'all')
 */
export function badGpuOverride(from: string, text: string): RiversError {
  return new RiversError(
    'RIVERS_BAD_GPU_LIST',
    `${from}=${JSON.stringify(text)} is not a GPU list.\nFix: use 'none', a count such as '2' (GPUs 0 and 1), indices such as '0,1', or one index with a comma ('3,').`,
  )
}
