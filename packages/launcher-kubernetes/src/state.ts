/**
 * A Job and its pod mapped onto Rivers' job states (`JobStatus`):
 * - `Complete` → succeeded; `Failed` with `DeadlineExceeded` (the asset's `timeLimit`, as
 *   `activeDeadlineSeconds`) → timeout; otherwise from the pod: the container killed as
 *   `OOMKilled` → oom; a pod evicted or disrupted (`Evicted`, `DisruptionTarget` by preemption,
 *   eviction or kubelet pressure) → preempted, as Slurm's preemption; a pod deleted because its node
 *   went away (`DeletionByTaintManager`, `DeletionByPodGC`) → node_fail; else failed with the
 *   container's exit code.
 * - a pod that cannot start: `ImagePullBackOff`, `InvalidImageName`, or `ErrImagePull` saying the
 *   image is not there or not allowed (naming the image; a first `ErrImagePull` otherwise waits for the
 *   kubelet's retry)
 *   and `CreateContainerConfigError` never start (the supervisor deletes the Job, the asset fails with
 *   that reason); `Unschedulable` is pending with the scheduler's message, and never starts when the
 *   scheduler says preemption cannot help (no node could ever take it) unless the settings wait.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node'
import type { JobStatus } from '@rivers-orchestrator/rivers/plugin'

import { CONTAINER } from './manifest.js'

const IMAGE_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull'])
/** A first pull error that retrying cannot fix (else the kubelet's retry is waited for: a registry hiccup). */
const PULL_FINAL = /not found|manifest unknown|unauthorized|denied|no such host|repository does not exist/i
const PREEMPTION = new Set([
  'PreemptionByScheduler',
  'PreemptionByKubeScheduler',
  'EvictionByEvictionAPI',
  'TerminationByKubelet',
])
const NODE_GONE = new Set(['DeletionByTaintManager', 'DeletionByPodGC'])

/**
 * The Rivers status of a Job, from its conditions and its (newest) pod.
 *
 * @example
 * mapKubernetesJob({ status: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] } }, undefined)
 * // { state: 'timeout', reason: 'DeadlineExceeded: …' }
 */
export function mapKubernetesJob(
  job: V1Job,
  pod: V1Pod | undefined,
  options: { waitUnschedulable?: boolean } = {},
): JobStatus {
  const conditions = job.status?.conditions ?? []
  const is = (type: string) => conditions.find((c) => c.type === type && c.status === 'True')
  const statuses = pod?.status?.containerStatuses ?? []
  const container = statuses.find((c) => c.name === CONTAINER) ?? statuses[0]
  const terminated = container?.state?.terminated
  const s: JobStatus = { state: 'pending' }
  const started = container?.state?.running?.startedAt ?? terminated?.startedAt
  if (started !== undefined) s.startedAt = new Date(started)
  if (pod?.spec?.nodeName !== undefined) s.nodes = pod.spec.nodeName
  const finished = (): JobStatus => {
    const at = terminated?.finishedAt ?? job.status?.completionTime
    if (at !== undefined) s.finishedAt = new Date(at)
    return s
  }
  const complete = is('Complete') ?? is('SuccessCriteriaMet')
  if (complete !== undefined || pod?.status?.phase === 'Succeeded') {
    s.state = 'succeeded'
    s.exitCode = terminated?.exitCode ?? 0
    return finished()
  }
  const failed = is('Failed') ?? is('FailureTarget')
  if (failed?.reason === 'DeadlineExceeded') {
    s.state = 'timeout'
    s.reason = `DeadlineExceeded: ${failed.message ?? 'the Job ran past activeDeadlineSeconds'} (the asset's resources.timeLimit)`
    if (terminated?.exitCode !== undefined) s.exitCode = terminated.exitCode
    return finished()
  }
  if (failed !== undefined || pod?.status?.phase === 'Failed') {
    const disruption = pod?.status?.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True')
    const why = (r: string | undefined, m: string | undefined) =>
      [r, m].filter((x) => x !== undefined && x !== '').join(': ')
    s.state = 'failed'
    if (terminated?.exitCode !== undefined) s.exitCode = terminated.exitCode
    if (terminated?.reason === 'OOMKilled') {
      s.state = 'oom'
      s.reason = `OOMKilled: the container went over its memory limit${limitOf(pod)} (exit ${terminated.exitCode})`
    } else if (disruption !== undefined && NODE_GONE.has(disruption.reason ?? '')) {
      s.state = 'node_fail'
      s.reason = why(disruption.reason, disruption.message)
    } else if (
      pod?.status?.reason === 'Evicted' ||
      pod?.status?.reason === 'Preempting' ||
      (disruption !== undefined && PREEMPTION.has(disruption.reason ?? ''))
    ) {
      s.state = 'preempted'
      s.reason =
        disruption !== undefined
          ? why(disruption.reason, disruption.message)
          : why(pod?.status?.reason, pod?.status?.message)
    } else {
      s.reason =
        terminated !== undefined
          ? why(
              terminated.reason ?? 'Error',
              `the container exited with code ${terminated.exitCode}${terminated.message ? ` (${terminated.message.trim()})` : ''}`,
            )
          : why(failed?.reason ?? pod?.status?.reason, failed?.message ?? pod?.status?.message)
    }
    return finished()
  }
  if (container?.state?.running !== undefined || pod?.status?.phase === 'Running') {
    s.state = 'running'
    return s
  }
  const waiting = container?.state?.waiting
  if (
    waiting?.reason !== undefined &&
    IMAGE_REASONS.has(waiting.reason) &&
    (waiting.reason !== 'ErrImagePull' || PULL_FINAL.test(waiting.message ?? ''))
  ) {
    const image = container?.image ?? pod?.spec?.containers.find((c) => c.name === CONTAINER)?.image ?? '?'
    s.neverStarts = true
    s.reason = `the image '${image}' could not be pulled (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}); check launcher.image and launcher.imagePullSecrets`
    return s
  }
  if (waiting?.reason === 'CreateContainerConfigError' || waiting?.reason === 'CreateContainerError') {
    s.neverStarts = true
    s.reason = `${waiting.reason}: ${waiting.message ?? 'the container could not be created'}`
    return s
  }
  const scheduled = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')
  if (scheduled?.reason === 'Unschedulable') {
    s.reason = `Unschedulable: ${scheduled.message ?? 'no node can take the pod'}`
    if (options.waitUnschedulable !== true && /preemption is not helpful/i.test(scheduled.message ?? ''))
      s.neverStarts = true
    return s
  }
  if (waiting?.reason !== undefined) s.reason = `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`
  else if (pod === undefined) s.reason = 'the Job has no pod yet'
  return s
}

function limitOf(pod: V1Pod | undefined): string {
  const m = pod?.spec?.containers.find((c) => c.name === CONTAINER)?.resources?.limits?.memory
  return m === undefined ? '' : ` (${m})`
}

/** The annotation the Job controller puts on each pod of an Indexed Job. */
const INDEX = 'batch.kubernetes.io/job-completion-index'

/**
 * The pod whose state stands for the Job's: a failed one (its exit code, its OOM), else one that
 * cannot start (image, scheduling), else pod 0, else the newest.
 *
 * @example
 * mapKubernetesJob(job, representativePod(await client.pods(name)))
 */
export function representativePod(pods: readonly V1Pod[]): V1Pod | undefined {
  const failed = pods.find((p) => p.status?.phase === 'Failed')
  if (failed !== undefined) return failed
  const stuck = pods.find((p) => {
    const waiting = p.status?.containerStatuses?.[0]?.state?.waiting?.reason
    const unscheduled = p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable')
    return (
      unscheduled === true ||
      (waiting !== undefined && (IMAGE_REASONS.has(waiting) || waiting.startsWith('CreateContainer')))
    )
  })
  return stuck ?? firstPod(pods)
}

/**
 * Pod 0 of an Indexed Job (rank 0, whose log is streamed), else the newest pod.
 *
 * @example
 * const pod = firstPod(await client.pods(name))
 */
export function firstPod(pods: readonly V1Pod[]): V1Pod | undefined {
  return pods.find((p) => p.metadata?.annotations?.[INDEX] === '0') ?? pods[0]
}
