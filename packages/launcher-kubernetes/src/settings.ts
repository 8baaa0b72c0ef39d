/**
 * The Kubernetes launcher's settings in a project (`launcher: { type: 'kubernetes', namespace,
 * image, … }`), checked field by field, and the options they become. The kubeconfig is the one
 * named (`kubeconfig`, `context`), else the default one (`KUBECONFIG`, `~/.kube/config`, or the
 * in-cluster service account when the orchestrator runs in a pod).
 */
import path from 'node:path'

import { parseDuration } from '@rivers-orchestrator/rivers'
import type { LauncherSettings } from '@rivers-orchestrator/rivers/plugin'

import { badSettings } from './errors.js'

/**
 * A volume every Job mounts at `mountPath`, the same path as in the orchestrator: the shared job
 * folder (protocol files, stderr, checkpoints) must be on one. Exactly one of `claimName` (a
 * PersistentVolumeClaim, ReadWriteMany) and `hostPath` (a folder of the node: single-node clusters).
 *
 * @example
 * const v: KubernetesVolume = { mountPath: '/shared', claimName: 'rivers-shared' }
 */
export interface KubernetesVolume {
  mountPath: string
  claimName?: string
  hostPath?: string
}

/** A toleration as the pod spec writes it. */
export interface KubernetesToleration {
  key?: string
  operator?: 'Exists' | 'Equal'
  value?: string
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'
  tolerationSeconds?: number
}

/**
 * Options of the Kubernetes launcher (what the settings become; durations in ms).
 *
 * @example
 * const o: KubernetesLauncherOptions = { namespace: 'ml', image: 'ghcr.io/acme/train:1.2', volumes: [{ mountPath: '/shared', claimName: 'rivers' }] }
 */
export interface KubernetesLauncherOptions {
  /** Where Jobs are created; else the kubeconfig context's namespace. */
  namespace?: string
  /** The container image every Job runs (it must have `/bin/sh`, and the tools the commands call). */
  image?: string
  /** A kubeconfig file; else the default one, else the in-cluster config. */
  kubeconfig?: string
  /** A context of the kubeconfig; else its current context. */
  context?: string
  nodeSelector?: Record<string, string>
  tolerations?: KubernetesToleration[]
  serviceAccountName?: string
  imagePullSecrets?: string[]
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never'
  volumes?: KubernetesVolume[]
  /** Variables every Job gets (the asset's `env` and the job protocol's win). */
  env?: Record<string, string>
  /** `ttlSecondsAfterFinished` of each Job, in ms (rounded up to seconds); default: the cluster's. */
  ttlMs?: number
  /** The extended resource a GPU is (default `nvidia.com/gpu`). */
  gpuResource?: string
  /** The node label `resources.gpuType` selects on (default `nvidia.com/gpu.product`, GPU feature discovery's). */
  gpuTypeLabel?: string
  /** The container's working folder; default the asset's `cwd`. */
  workingDir?: string
  /** Where job folders go (on a volume); default `<store>/jobs`. */
  jobsDir?: string
  /** How often the Job, its pod and its log are read (default 1 s). */
  pollIntervalMs?: number
  /** Whether `validate` compares a request with the nodes' allocatable resources (default true; needs `list nodes`). */
  checkResources?: boolean
  /** Keep waiting for a pod the scheduler says no node can take (an autoscaling cluster); default false: fail it. */
  waitUnschedulable?: boolean
}

/**
 * The settings a project writes (durations as `'1h'` or milliseconds).
 *
 * @example
 * const s: KubernetesLauncherSettings = { type: 'kubernetes', namespace: 'ml', image: 'ghcr.io/acme/train:1.2', ttl: '1d' }
 */
export type KubernetesLauncherSettings = {
  type: 'kubernetes'
  ttl?: string | number
  pollInterval?: string | number
} & Omit<KubernetesLauncherOptions, 'ttlMs' | 'pollIntervalMs'>

const STRINGS = [
  'namespace',
  'image',
  'kubeconfig',
  'context',
  'serviceAccountName',
  'gpuResource',
  'gpuTypeLabel',
  'workingDir',
  'jobsDir',
] as const
const FIELDS = [
  'type',
  ...STRINGS,
  'nodeSelector',
  'tolerations',
  'imagePullSecrets',
  'imagePullPolicy',
  'volumes',
  'env',
  'ttl',
  'pollInterval',
  'checkResources',
  'waitUnschedulable',
]

/**
 * The launcher options of a project's settings (relative paths resolved against `cwd`).
 *
 * @example
 * kubernetesOptions({ type: 'kubernetes', namespace: 'ml', image: 'busybox:1.36', ttl: '1h' }) // { namespace: 'ml', image: 'busybox:1.36', ttlMs: 3600000 }
 */
export function kubernetesOptions(settings: LauncherSettings, cwd = process.cwd()): KubernetesLauncherOptions {
  const unknown = Object.keys(settings).filter((k) => !FIELDS.includes(k))
  if (unknown.length > 0)
    throw badSettings(
      unknown.join(', '),
      'is not a known field',
      `use only ${FIELDS.filter((f) => f !== 'type').join(', ')}`,
    )
  const s = settings as Record<string, unknown>
  const out: KubernetesLauncherOptions = {}
  for (const f of STRINGS) {
    if (s[f] === undefined) continue
    if (typeof s[f] !== 'string' || s[f] === '')
      throw badSettings(f, `must be a non-empty string, not ${JSON.stringify(s[f])}`, `write e.g. ${f}: '…'`)
    out[f] = s[f]
  }
  if (out.kubeconfig !== undefined) out.kubeconfig = path.resolve(cwd, out.kubeconfig)
  if (out.jobsDir !== undefined) out.jobsDir = path.resolve(cwd, out.jobsDir)
  const record = (f: 'nodeSelector' | 'env'): void => {
    const v = s[f]
    if (v === undefined) return
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))
      throw badSettings(f, 'must be an object of strings', `write e.g. ${f}: { name: 'value' }`)
    out[f] = v as Record<string, string>
  }
  record('nodeSelector')
  record('env')
  if (s.tolerations !== undefined) {
    if (!Array.isArray(s.tolerations) || s.tolerations.some((t) => typeof t !== 'object' || t === null))
      throw badSettings(
        'tolerations',
        'must be a list of tolerations',
        "write e.g. [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]",
      )
    out.tolerations = s.tolerations as KubernetesToleration[]
  }
  if (s.imagePullSecrets !== undefined) {
    if (!Array.isArray(s.imagePullSecrets) || s.imagePullSecrets.some((x) => typeof x !== 'string'))
      throw badSettings('imagePullSecrets', 'must be a list of secret names', "write e.g. ['regcred']")
    out.imagePullSecrets = s.imagePullSecrets as string[]
  }
  if (s.imagePullPolicy !== undefined) {
    if (!['Always', 'IfNotPresent', 'Never'].includes(s.imagePullPolicy as string))
      throw badSettings(
        'imagePullPolicy',
        `is ${JSON.stringify(s.imagePullPolicy)}`,
        "use 'Always', 'IfNotPresent' or 'Never'",
      )
    out.imagePullPolicy = s.imagePullPolicy as 'Always'
  }
  if (s.volumes !== undefined) out.volumes = volumes(s.volumes, cwd)
  for (const [f, to] of [
    ['ttl', 'ttlMs'],
    ['pollInterval', 'pollIntervalMs'],
  ] as const) {
    if (s[f] === undefined) continue
    const ms = parseDuration(s[f] as string | number)
    if (ms === undefined)
      throw badSettings(f, `${JSON.stringify(s[f])} is not a duration`, "write e.g. '500ms', '1h' or '1d'")
    out[to] = ms
  }
  for (const f of ['checkResources', 'waitUnschedulable'] as const) {
    if (s[f] === undefined) continue
    if (typeof s[f] !== 'boolean')
      throw badSettings(f, `must be true or false, not ${JSON.stringify(s[f])}`, `write ${f}: true`)
    out[f] = s[f]
  }
  return out
}

function volumes(v: unknown, cwd: string): KubernetesVolume[] {
  const fix =
    "write e.g. volumes: [{ mountPath: '/shared', claimName: 'rivers-shared' }] (or hostPath: '/shared' on a one-node cluster)"
  if (!Array.isArray(v)) throw badSettings('volumes', 'must be a list', fix)
  return v.map((x: unknown, i) => {
    const o = x as Record<string, unknown>
    if (typeof o !== 'object' || o === null || typeof o.mountPath !== 'string' || !path.isAbsolute(o.mountPath))
      throw badSettings(`volumes[${i}].mountPath`, 'must be an absolute path', fix)
    const claim = typeof o.claimName === 'string' && o.claimName !== ''
    const host = typeof o.hostPath === 'string' && o.hostPath !== ''
    if (claim === host) throw badSettings(`volumes[${i}]`, 'needs exactly one of claimName and hostPath', fix)
    const out: KubernetesVolume = { mountPath: path.resolve(cwd, o.mountPath) }
    if (claim) out.claimName = o.claimName as string
    else out.hostPath = path.resolve(cwd, o.hostPath as string)
    return out
  })
}
