/**
 * The launcher contract: what every launcher (local, Slurm, later Kubernetes and Ray) implements,
 * and the common vocabulary of job states.
 */
import type { Logger } from 'pino'

import type { GpuDevice } from '../definitions/index.js'

/**
 * Rivers' job states; each launcher maps its native states onto these.
 *
 * @example
 * const s: JobState = 'oom'
 */
export type JobState =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'timeout'
  | 'oom'
  | 'node_fail'
  | 'preempted'

/**
 * States a job never leaves.
 *
 * @example
 * TERMINAL_STATES.has('timeout') // true
 */
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'timeout',
  'oom',
  'node_fail',
  'preempted',
])

/**
 * Whether a job in this state is over.
 *
 * @example
 * isTerminal('running') // false
 */
export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.has(state)
}

/**
 * An asset's `resources`, normalized: every field a launcher must honour, in base units.
 *
 * @example
 * const r: ResourceRequest = { nodes: 1, gpusPerNode: 2, cpus: 8, memoryBytes: 64 * 2 ** 30, timeLimitMs: 3_600_000 }
 */
export interface ResourceRequest {
  /** Nodes (1 unless multi-node). */
  nodes: number
  /** GPUs on each node (0 when none). */
  gpusPerNode: number
  gpuType?: string
  cpus?: number
  memoryBytes?: number
  timeLimitMs?: number
}

/**
 * What is being validated or launched: the asset, and whether it is a command or a function.
 *
 * @example
 * const target: LaunchTarget = { assetKey: 'model/torch', kind: 'command' }
 */
export interface LaunchTarget {
  assetKey: string
  kind: 'command' | 'function'
}

/**
 * A job ready to submit: the command, its full environment additions and folder, its request.
 *
 * @example
 * const job: JobSpec = { runId, assetKey: 'model', command: ['python3', 'train.py'], env: files.env, cwd: '/work', request, jobDir, stdoutPath, stderrPath }
 */
export interface JobSpec {
  runId: string
  assetKey: string
  command: readonly string[]
  /** Variables the job gets on top of the launcher's own environment (protocol + the asset's `env`). */
  env: Record<string, string>
  cwd: string
  request: ResourceRequest
  jobDir: string
  stdoutPath: string
  stderrPath: string
}

/**
 * A launcher's handle on a submitted job: JSON, persisted in the store (`jobs.handle`) so that a
 * restarted orchestrator can reattach. Launchers add their own fields.
 *
 * @example
 * const h: JobHandle = { launcher: 'slurm', id: '4242', jobDir, stdoutPath, stderrPath, submittedAt: new Date().toISOString() }
 */
export interface JobHandle {
  launcher: string
  /** The launcher's job id (a pid, a Slurm job id); `''` in a provisional handle, recorded before submission. */
  id: string
  jobDir: string
  stdoutPath: string
  stderrPath: string
  submittedAt: string
  [field: string]: unknown
}

/**
 * Where a job stands.
 *
 * @example
 * const s: JobStatus = { state: 'failed', exitCode: 3, reason: 'NonZeroExitCode' }
 */
export interface JobStatus {
  state: JobState
  /** The command's exit code (128 + signal number when a signal ended it), once known. */
  exitCode?: number
  /** Why it is pending, or how it ended, in the launcher's words. */
  reason?: string
  /** Set when a pending job can never start (e.g. its time limit exceeds the partition's): the supervisor cancels it. */
  neverStarts?: boolean
  startedAt?: Date
  finishedAt?: Date
  /** Nodes it runs on (Slurm node list). */
  nodes?: string
  /**
   * How often the job was requeued and started again under the same id (Slurm's `Restarts`: after a
   * preemption, a node failure, `scontrol requeue`). Each run sees the same `RIVERS_CHECKPOINT_DIR`.
   */
  restarts?: number
  gpus?: GpuDevice[]
  /**
   * What the cluster allocated to the job, by its own names (Slurm's TRES: `cpu`, `mem`, `node`,
   * `gres/gpu`, …, from `scontrol` or, once the controller forgot the job, `sacct`'s `AllocTRES`).
   */
  tres?: Record<string, string>
}

/**
 * GPU, CPU and memory slots held for an asset; release exactly once (extra calls are ignored).
 *
 * @example
 * const r = await launcher.reserve!(request, target, signal)
 * try { console.log('training on', r.gpus) } finally { r.release() }
 */
export interface Reservation {
  readonly gpus: readonly GpuDevice[]
  release(): void
}

/**
 * The narrow part of the store a launcher may use: the record of the job it runs.
 *
 * @example
 * await ctx.jobs.saveHandle(handle) // as soon as the launcher knows its job id
 */
export interface JobStore {
  /**
   * Saves the job's handle (a restarted orchestrator reattaches with it). The engine saves the
   * handle `submit` returns anyway; a launcher saves it earlier when it knows the job before
   * `submit` resolves, to narrow the window in which a crash loses it.
   */
  saveHandle(handle: JobHandle): Promise<void>
  /** Notes why the job waits (queued for resources): logged, and kept in the job's record. */
  waiting(reason: string): Promise<void>
}

/**
 * What a launcher is told about the job it runs, and the only services it gets from the engine.
 *
 * @example
 * const handle = await launcher.submit(job, { runId, assetKey: 'model', attempt: 1, signal, log, jobDir, env, jobs })
 */
export interface JobContext {
  readonly runId: string
  readonly assetKey: string
  /** Attempt number, from 1. */
  readonly attempt: number
  /** Aborts when the run is cancelled or the asset times out: stop waiting, stop the job. */
  readonly signal: AbortSignal
  /** The asset's logger (run log file and stderr). */
  readonly log: Logger
  /** The job's folder (protocol files, stdout, stderr). */
  readonly jobDir: string
  /** The job protocol's variables (`RIVERS_*`), also in `job.env`. */
  readonly env: Readonly<Record<string, string>>
  readonly jobs: JobStore
}

/**
 * A launcher. Every method may throw a `RiversError`; `validate` throws one (exit 2) for a request
 * that can never be scheduled or that it cannot honour, naming the asset and the limit.
 *
 * @example
 * await launcher.validate(request, { assetKey: 'model', kind: 'command' })
 * const handle = await launcher.submit(job, ctx)
 * let status = await launcher.status(handle)
 * while (!isTerminal(status.state)) status = await launcher.status(handle)
 */
export interface Launcher {
  /** `'local'`, `'slurm'`. */
  readonly name: string
  /** How often the supervisor polls `status` and the job's files. */
  readonly pollIntervalMs: number
  /** Where its job folders go when they must be somewhere shared (a cluster); default `<store>/jobs`. */
  readonly jobsDir?: string
  /**
   * How a function asset runs on this launcher: `'in-process'` (in the orchestrator, holding slots
   * from `reserve`) or `'worker'` (as a job running `assets worker run`). Default: `'in-process'`
   * when the launcher has `reserve`, else `'worker'`.
   */
  readonly functions?: 'in-process' | 'worker'
  /** Rejects, before anything runs, a request that can never be scheduled or has a field this launcher cannot honour. */
  validate(request: ResourceRequest, target: LaunchTarget): Promise<void>
  /**
   * Submits a job. The local launcher first waits for free slots (FIFO; `ctx.jobs.waiting` says
   * so); `ctx.signal` aborts that wait. Resolves once the job is handed over (local: started;
   * Slurm: queued).
   */
  submit(job: JobSpec, ctx: JobContext): Promise<JobHandle>
  /** The job's current state (cheap enough to poll). */
  status(handle: JobHandle): Promise<JobStatus>
  /** Stops the job (kill / scancel); `why` decides whether it ends as `cancelled` or `timeout`. */
  cancel(handle: JobHandle, why?: 'cancelled' | 'timeout'): Promise<void>
  /**
   * Takes over a job submitted by an earlier process: its (possibly completed) handle and status, or
   * undefined if the job is unknown. The handle may be provisional (`id: ''`: the earlier process
   * died between handing the job over and recording its id); the launcher then finds the job by its
   * folder.
   */
  reattach(handle: JobHandle): Promise<{ handle: JobHandle; status: JobStatus } | undefined>
  /** Holds slots for a function asset in this process (only launchers that run functions). */
  reserve?(
    request: ResourceRequest,
    target: LaunchTarget,
    signal: AbortSignal,
    onQueued?: (reason: string) => void,
  ): Promise<Reservation>
}
