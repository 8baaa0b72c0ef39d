/**
 * The Ray launcher: jobs run as Ray jobs through the Jobs REST API of a cluster's dashboard. It runs
 * whatever command the engine hands it: a command asset's, and a function asset's worker command
 * (`assets worker run`) where the engine runs function assets as jobs; it holds no slots in this
 * process (no `reserve`), so the engine never runs a function in process under it.
 * `validate` asks the cluster what its nodes have (a GPU request on a cluster without GPUs is refused
 * before the run, naming the asset and what the cluster has); `submit` posts the job under a
 * submission id derived from the run, asset, attempt and job folder (recorded in the folder first);
 * `status` reads its state and the node it runs on (`nodes`: the node's address) and copies its new
 * output into the job folder; `cancel` stops it;
 * `reattach` finds it again by submission id, even from a provisional handle.
 *
 * The job folder (the job protocol's files, stderr) must be visible from the Ray nodes, as with
 * Slurm: the same machine, or a shared file system.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { formatBytes } from '@rivers-orchestrator/rivers'
import type {
  JobContext,
  JobHandle,
  JobSpec,
  JobStatus,
  Launcher,
  LaunchTarget,
  ResourceRequest,
} from '@rivers-orchestrator/rivers/plugin'

import { RayHttpError, RayJobsClient, type RayNode } from './client.js'
import { cannotHonour, rayUnavailable, submitFailed, unschedulable } from './errors.js'
import { copyNewOutput } from './logs.js'
import { type SubmitSettings, submitRequest } from './request.js'
import { mapRayJob } from './state.js'

/** Where the launcher looks when no address is given: the dashboard of a head on this machine. */
export const DEFAULT_RAY_ADDRESS = 'http://127.0.0.1:8265'

/**
 * Options of the Ray launcher.
 *
 * @example
 * const ray = new RayLauncher({ address: 'http://head:8265', pollIntervalMs: 500 })
 */
export interface RayLauncherOptions extends SubmitSettings {
  /** The dashboard's URL (the Jobs API), e.g. `http://head:8265`. Default `http://127.0.0.1:8265`. */
  address?: string
  /** How often the supervisor polls the job's state and output (default 1 s). */
  pollIntervalMs?: number
  /** Limit for each HTTP request (default 30 s). */
  requestTimeoutMs?: number
  /** Extra HTTP headers (a token for a proxy in front of the dashboard). */
  headers?: Record<string, string>
  /**
   * Whether `validate` compares the request with the nodes the cluster has now (default true).
   * Turn it off for an autoscaling cluster whose GPU nodes appear on demand.
   */
  checkResources?: boolean
  /** How long the nodes the cluster reported are reused (default 30 s). */
  nodesCacheMs?: number
}

/** The Ray launcher's handle: the submission id is its `id`. */
export interface RayJobHandle extends JobHandle {
  launcher: 'ray'
  /** The dashboard it was submitted to. */
  address: string
  /** The asset's time limit, enforced by `timeout` in the entrypoint (exit 124 then means timeout). */
  timeLimitMs?: number
}

/** The file in the job folder that names the job's submission id, written before it is submitted. */
const SUBMISSION_FILE = 'ray-submission.json'

/**
 * Submits and follows Ray jobs.
 *
 * @example
 * const ray = new RayLauncher({ address: 'http://127.0.0.1:8265' })
 * await ray.validate({ nodes: 1, gpusPerNode: 0, cpus: 1 }, { assetKey: 'features', kind: 'command' })
 */
export class RayLauncher implements Launcher {
  readonly name = 'ray'
  readonly pollIntervalMs: number
  readonly client: RayJobsClient
  readonly options: RayLauncherOptions
  #nodes: { at: number; nodes: Promise<RayNode[]> } | undefined

  constructor(options: RayLauncherOptions = {}) {
    this.options = options
    this.pollIntervalMs = options.pollIntervalMs ?? 1000
    this.client = new RayJobsClient(options.address ?? DEFAULT_RAY_ADDRESS, {
      ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    })
  }

  /** The dashboard this launcher talks to. */
  get address(): string {
    return this.client.address
  }

  /**
   * The alive nodes of the cluster (cached for `nodesCacheMs`).
   *
   * @example
   * const gpus = Math.max(...(await ray.nodes()).map((n) => n.resources_total.GPU ?? 0))
   */
  nodes(assetKeys: readonly string[] = []): Promise<RayNode[]> {
    const now = Date.now()
    if (this.#nodes === undefined || now - this.#nodes.at > (this.options.nodesCacheMs ?? 30_000)) {
      const nodes = this.client.nodes().catch((e: unknown) => {
        this.#nodes = undefined
        throw rayUnavailable(this.address, assetKeys, `could not list the cluster's nodes: ${(e as Error).message}`)
      })
      this.#nodes = { at: now, nodes }
    }
    return this.#nodes.nodes
  }

  async validate(request: ResourceRequest, target: LaunchTarget): Promise<void> {
    const key = target.assetKey
    if (request.nodes > 1) {
      throw cannotHonour(
        key,
        `resources.nodes (${request.nodes})`,
        'a Ray job runs its entrypoint as one process on one node; Ray itself spreads work over nodes (Ray Train, tasks, actors), and gives each of its workers its rank and master address',
        'set nodes to 1 and start the distributed part from the entrypoint with Ray (e.g. TorchTrainer with ScalingConfig(num_workers=…, use_gpu=True)), or use the slurm launcher for a torchrun job over several nodes',
      )
    }
    if (this.options.checkResources === false) return
    const nodes = await this.nodes([key])
    const where = `the Ray cluster at ${this.address}`
    if (nodes.length === 0) throw unschedulable(key, 'is to run on Ray', `${where} has no alive nodes`, 'start a node')
    const most = (name: string): number => nodes.reduce((m, n) => Math.max(m, n.resources_total[name] ?? 0), 0)
    if (request.gpusPerNode > 0) {
      const max = most('GPU')
      if (request.gpusPerNode > max)
        throw unschedulable(
          key,
          `asks for ${request.gpusPerNode} GPU${request.gpusPerNode === 1 ? '' : 's'}`,
          `${max === 0 ? `${where} has no GPUs` : `the largest node of ${where} has ${max}`} (${describeNodes(nodes)})`,
          max === 0
            ? 'set resources.gpus to 0, add GPU nodes to the cluster (ray start --num-gpus=N), or set launcher.checkResources to false for an autoscaling cluster'
            : `ask for at most ${max} GPUs`,
        )
      const type = request.gpuType
      if (type !== undefined && most(`accelerator_type:${type}`) === 0) {
        const types = [
          ...new Set(
            nodes.flatMap((n) =>
              Object.keys(n.resources_total)
                .filter((r) => r.startsWith('accelerator_type:'))
                .map((r) => `'${r.slice('accelerator_type:'.length)}'`),
            ),
          ),
        ]
        throw unschedulable(
          key,
          `asks for GPU type '${type}'`,
          `${where} has ${types.length === 0 ? 'no typed GPUs' : `GPU types ${types.join(', ')}`}`,
          types.length === 0 ? 'remove resources.gpuType' : 'use one of those types as resources.gpuType',
        )
      }
    }
    if (request.cpus !== undefined && request.cpus > most('CPU'))
      throw unschedulable(
        key,
        `asks for ${request.cpus} CPUs`,
        `the largest node of ${where} has ${most('CPU')} (${describeNodes(nodes)})`,
        `lower resources.cpus to at most ${most('CPU')}`,
      )
    if (request.memoryBytes !== undefined && request.memoryBytes > most('memory'))
      throw unschedulable(
        key,
        `asks for ${formatBytes(request.memoryBytes)} of memory`,
        `the largest node of ${where} has ${formatBytes(most('memory'))} (${describeNodes(nodes)})`,
        `lower resources.memory to at most '${Math.floor(most('memory') / 2 ** 20)}Mi'`,
      )
  }

  async submit(job: JobSpec, ctx: JobContext): Promise<RayJobHandle> {
    const body = submitRequest(job, ctx.attempt, this.options)
    const id = body.submission_id
    mkdirSync(job.jobDir, { recursive: true })
    // Before the job exists: a restarted orchestrator holding only the provisional handle finds it by this.
    writeFileSync(path.join(job.jobDir, SUBMISSION_FILE), JSON.stringify({ submissionId: id, address: this.address }))
    // Taken before the POST: Ray stamps the job's start_time when it accepts it, before answering.
    const submittedAt = new Date().toISOString()
    try {
      await this.client.submit(body)
    } catch (e) {
      // Already submitted (by an earlier process for this very folder): take it over.
      const exists = e instanceof RayHttpError && /already exists/.test(e.body)
      if (!exists || (await this.client.job(id).catch(() => undefined)) === undefined)
        throw e instanceof RayHttpError
          ? submitFailed(job.assetKey, `${e.message}`)
          : rayUnavailable(this.address, [job.assetKey], (e as Error).message)
      ctx.log.info({ job: id }, `ray job ${id} was already submitted for this attempt; following it`)
    }
    const handle: RayJobHandle = {
      launcher: 'ray',
      id,
      jobDir: job.jobDir,
      stdoutPath: job.stdoutPath,
      stderrPath: job.stderrPath,
      submittedAt,
      address: this.address,
    }
    if (job.request.timeLimitMs !== undefined) handle.timeLimitMs = job.request.timeLimitMs
    await ctx.jobs.saveHandle(handle)
    return handle
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    const job = await this.#job(handle.id)
    if (job === undefined)
      return {
        state: 'failed',
        reason: `Ray no longer knows job ${handle.id} (the head was restarted, or the job was deleted)`,
      }
    const status = mapRayJob(job, timeLimit(handle))
    if (status.state !== 'pending' && job.driver_node_id != null) status.nodes = await this.#nodeOf(job.driver_node_id)
    if (status.state !== 'pending') {
      // Best effort: a log Ray cannot serve right now is copied at the next poll (the offset is kept).
      const log = await this.client.logs(handle.id).catch(() => undefined)
      if (log !== undefined) await copyNewOutput(log, handle.stdoutPath, status.state !== 'running')
    }
    return status
  }

  async cancel(handle: JobHandle): Promise<void> {
    try {
      await this.client.stop(handle.id)
    } catch (e) {
      if (e instanceof RayHttpError && e.status === 404) return
      throw rayUnavailable(
        this.address,
        [],
        `could not stop job ${handle.id}: ${(e as Error).message}; stop it yourself: ray job stop ${handle.id}`,
      )
    }
  }

  async reattach(h: JobHandle): Promise<{ handle: JobHandle; status: JobStatus } | undefined> {
    if (h.launcher !== 'ray') return undefined
    const id = h.id !== '' ? h.id : recordedSubmission(h.jobDir)
    if (id === undefined) return undefined
    const job = await this.#job(id)
    if (job === undefined) return undefined
    const handle: RayJobHandle = { ...h, launcher: 'ray', id, address: this.address }
    return { handle, status: await this.status(handle) }
  }

  /** Where a job runs, as the job's metadata says it (`nodes`): the node's address, else its id (a node gone since). */
  async #nodeOf(nodeId: string): Promise<string> {
    const nodes = await this.nodes().catch(() => [] as RayNode[])
    return nodes.find((n) => n.node_id === nodeId)?.node_ip ?? nodeId.slice(0, 12)
  }

  async #job(id: string): ReturnType<RayJobsClient['job']> {
    try {
      return await this.client.job(id)
    } catch (e) {
      throw e instanceof RayHttpError ? e : rayUnavailable(this.address, [], (e as Error).message)
    }
  }
}

/** The submission id recorded in a job folder before submission, if any. */
function recordedSubmission(jobDir: string): string | undefined {
  try {
    const { submissionId } = JSON.parse(readFileSync(path.join(jobDir, SUBMISSION_FILE), 'utf8')) as {
      submissionId?: unknown
    }
    return typeof submissionId === 'string' && submissionId !== '' ? submissionId : undefined
  } catch {
    return undefined
  }
}

function timeLimit(handle: JobHandle): { timeLimitMs?: number } {
  return typeof handle.timeLimitMs === 'number' ? { timeLimitMs: handle.timeLimitMs } : {}
}

/**
 * The cluster in words: its nodes and the CPUs, GPUs and memory of the largest.
 *
 * @example
 * describeNodes([{ node_ip: '10.0.0.1', state: 'ALIVE', resources_total: { CPU: 2, memory: 2 ** 33 } }]) // '1 node: CPU 2, GPU 0, memory 8Gi'
 */
export function describeNodes(nodes: readonly RayNode[]): string {
  const most = (name: string): number => nodes.reduce((m, n) => Math.max(m, n.resources_total[name] ?? 0), 0)
  const each = nodes.length === 1 ? '' : ' on the largest'
  return `${nodes.length} node${nodes.length === 1 ? '' : 's'}: CPU ${most('CPU')}, GPU ${most('GPU')}, memory ${formatBytes(most('memory'))}${each}`
}
