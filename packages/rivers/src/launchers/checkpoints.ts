/**
 * Checkpoint folders of jobs: one per materialization (asset, partition, and the job's fingerprint:
 * code, config, inputs' data versions, command, launcher and request), handed to every attempt as
 * `RIVERS_CHECKPOINT_DIR`. Retries, requeues after a preemption and a restarted orchestrator all see
 * the same folder, so a training job resumes from its last checkpoint; a change of code or inputs
 * starts a fresh one. Removed once the job has succeeded.
 *
 * The folder lives beside the job folders (`<jobsDir>/checkpoints/...`), so on a cluster it is on
 * the storage the nodes share.
 */
import { mkdirSync, rmSync, rmdirSync } from 'node:fs'
import path from 'node:path'

/** The job protocol's variable naming the checkpoint folder. */
export const CHECKPOINT_ENV = 'RIVERS_CHECKPOINT_DIR'

/**
 * The checkpoint folder of one materialization:
 * `<jobsDir>/checkpoints/<asset key path>/<partition or '_'>/<fingerprint>`. Pure: the same
 * arguments always give the same folder, whatever the run or attempt.
 *
 * @example
 * checkpointDir('/p/.rivers/jobs', 'model/torch', '2024-01-05', 'ab12')
 * // '/p/.rivers/jobs/checkpoints/model/torch/2024-01-05/ab12'
 */
export function checkpointDir(
  jobsDir: string,
  assetKey: string,
  partition: string | undefined,
  fingerprint: string,
): string {
  const part = partition === undefined ? '_' : encodeURIComponent(partition)
  return path.join(path.resolve(jobsDir), 'checkpoints', ...assetKey.split('/'), part, fingerprint)
}

/**
 * Creates the folder if missing (keeping what an earlier attempt left in it) and returns it.
 *
 * @example
 * const env = { RIVERS_CHECKPOINT_DIR: prepareCheckpointDir(checkpointDir(jobsDir, 'model', undefined, fp)) }
 */
export function prepareCheckpointDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

/**
 * Removes a checkpoint folder once its materialization succeeded (a missing folder is fine), and
 * the parent folders this left empty, up to `checkpoints/`.
 *
 * @example
 * removeCheckpointDir('/p/.rivers/jobs/checkpoints/model/_/ab12')
 */
export function removeCheckpointDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  for (let d = path.dirname(dir); path.basename(d) !== 'checkpoints' && d !== path.dirname(d); d = path.dirname(d)) {
    try {
      rmdirSync(d) // refuses a folder that is not empty (another partition or fingerprint): stop there
    } catch {
      return
    }
  }
}
