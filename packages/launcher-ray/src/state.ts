/**
 * Ray's job states mapped onto Rivers' (`JobStatus`): PENDING and RUNNING as they are, SUCCEEDED,
 * STOPPED as cancelled, FAILED as failed with the entrypoint's exit code, as timeout when the
 * `timeout` wrapper ended it at the asset's time limit (exit 124), and as node_fail when Ray lost the
 * job's supervisor (its node died). The reason is Ray's own message (its first line).
 */
import type { JobStatus } from '@rivers-orchestrator/rivers/plugin'

import type { RayJobDetails } from './client.js'

/** Exit status of `timeout(1)` when the time limit passed. */
const TIMEOUT_EXIT = 124

/**
 * The Rivers status of a Ray job.
 *
 * @example
 * mapRayJob({ submission_id: 'x', status: 'FAILED', driver_exit_code: 3, message: 'Job entrypoint command failed with exit code 3' })
 * // { state: 'failed', exitCode: 3, reason: 'FAILED: Job entrypoint command failed with exit code 3' }
 */
export function mapRayJob(job: RayJobDetails, options: { timeLimitMs?: number } = {}): JobStatus {
  const message = (job.message ?? '').split('\n')[0]!.trim()
  const s: JobStatus = { state: 'pending' }
  if (job.start_time != null && job.status !== 'PENDING') s.startedAt = new Date(job.start_time)
  switch (job.status) {
    case 'PENDING':
      if (message !== '') s.reason = message
      return s
    case 'RUNNING':
      s.state = 'running'
      return s
    case 'SUCCEEDED':
      s.state = 'succeeded'
      s.exitCode = job.driver_exit_code ?? 0
      break
    case 'STOPPED':
      s.state = 'cancelled'
      if (job.driver_exit_code != null) s.exitCode = job.driver_exit_code
      break
    case 'FAILED':
      s.state = 'failed'
      if (job.driver_exit_code != null) s.exitCode = job.driver_exit_code
      if (options.timeLimitMs !== undefined && job.driver_exit_code === TIMEOUT_EXIT) s.state = 'timeout'
      else if (job.driver_exit_code == null && /actor died|node .*(died|dead)|NodeDiedError/i.test(message))
        s.state = 'node_fail'
      break
    default:
      s.state = 'failed'
  }
  s.reason = message === '' ? job.status : `${job.status}: ${message}`
  if (s.state === 'timeout') s.reason = `${s.reason} (stopped by timeout(1) at the asset's resources.timeLimit)`
  if (job.end_time != null) s.finishedAt = new Date(job.end_time)
  return s
}
