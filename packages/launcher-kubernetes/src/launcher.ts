/**
 * The Kubernetes launcher: each Rivers job is a `batch/v1` Job (see `manifest.ts`). `validate`
 * refuses, before the run, what no Job of these settings can do (no image, no namespace, several
 * nodes, a request larger than every node); `submit` records the Job's name in the job folder and
 * creates it; `status` reads the Job and its pod, maps them (`state.ts`) and copies the pod's new
 * log lines into the job folder; `cancel` deletes the Job (propagation `Background`); `reattach`
 * finds it again by name, even from a provisional handle.
 *
 * The job folder (the job protocol's files, stderr, checkpoints) must be visible to the pod at the
 * same path: a volume of the settings (a ReadWriteMany claim, or a hostPath on a one-node cluster).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import type { KubeConfig, V1Job } from '@kubernetes/client-node'
import type {
  JobContext,
  JobHandle,
  JobSpec,
  JobStatus,
  Launcher,
  LaunchTarget,
  ResourceRequest,
} from '@rivers-orchestrator/rivers/plugin'

import { apiMessage, isStatus, KubeClient, loadKubeConfig } from './client.js'
import { badSettings, cannotHonour, kubeUnavailable, submitFailed } from './errors.js'
import { checkFit } from './fit.js'
import { copyNewLog } from './logs.js'
import { headlessService } from './indexed.js'
import { CONTAINER, jobManifest, volumeOf } from './manifest.js'
import type { KubernetesLauncherOptions } from './settings.js'
import { firstPod, mapKubernetesJob, representativePod } from './state.js'

/** The Kubernetes launcher's handle: the Job's name is its `id`. */
export interface KubernetesJobHandle extends JobHandle {
  launcher: 'kubernetes'
  namespace: string
}

/** Files in the job folder: the Job's name (written before it is created), and how it was stopped. */
const JOB_FILE = 'k8s-job.json'
const STOPPED_FILE = 'k8s-stopped.json'

/**
 * Creates and follows Kubernetes Jobs.
 *
 * @example
 * const k8s = new KubernetesLauncher({ namespace: 'ml', image: 'python:3.12-slim', volumes: [{ mountPath: '/shared', claimName: 'rivers' }] })
 * await k8s.validate({ nodes: 1, gpusPerNode: 1 }, { assetKey: 'model', kind: 'command' })
 */
export class KubernetesLauncher implements Launcher {
  readonly name = 'kubernetes'
  readonly pollIntervalMs: number
  readonly options: KubernetesLauncherOptions
  readonly jobsDir?: string
  #config: KubeConfig | undefined
  #client: KubeClient | undefined

  /** `kubeConfig` replaces the kubeconfig of the options (tests, programs that build their own). */
  constructor(options: KubernetesLauncherOptions = {}, kubeConfig?: KubeConfig) {
    this.options = options
    this.pollIntervalMs = options.pollIntervalMs ?? 1000
    if (options.jobsDir !== undefined) this.jobsDir = options.jobsDir
    this.#config = kubeConfig
  }

  /**
   * The client of the configured cluster and namespace (the kubeconfig is read on first use).
   *
   * @example
   * console.log(launcher.client(['model']).namespace)
   */
  client(assetKeys: readonly string[] = []): KubeClient {
    if (this.#client !== undefined) return this.#client
    const where = this.options.kubeconfig ?? 'the default kubeconfig'
    let kc: KubeConfig
    try {
      kc = this.#config ?? loadKubeConfig(this.options)
    } catch (e) {
      throw kubeUnavailable(`(${where})`, assetKeys, `cannot be configured: ${(e as Error).message}`)
    }
    const namespace = this.options.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace
    if (namespace === undefined) {
      const who = assetKeys.length === 0 ? '' : ` (needed by ${assetKeys.map((k) => `'${k}'`).join(', ')})`
      throw badSettings(
        'namespace',
        `is missing${who}, and the context of ${where} names none`,
        "set launcher.namespace, e.g. namespace: 'ml'",
      )
    }
    this.#client = new KubeClient(kc, namespace)
    return this.#client
  }

  async validate(request: ResourceRequest, target: LaunchTarget): Promise<void> {
    const key = target.assetKey
    if (this.options.image === undefined)
      throw badSettings(
        'image',
        `is missing (asset '${key}' runs as a Kubernetes Job, which needs a container image)`,
        "set launcher.image, e.g. image: 'ghcr.io/acme/train:1.2' (it must have /bin/sh and what the command needs)",
      )
    const client = this.client([key])
    if (this.options.checkResources === false) return
    let nodes: Awaited<ReturnType<KubeClient['nodes']>>
    try {
      nodes = await client.nodes()
    } catch (e) {
      if (isStatus(e, 403) || isStatus(e, 401)) return // no right to list nodes: the scheduler decides
      throw kubeUnavailable(client.server, [key], `could not list the cluster's nodes: ${apiMessage(e)}`)
    }
    checkFit(request, key, nodes, client.server, this.options)
  }

  async submit(job: JobSpec, ctx: JobContext): Promise<KubernetesJobHandle> {
    const image = this.options.image
    if (image === undefined)
      throw badSettings('image', `is missing (asset '${job.assetKey}' runs as a Kubernetes Job)`, 'set launcher.image')
    if (this.options.volumes !== undefined && volumeOf(job.jobDir, this.options.volumes) === undefined)
      throw cannotHonour(
        job.assetKey,
        `its job folder ${job.jobDir}`,
        `it is on none of launcher.volumes (${this.options.volumes.map((v) => v.mountPath).join(', ')}), so the pod could not read its inputs nor write its output`,
        'set launcher.jobsDir to a folder under one of the volumes, or put the store on one',
      )
    const client = this.client([job.assetKey])
    mkdirSync(job.jobDir, { recursive: true })
    const body = jobManifest(withClients(job), ctx.attempt, { ...this.options, image, namespace: client.namespace })
    const name = body.metadata!.name!
    // Before the Job exists: a restarted orchestrator holding only the provisional handle finds it by this.
    writeFileSync(path.join(job.jobDir, JOB_FILE), JSON.stringify({ name, namespace: client.namespace }))
    let created: V1Job | undefined
    try {
      created = await client.create(body)
    } catch (e) {
      if (isStatus(e, 409)) created = await client.job(name).catch(() => undefined)
      if (created === undefined)
        throw e instanceof Error && 'code' in e
          ? submitFailed(job.assetKey, apiMessage(e))
          : kubeUnavailable(client.server, [job.assetKey], apiMessage(e))
      ctx.log.info({ job: name }, `kubernetes job ${name} already exists for this attempt; following it`)
    }
    if (job.request.nodes > 1) await this.#service(client, job.assetKey, created, body)
    const handle: KubernetesJobHandle = {
      launcher: 'kubernetes',
      id: name,
      namespace: client.namespace,
      jobDir: job.jobDir,
      stdoutPath: job.stdoutPath,
      stderrPath: job.stderrPath,
      submittedAt: new Date().toISOString(),
    }
    await ctx.jobs.saveHandle(handle)
    return handle
  }

  /** The headless Service of a multi-node Job (owned by the Job); the Job is deleted if it cannot be made. */
  async #service(client: KubeClient, assetKey: string, created: V1Job, body: V1Job): Promise<void> {
    const name = body.metadata!.name!
    try {
      await client.createService(headlessService(name, created.metadata?.uid ?? '', body.metadata!.labels ?? {}))
    } catch (e) {
      if (isStatus(e, 409)) return
      await client.delete(name).catch(() => undefined)
      throw submitFailed(
        assetKey,
        `the headless Service ${name} its ${body.spec?.completions} pods find each other by could not be created (${apiMessage(e)}); the Job was deleted`,
      )
    }
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    const client = this.client()
    const job = await client.job(handle.id)
    const stopped = readJson<{ why?: string; reason?: string }>(path.join(handle.jobDir, STOPPED_FILE))
    if (job === undefined || (job.metadata?.deletionTimestamp !== undefined && stopped !== undefined)) {
      if (stopped?.reason !== undefined) return { state: 'failed', reason: stopped.reason }
      if (stopped !== undefined)
        return {
          state: stopped.why === 'timeout' ? 'timeout' : 'cancelled',
          reason: `the Job ${handle.id} was deleted`,
        }
      return {
        state: 'failed',
        reason: `Kubernetes no longer knows Job ${handle.id} (it was deleted, or removed after ttlSecondsAfterFinished)`,
      }
    }
    const pods = await client.pods(handle.id)
    const status = mapKubernetesJob(job, representativePod(pods), this.options)
    // The supervisor deletes a Job that never starts: remember why, to report it as the failure.
    if (status.neverStarts === true)
      writeFileSync(path.join(handle.jobDir, STOPPED_FILE), JSON.stringify({ reason: status.reason }))
    const podName = firstPod(pods)?.metadata?.name
    if (status.state !== 'pending' && podName !== undefined) {
      // Best effort: a log the API cannot serve right now is copied at the next poll (the cursor is kept).
      await copyNewLog(
        (since) => client.log(podName, CONTAINER, since),
        handle.stdoutPath,
        status.state !== 'running',
      ).catch(() => undefined)
    }
    return status
  }

  async cancel(handle: JobHandle, why: 'cancelled' | 'timeout' = 'cancelled'): Promise<void> {
    const file = path.join(handle.jobDir, STOPPED_FILE)
    if (readJson(file) === undefined) writeFileSync(file, JSON.stringify({ why }))
    const client = this.client()
    try {
      await client.delete(handle.id)
    } catch (e) {
      throw kubeUnavailable(
        client.server,
        [],
        `could not delete Job ${handle.id}: ${apiMessage(e)}; delete it yourself: kubectl delete job -n ${client.namespace} ${handle.id}`,
      )
    }
  }

  async reattach(h: JobHandle): Promise<{ handle: JobHandle; status: JobStatus } | undefined> {
    if (h.launcher !== 'kubernetes') return undefined
    const client = this.client()
    const name = h.id !== '' ? h.id : readJson<{ name?: string }>(path.join(h.jobDir, JOB_FILE))?.name
    if (name === undefined || name === '') return undefined
    if ((await client.job(name)) === undefined) return undefined
    const handle: KubernetesJobHandle = { ...h, launcher: 'kubernetes', id: name, namespace: client.namespace }
    return { handle, status: await this.status(handle) }
  }
}

/**
 * The job with the protocol clients (`rivers_job.py`, `rivers-job.mjs`, a few kB) copied into its
 * folder, and `RIVERS_CLIENTS` pointing there: the orchestrator's own copy is in its install, which
 * a pod does not see; the job folder is on the shared volume.
 */
function withClients(job: JobSpec): JobSpec {
  const clients = job.env.RIVERS_CLIENTS
  if (clients === undefined || !existsSync(clients)) return job
  const copy = path.join(job.jobDir, 'clients')
  cpSync(clients, copy, { recursive: true })
  return { ...job, env: { ...job.env, RIVERS_CLIENTS: copy } }
}

function readJson<T = unknown>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T
  } catch {
    return undefined
  }
}
