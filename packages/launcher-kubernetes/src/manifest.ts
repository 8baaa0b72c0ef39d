/**
 * What a Rivers job becomes in Kubernetes: a `batch/v1` Job named after the run, asset and attempt
 * (a DNS-1123 label of at most 63 characters, with a hash of everything that makes it unique), with
 * one pod that never restarts (`backoffLimit: 0`, `restartPolicy: Never`: Rivers' retry policy owns
 * retries), the job's command and environment, resources mapped from the asset's request, and the
 * shared volumes mounted where the orchestrator sees them.
 */
import { createHash } from 'node:crypto'
import path from 'node:path'

import type { V1Job, V1ResourceRequirements } from '@kubernetes/client-node'
import type { JobSpec, ResourceRequest } from '@rivers-orchestrator/rivers/plugin'

import { INDEX_ROOM, indexedRendezvous, makeIndexed, masterPort, RANKS } from './indexed.js'
import { LABEL_PREFIX } from './labels.js'
import type { KubernetesLauncherOptions } from './settings.js'

export { LABEL_PREFIX }

/** The container's name in every Job's pod. */
export const CONTAINER = 'job'
const MAX_NAME = 63
/**
 * What the container runs before the command: the protocol clients on `PYTHONPATH` (as Slurm's
 * script and Ray's entrypoint do), stderr appended to the job folder's file (`$0`).
 */
export const WRAPPER =
  'if [ -n "$RIVERS_CLIENTS" ]; then export PYTHONPATH="$RIVERS_CLIENTS${PYTHONPATH:+:$PYTHONPATH}"; fi; exec "$@" 2>>"$0"'

/**
 * A DNS-1123 label from free text: lowercase letters, digits and `-`, starting and ending with a
 * letter or digit, at most `max` characters (may be empty).
 *
 * @example
 * dnsLabel('Model/Torch_v2', 20) // 'model-torch-v2'
 */
export function dnsLabel(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '')
}

/**
 * The Job's name: `rivers-<run>-<asset>-a<attempt>-<hash>`, the run and asset parts shortened so
 * the whole is at most `max` characters (63; less for an Indexed Job, whose pods add `-<index>`); the hash (of run, asset, attempt and job folder, which holds
 * the partition) keeps two jobs apart whatever was cut.
 *
 * @example
 * jobName('01J9Z3K4RUN', 'model/torch', 2, '/shared/jobs/01J9Z3K4RUN/model/torch/2') // 'rivers-01j9z3k4run-model-torch-a2-…'
 */
export function jobName(runId: string, assetKey: string, attempt: number, jobDir: string, max = MAX_NAME): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([runId, assetKey, attempt, jobDir]))
    .digest('hex')
    .slice(0, 10)
  const tail = `-a${attempt}-${hash}`
  const run = dnsLabel(runId, 12)
  const room = max - 'rivers-'.length - run.length - 1 - tail.length
  const asset = dnsLabel(assetKey, Math.max(room, 0))
  return ['rivers', run, asset].filter((p) => p !== '').join('-') + tail
}

/**
 * A label value (at most 63 characters of `[A-Za-z0-9._-]`, alphanumeric at both ends).
 *
 * @example
 * labelValue('model/torch') // 'model.torch'
 */
export function labelValue(text: string): string {
  return text
    .replace(/\//g, '.')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63)
    .replace(/[^A-Za-z0-9]+$/, '')
}

/**
 * The pod's resources: `cpus` as cpu requests and limits, memory as memory requests and limits,
 * GPUs as limits of the GPU resource (`nvidia.com/gpu`; requests follow limits for extended resources).
 *
 * @example
 * podResources({ nodes: 1, gpusPerNode: 2, cpus: 8, memoryBytes: 16 * 2 ** 30 }, {})
 * // { requests: { cpu: '8', memory: '16384Mi' }, limits: { cpu: '8', memory: '16384Mi', 'nvidia.com/gpu': '2' } }
 */
export function podResources(request: ResourceRequest, options: KubernetesLauncherOptions): V1ResourceRequirements {
  const requests: Record<string, string> = {}
  const limits: Record<string, string> = {}
  if (request.cpus !== undefined) requests.cpu = limits.cpu = String(request.cpus)
  if (request.memoryBytes !== undefined) {
    const b = Math.ceil(request.memoryBytes)
    requests.memory = limits.memory = b % 2 ** 20 === 0 ? `${b / 2 ** 20}Mi` : String(b)
  }
  if (request.gpusPerNode > 0) limits[options.gpuResource ?? 'nvidia.com/gpu'] = String(request.gpusPerNode)
  const out: V1ResourceRequirements = {}
  if (Object.keys(requests).length > 0) out.requests = requests
  if (Object.keys(limits).length > 0) out.limits = limits
  return out
}

/**
 * The rendezvous of a job with several GPUs in its one pod (`MASTER_ADDR=127.0.0.1`, a
 * `MASTER_PORT` derived from the Job's name, `WORLD_SIZE`/`RANK`/`LOCAL_RANK` left to torchrun);
 * the job's own `env` wins. Empty with fewer than 2 GPUs.
 *
 * @example
 * podRendezvous(2, 'rivers-r1-model-a1-0badcafe00', {}) // { MASTER_ADDR: '127.0.0.1', MASTER_PORT: '…' }
 */
export function podRendezvous(
  gpus: number,
  name: string,
  env: Readonly<Record<string, string>>,
): Record<string, string> {
  if (gpus < 2) return {}
  const out: Record<string, string> = {}
  if (env.MASTER_ADDR === undefined) out.MASTER_ADDR = '127.0.0.1'
  if (env.MASTER_PORT === undefined) out.MASTER_PORT = String(masterPort(name))
  return out
}

/**
 * The volume (of the settings) a path lies on, if any.
 *
 * @example
 * volumeOf('/shared/jobs/r1', [{ mountPath: '/shared', claimName: 'rivers' }]) // { mountPath: '/shared', claimName: 'rivers' }
 */
export function volumeOf(
  file: string,
  volumes: KubernetesLauncherOptions['volumes'] = [],
): NonNullable<KubernetesLauncherOptions['volumes']>[number] | undefined {
  return volumes.find((v) => {
    const rel = path.relative(v.mountPath, file)
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
  })
}

/**
 * The Job for a Rivers job. The container runs `/bin/sh -c WRAPPER <stderr> <command…>`:
 * stdout is the pod's log (streamed into the run log by the launcher), stderr goes to the job
 * folder's file, which the supervisor follows.
 *
 * @example
 * const body = jobManifest(job, 1, { namespace: 'ml', image: 'python:3.12-slim' })
 * await batch.createNamespacedJob({ namespace: 'ml', body })
 */
export function jobManifest(
  job: JobSpec,
  attempt: number,
  options: KubernetesLauncherOptions & { image: string },
): V1Job {
  const nodes = job.request.nodes
  const name = jobName(job.runId, job.assetKey, attempt, job.jobDir, nodes > 1 ? MAX_NAME - INDEX_ROOM : MAX_NAME)
  const labels = {
    'app.kubernetes.io/managed-by': 'rivers',
    [`${LABEL_PREFIX}/run`]: labelValue(job.runId),
    [`${LABEL_PREFIX}/asset`]: labelValue(job.assetKey),
    [`${LABEL_PREFIX}/attempt`]: String(attempt),
  }
  const annotations = {
    [`${LABEL_PREFIX}/run`]: job.runId,
    [`${LABEL_PREFIX}/asset`]: job.assetKey,
    [`${LABEL_PREFIX}/job-dir`]: job.jobDir,
  }
  const rendezvous =
    nodes > 1 ? indexedRendezvous(nodes, name, job.env) : podRendezvous(job.request.gpusPerNode, name, job.env)
  const envs = { ...options.env, ...job.env, ...rendezvous }
  const nodeSelector = { ...options.nodeSelector }
  if (job.request.gpuType !== undefined && job.request.gpusPerNode > 0)
    nodeSelector[options.gpuTypeLabel ?? 'nvidia.com/gpu.product'] = job.request.gpuType
  const vols = options.volumes ?? []
  const podSpec: NonNullable<NonNullable<V1Job['spec']>['template']['spec']> = {
    restartPolicy: 'Never',
    containers: [
      {
        name: CONTAINER,
        image: options.image,
        command: ['/bin/sh', '-c', nodes > 1 ? RANKS + WRAPPER : WRAPPER, job.stderrPath, ...job.command],
        workingDir: options.workingDir ?? job.cwd,
        env: Object.entries(envs).map(([n, value]) => ({ name: n, value })),
        resources: podResources(job.request, options),
        ...(vols.length === 0
          ? {}
          : { volumeMounts: vols.map((v, i) => ({ name: `rivers-shared-${i}`, mountPath: v.mountPath })) }),
        ...(options.imagePullPolicy === undefined ? {} : { imagePullPolicy: options.imagePullPolicy }),
      },
    ],
  }
  if (Object.keys(nodeSelector).length > 0) podSpec.nodeSelector = nodeSelector
  if (options.tolerations !== undefined) podSpec.tolerations = options.tolerations
  if (options.serviceAccountName !== undefined) podSpec.serviceAccountName = options.serviceAccountName
  if (options.imagePullSecrets !== undefined)
    podSpec.imagePullSecrets = options.imagePullSecrets.map((n) => ({ name: n }))
  if (vols.length > 0)
    podSpec.volumes = vols.map((v, i) =>
      v.claimName !== undefined
        ? { name: `rivers-shared-${i}`, persistentVolumeClaim: { claimName: v.claimName } }
        : { name: `rivers-shared-${i}`, hostPath: { path: v.hostPath!, type: 'DirectoryOrCreate' } },
    )
  const spec: NonNullable<V1Job['spec']> = {
    backoffLimit: 0,
    template: { metadata: { labels: { ...labels, [`${LABEL_PREFIX}/job`]: name }, annotations }, spec: podSpec },
  }
  if (nodes > 1) makeIndexed(spec, podSpec, name, nodes)
  if (job.request.timeLimitMs !== undefined) spec.activeDeadlineSeconds = Math.ceil(job.request.timeLimitMs / 1000)
  if (options.ttlMs !== undefined) spec.ttlSecondsAfterFinished = Math.ceil(options.ttlMs / 1000)
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      labels,
      annotations,
    },
    spec,
  }
}
