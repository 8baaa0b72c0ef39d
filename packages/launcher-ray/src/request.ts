/**
 * What a Rivers job becomes in Ray: its submission id (derived from the run, the asset, the attempt
 * and the job folder, so that a restarted orchestrator finds the same job again), its entrypoint (a
 * `/bin/sh` line: the job's folder and Python client, its stderr into the job folder, its time limit
 * through `timeout`), and the body of `POST /api/jobs/` with the asset's resources mapped onto the
 * entrypoint's (`entrypoint_num_cpus`, `entrypoint_num_gpus`, `entrypoint_memory`,
 * `entrypoint_resources`).
 */
import { createHash } from 'node:crypto'
import path from 'node:path'

import type { JobSpec, ResourceRequest } from '@rivers-orchestrator/rivers/plugin'

import type { RaySubmitRequest } from './client.js'

/** Lowest `MASTER_PORT` a multi-GPU job gets (the local and Slurm launchers' range: 15000..29999). */
const PORT_BASE = 15_000
const PORT_SPAN = 15_000

/** The settings that shape a submission. */
export interface SubmitSettings {
  /** `runtime_env.working_dir`: a URI the cluster fetches (`s3://…/code.zip`); the job then starts there instead of in `cwd`. */
  workingDir?: string
  /** More `runtime_env` fields (`pip`, `conda`, `container`, …), passed as they are. */
  runtimeEnv?: Record<string, unknown>
  /** Custom resources the entrypoint needs on top of the asset's (e.g. `{ 'node:10.0.0.5': 0.01 }`). */
  entrypointResources?: Record<string, number>
}

/**
 * The Ray submission id of a job: `rivers-<run>-<asset>-a<attempt>-<8 hex of the job folder>`, with
 * every character Ray's file names dislike replaced by `_`. The same job folder always gives the same
 * id, so a second submission of the same attempt is refused by Ray rather than run twice.
 *
 * @example
 * submissionId('20240101-r1', 'model/torch', 2, '/p/.rivers/jobs/20240101-r1/model/torch/attempt-2') // 'rivers-20240101-r1-model_torch-a2-…'
 */
export function submissionId(runId: string, assetKey: string, attempt: number, jobDir: string): string {
  const slug = (s: string, max: number): string => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, max)
  const hash = createHash('sha256').update(path.resolve(jobDir)).digest('hex').slice(0, 8)
  return `rivers-${slug(runId, 40)}-${slug(assetKey, 60)}-a${attempt}-${hash}`
}

/**
 * Quotes a word for `/bin/sh`.
 *
 * @example
 * shellQuote("it's") // `'it'\''s'`
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

/**
 * The entrypoint line Ray runs with `/bin/sh -c` on the node it picks: into `cwd` (unless a
 * `working_dir` is shipped), the Python job client on `PYTHONPATH`, the command exec'd under
 * `timeout` when the asset has a time limit, its stderr appended to the job folder's `stderr.log`
 * (its stdout is Ray's job log, which the launcher copies into `stdout.log`).
 *
 * @example
 * entrypoint(job, {}) // "cd /work && export PYTHONPATH=… && exec python3 train.py 2>>/p/.rivers/jobs/r1/model/attempt-1/stderr.log"
 */
export function entrypoint(
  job: Pick<JobSpec, 'command' | 'cwd' | 'env' | 'stderrPath' | 'request'>,
  settings: SubmitSettings,
): string {
  const parts: string[] = []
  if (settings.workingDir === undefined) parts.push(`cd ${shellQuote(job.cwd)}`)
  if (job.env.RIVERS_CLIENTS !== undefined)
    parts.push(`export PYTHONPATH="$RIVERS_CLIENTS\${PYTHONPATH:+:$PYTHONPATH}"`)
  const limit = job.request.timeLimitMs
  const timeout = limit === undefined ? '' : `timeout --kill-after=10 ${Math.max(1, Math.ceil(limit / 1000))} `
  parts.push(`exec ${timeout}${job.command.map(shellQuote).join(' ')} 2>>${shellQuote(job.stderrPath)}`)
  return parts.join(' && ')
}

/**
 * The rendezvous of a job with several GPUs on its one node (`MASTER_ADDR=127.0.0.1`, a
 * `MASTER_PORT` derived from the submission id, in 15000..29999), for a script that calls
 * `init_process_group('env://')` itself; torchrun `--standalone` needs none. The job's own `env`
 * wins. Empty with fewer than 2 GPUs.
 *
 * @example
 * rayRendezvous(2, 'rivers-r1-model-a1-0badcafe', {}) // { MASTER_ADDR: '127.0.0.1', MASTER_PORT: '…' }
 */
export function rayRendezvous(gpus: number, id: string, env: Readonly<Record<string, string>>): Record<string, string> {
  if (gpus < 2) return {}
  const out: Record<string, string> = {}
  if (env.MASTER_ADDR === undefined) out.MASTER_ADDR = '127.0.0.1'
  if (env.MASTER_PORT === undefined) {
    const n = Number.parseInt(createHash('sha256').update(id).digest('hex').slice(0, 8), 16)
    out.MASTER_PORT = String(PORT_BASE + (n % PORT_SPAN))
  }
  return out
}

/**
 * The entrypoint's resources in Ray's terms: CPUs, GPUs, memory in bytes, and a GPU type as Ray's
 * `accelerator_type:<TYPE>` resource (a fraction, as `@ray.remote(accelerator_type=…)` asks).
 *
 * @example
 * entrypointResources({ nodes: 1, gpusPerNode: 2, gpuType: 'A100', cpus: 8, memoryBytes: 2 ** 30 }, {})
 * // { entrypoint_num_cpus: 8, entrypoint_num_gpus: 2, entrypoint_memory: 1073741824, entrypoint_resources: { 'accelerator_type:A100': 0.001 } }
 */
export function entrypointResources(
  request: ResourceRequest,
  settings: SubmitSettings,
): Pick<
  RaySubmitRequest,
  'entrypoint_num_cpus' | 'entrypoint_num_gpus' | 'entrypoint_memory' | 'entrypoint_resources'
> {
  const out: ReturnType<typeof entrypointResources> = {}
  if (request.cpus !== undefined) out.entrypoint_num_cpus = request.cpus
  if (request.gpusPerNode > 0) out.entrypoint_num_gpus = request.gpusPerNode
  if (request.memoryBytes !== undefined) out.entrypoint_memory = Math.ceil(request.memoryBytes)
  const custom: Record<string, number> = { ...settings.entrypointResources }
  if (request.gpuType !== undefined && request.gpusPerNode > 0) custom[`accelerator_type:${request.gpuType}`] = 0.001
  if (Object.keys(custom).length > 0) out.entrypoint_resources = custom
  return out
}

/**
 * The body of `POST /api/jobs/` for a job: entrypoint, submission id, `runtime_env` (the job's
 * environment as `env_vars`; `working_dir` only when the settings ask for one), metadata naming the
 * run and asset, and the entrypoint's resources.
 *
 * @example
 * const body = submitRequest(job, 1, { workingDir: 's3://bucket/code.zip' })
 * await client.submit(body)
 */
export function submitRequest(job: JobSpec, attempt: number, settings: SubmitSettings): RaySubmitRequest {
  const id = submissionId(job.runId, job.assetKey, attempt, job.jobDir)
  const env = { ...job.env, ...rayRendezvous(job.request.gpusPerNode, id, job.env) }
  const runtimeEnv: RaySubmitRequest['runtime_env'] = { ...settings.runtimeEnv, env_vars: env }
  if (settings.workingDir !== undefined) runtimeEnv.working_dir = settings.workingDir
  return {
    entrypoint: entrypoint(job, settings),
    submission_id: id,
    runtime_env: runtimeEnv,
    metadata: {
      rivers_run_id: job.runId,
      rivers_asset: job.assetKey,
      rivers_attempt: String(attempt),
      rivers_job_dir: job.jobDir,
    },
    ...entrypointResources(job.request, settings),
  }
}
