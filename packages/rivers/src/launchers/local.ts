/**
 * The local launcher: runs jobs as child processes of this machine, with whole GPUs handed out from a
 * slot pool through `CUDA_VISIBLE_DEVICES` (+ `CUDA_DEVICE_ORDER=PCI_BUS_ID`); a job with several
 * GPUs also gets a free loopback `MASTER_ADDR`/`MASTER_PORT` (`rendezvous.ts`).
 *
 * A job runs in its own process group under a small `sh` wrapper that writes its exit status to
 * `<jobDir>/exit.json`; its stdout and stderr go to files in the job folder (followed by the
 * supervisor, so logs stream live). Because nothing ties the job to this process, a restarted
 * orchestrator can reattach to it by its handle (pid + start time). Cancellation sends SIGTERM to the
 * group, then SIGKILL after the grace period. `timeLimit` is enforced the same way (state `timeout`).
 *
 * `cpus` and `memory` are admission control: a job starts only when its CPUs and memory fit in what
 * the jobs running in this process have not reserved (and `OMP_NUM_THREADS` is set to its CPUs);
 * there are no cgroups, so a job that uses more is not stopped. GPUs are also locked across
 * processes, stores and users of this machine (lock files in one host-wide folder); CPUs and memory are
 * counted within this process only.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, hostname, totalmem } from 'node:os'
import path from 'node:path'

import { formatBytes, type GpuDevice } from '../definitions/index.js'
import { cannotHonour, unschedulable } from './errors.js'
import { detectGpus, type GpuInventory } from './gpu-inventory.js'
import { GpuLocks } from './gpu-locks.js'
import { gpuTelemetryStart, gpuTelemetryStop } from './gpu-telemetry.js'
import { groupAlive, isAlive, processEnv, processStartTime } from './process-info.js'
import { localRendezvous } from './rendezvous.js'
import { formatMs } from './resources.js'
import { SlotPool, gpuMatches, type PoolReservation, type SlotRequest } from './slots.js'
import type {
  JobContext,
  JobHandle,
  JobSpec,
  JobStatus,
  LaunchTarget,
  Launcher,
  Reservation,
  ResourceRequest,
} from './types.js'

/**
 * Options of the local launcher.
 *
 * @example
 * const local = new LocalLauncher({ lockDir: '/tmp/rivers-gpu-locks', gpus: '0,1' })
 */
export interface LocalLauncherOptions {
  /** Inventory override like `RIVERS_GPUS` (`'0,1'`, `'2'`, `'none'`); or the GPUs themselves. */
  gpus?: string | readonly GpuDevice[]
  /**
   * Folder of the cross-process GPU lock files (the built-in `local` launcher passes the host-wide
   * `defaultGpuLockDir()`); without it, GPUs are shared within this process only.
   */
  lockDir?: string
  /** Environment the inventory is read from and jobs inherit (default `process.env`). */
  env?: NodeJS.ProcessEnv
  /** `nvidia-smi` executable (default: from PATH). */
  nvidiaSmi?: string
  /** SIGTERM -> SIGKILL grace on cancel (default 5 s, within the executor's 10 s cancel grace). */
  killGraceMs?: number
  /** Poll interval of the supervisor (default 100 ms). */
  pollIntervalMs?: number
  /** CPU and memory capacity (default: this machine's). */
  capacity?: { cpus?: number; memoryBytes?: number }
  /** Function assets: in this process (default), or each as a job running `assets worker run`. */
  functions?: 'in-process' | 'worker'
}

/** The local launcher's handle. */
export interface LocalJobHandle extends JobHandle {
  launcher: 'local'
  pid: number
  /** Start time of the wrapper process (guards against pid reuse). */
  pidStart?: string
  host: string
  gpus: GpuDevice[]
  startedAt: string
  timeLimitMs?: number
  request: SlotRequest
}

/** Exit status written by the wrapper (or by the launcher when the wrapper itself was killed). */
interface ExitFile {
  code: number | null
  signal?: string | null
}

// `$0` is the job name; the command follows as "$@". The wrapper records its pid first (so a job
// can be found even if the orchestrator dies before recording it), then the exit status, atomically.
// Beside the command, the GPU sampler (gpu-telemetry.ts) when the job has GPUs and nvidia-smi exists.
const WRAPPER = [
  'echo "$$" > "$RIVERS_PID_FILE"',
  ...gpuTelemetryStart(),
  '"$@"',
  'code=$?',
  ...gpuTelemetryStop(),
  `printf '{"code":%d}\\n' "$code" > "$RIVERS_EXIT_FILE.tmp" && mv -f "$RIVERS_EXIT_FILE.tmp" "$RIVERS_EXIT_FILE"`,
  'exit "$code"',
].join('\n')

interface Running {
  handle: LocalJobHandle
  child?: ChildProcess
  reservation: PoolReservation
  timer?: NodeJS.Timeout
  killTimer?: NodeJS.Timeout
}

/**
 * Runs jobs on this machine. One instance per process and lock folder shares its pool between all
 * the assets it runs (`launcherFor` caches it).
 *
 * @example
 * const local = new LocalLauncher({ lockDir: defaultGpuLockDir() })
 * await local.validate({ nodes: 1, gpusPerNode: 1 }, { assetKey: 'model', kind: 'command' })
 */
export class LocalLauncher implements Launcher {
  readonly name = 'local'
  readonly pollIntervalMs: number
  readonly killGraceMs: number
  readonly functions: 'in-process' | 'worker'
  /** Folder of the cross-process GPU locks (undefined: GPUs are shared within this process only). */
  readonly lockDir: string | undefined
  readonly #options: LocalLauncherOptions
  readonly #env: NodeJS.ProcessEnv
  readonly #host = hostname()
  #inventory: Promise<GpuInventory> | undefined
  #pool: Promise<SlotPool> | undefined
  readonly #running = new Map<string, Running>()
  /** Jobs whose wrapper exited while other processes of their group still run (being stopped). */
  readonly #draining = new Set<string>()

  constructor(options: LocalLauncherOptions = {}) {
    this.#options = options
    this.#env = options.env ?? process.env
    this.pollIntervalMs = options.pollIntervalMs ?? 100
    this.killGraceMs = options.killGraceMs ?? 5_000
    this.functions = options.functions ?? 'in-process'
    this.lockDir = options.lockDir === undefined ? undefined : path.resolve(options.lockDir)
  }

  /** The GPUs this launcher hands out, and where that list came from (detected once). */
  inventory(): Promise<GpuInventory> {
    const gpus = this.#options.gpus
    this.#inventory ??=
      typeof gpus === 'object'
        ? Promise.resolve({ gpus: [...gpus], source: 'the launcher options' })
        : detectGpus({
            env: this.#env,
            ...(gpus !== undefined ? { override: gpus } : {}),
            ...(this.#options.nvidiaSmi ? { nvidiaSmi: this.#options.nvidiaSmi } : {}),
          })
    return this.#inventory
  }

  /** The slot pool (created with the inventory). */
  pool(): Promise<SlotPool> {
    this.#pool ??= this.inventory().then((inv) => {
      const capacity = {
        cpus: this.#options.capacity?.cpus ?? availableParallelism(),
        memoryBytes: this.#options.capacity?.memoryBytes ?? totalmem(),
      }
      return new SlotPool(inv.gpus, capacity, this.lockDir === undefined ? undefined : new GpuLocks(this.lockDir))
    })
    return this.#pool
  }

  async validate(request: ResourceRequest, target: LaunchTarget): Promise<void> {
    const key = target.assetKey
    if (request.nodes > 1) {
      throw cannotHonour(
        key,
        'local',
        'resources.nodes',
        `nodes: ${request.nodes} asks for a multi-node job, and the local launcher runs jobs on this machine only`,
        "use launcher: 'slurm' (or another cluster launcher) for multi-node jobs, or remove nodes",
      )
    }
    const inv = await this.inventory()
    const pool = await this.pool()
    if (request.gpuType !== undefined) {
      const matching = inv.gpus.filter((g) => gpuMatches(g, request.gpuType))
      if (matching.length === 0) {
        const names = [...new Set(inv.gpus.map((g) => g.name ?? '(unnamed)'))]
        throw unschedulable(
          key,
          'local',
          `asks for GPU type '${request.gpuType}'`,
          inv.gpus.length === 0
            ? `this machine has no GPUs (${inv.source})`
            : `this machine's GPUs are ${names.map((n) => `'${n}'`).join(', ')} (${inv.source})`,
          names.length > 0 && !names.includes('(unnamed)')
            ? `use a gpuType matching one of them, or remove gpuType`
            : 'remove gpuType, or run it on a machine with such GPUs',
        )
      }
      if (matching.length < request.gpusPerNode) {
        throw unschedulable(
          key,
          'local',
          `asks for ${request.gpusPerNode} GPUs of type '${request.gpuType}'`,
          `this machine has ${matching.length} (${inv.source})`,
          `lower resources.gpus to at most ${matching.length}, or use a cluster launcher`,
        )
      }
    }
    if (request.gpusPerNode > inv.gpus.length) {
      const have = inv.gpus.length === 0 ? 'none' : `only ${inv.gpus.length}`
      throw unschedulable(
        key,
        'local',
        `asks for ${request.gpusPerNode} GPU${request.gpusPerNode === 1 ? '' : 's'}`,
        `this machine has ${have} (${inv.source})`,
        inv.gpus.length === 0
          ? "set resources.gpus to 0 to run on the CPU, set RIVERS_GPUS if nvidia-smi cannot see the GPUs, or use launcher: 'slurm'"
          : `lower resources.gpus to at most ${inv.gpus.length}, or use launcher: 'slurm'`,
      )
    }
    if (request.cpus !== undefined && request.cpus > pool.capacity.cpus) {
      throw unschedulable(
        key,
        'local',
        `asks for ${request.cpus} CPUs`,
        `this machine has ${pool.capacity.cpus}`,
        `lower resources.cpus to at most ${pool.capacity.cpus}, or use a cluster launcher`,
      )
    }
    if (request.memoryBytes !== undefined && request.memoryBytes > pool.capacity.memoryBytes) {
      throw unschedulable(
        key,
        'local',
        `asks for ${formatBytes(request.memoryBytes)} of memory`,
        `this machine has ${formatBytes(pool.capacity.memoryBytes)}`,
        `lower resources.memory to at most ${formatBytes(pool.capacity.memoryBytes)}, or use a cluster launcher`,
      )
    }
  }

  async reserve(
    request: ResourceRequest,
    target: LaunchTarget,
    signal: AbortSignal,
    onQueued?: (reason: string) => void,
  ): Promise<Reservation> {
    const pool = await this.pool()
    return pool.acquire(slotRequest(request), target.assetKey, signal, onQueued)
  }

  async submit(job: JobSpec, ctx: JobContext): Promise<LocalJobHandle> {
    const submittedAt = new Date().toISOString()
    const pool = await this.pool()
    const request = slotRequest(job.request)
    const reservation = await pool.acquire(request, job.assetKey, ctx.signal, (why) => void ctx.jobs.waiting(why))
    try {
      if (ctx.signal.aborted) throw ctx.signal.reason
      const exitFile = path.join(job.jobDir, 'exit.json')
      const env: NodeJS.ProcessEnv = {
        ...this.#env,
        ...(await localRendezvous(reservation.gpus.length, job.env)),
        ...job.env,
        CUDA_VISIBLE_DEVICES: reservation.gpus.map((g) => g.index).join(','),
        CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
        RIVERS_EXIT_FILE: exitFile,
        RIVERS_PID_FILE: path.join(job.jobDir, 'pid'),
      }
      // The protocol clients are importable from every job (`import rivers_job`).
      if (job.env.RIVERS_CLIENTS !== undefined)
        env.PYTHONPATH = env.PYTHONPATH
          ? `${job.env.RIVERS_CLIENTS}${path.delimiter}${env.PYTHONPATH}`
          : job.env.RIVERS_CLIENTS
      if (job.request.cpus !== undefined && env.OMP_NUM_THREADS === undefined)
        env.OMP_NUM_THREADS = String(Math.max(1, Math.floor(job.request.cpus)))
      const out = openSync(job.stdoutPath, 'a', 0o600)
      const err = openSync(job.stderrPath, 'a', 0o600)
      let child: ChildProcess
      try {
        child = spawn('/bin/sh', ['-c', WRAPPER, `rivers-job:${job.assetKey}`, ...job.command], {
          cwd: job.cwd,
          env,
          detached: true,
          stdio: ['ignore', out, err],
        })
      } finally {
        closeSync(out)
        closeSync(err)
      }
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid!))
        child.once('error', reject)
      })
      reservation.setChild(pid)
      const handle: LocalJobHandle = {
        launcher: 'local',
        id: String(pid),
        pid,
        host: this.#host,
        jobDir: job.jobDir,
        stdoutPath: job.stdoutPath,
        stderrPath: job.stderrPath,
        submittedAt,
        startedAt: new Date().toISOString(),
        gpus: [...reservation.gpus],
        request,
      }
      const start = processStartTime(pid)
      if (start !== undefined) handle.pidStart = start
      if (job.request.timeLimitMs !== undefined) handle.timeLimitMs = job.request.timeLimitMs
      const running: Running = { handle, child, reservation }
      this.#running.set(handle.id, running)
      child.once('exit', (code, signal) => {
        // The wrapper records the command's status; if the wrapper itself was killed, record that.
        if (!existsSync(exitFile)) writeFileSync(exitFile, JSON.stringify({ code, signal } satisfies ExitFile))
        this.#finish(handle.id)
      })
      this.#armTimeLimit(running)
      await ctx.jobs.saveHandle(handle)
      return handle
    } catch (e) {
      reservation.release()
      throw e
    }
  }

  async status(h: JobHandle): Promise<JobStatus> {
    const handle = h as LocalJobHandle
    const base: Pick<JobStatus, 'gpus' | 'startedAt'> = { gpus: handle.gpus, startedAt: new Date(handle.startedAt) }
    const exit = readExit(path.join(handle.jobDir, 'exit.json'))
    const stopped = readStopMarker(handle.jobDir)
    if (exit !== undefined) {
      this.#finish(handle.id)
      // Not over until every process of the job is gone (they may still hold the GPU).
      if (this.#draining.has(handle.id))
        return { ...base, state: 'running', reason: 'the command exited; stopping the processes it left behind' }
      const finishedAt = exitTime(handle.jobDir) ?? new Date()
      const exitCode = exit.code ?? (exit.signal ? 128 + (SIGNALS[exit.signal] ?? 0) : undefined)
      if (stopped !== undefined)
        return {
          ...base,
          state: stopped.state,
          ...(exitCode === undefined ? {} : { exitCode }),
          reason: stopped.reason,
          finishedAt,
        }
      if (exit.code === 0) return { ...base, state: 'succeeded', exitCode: 0, finishedAt }
      const reason = exit.signal
        ? `killed by ${exit.signal}`
        : exitCode !== undefined && exitCode > 128
          ? `killed by signal ${exitCode - 128}`
          : undefined
      return {
        ...base,
        state: 'failed',
        ...(exitCode === undefined ? {} : { exitCode }),
        ...(reason === undefined ? {} : { reason }),
        finishedAt,
      }
    }
    if (handle.host !== this.#host)
      return {
        ...base,
        state: 'failed',
        reason: `the job runs on host ${handle.host}; the local launcher can only follow jobs of this machine (${this.#host})`,
      }
    if (isAlive(handle.pid, handle.pidStart)) return { ...base, state: 'running' }
    // Our own child that just died: its exit status arrives with the 'exit' event in a moment.
    const child = this.#running.get(handle.id)?.child
    if (child !== undefined && child.exitCode === null && child.signalCode === null)
      return { ...base, state: 'running' }
    this.#finish(handle.id)
    if (stopped !== undefined) return { ...base, state: stopped.state, reason: stopped.reason, finishedAt: new Date() }
    return {
      ...base,
      state: 'failed',
      reason: 'the job process is gone and left no exit status (killed together with its wrapper?)',
      finishedAt: new Date(),
    }
  }

  async cancel(h: JobHandle, why: 'cancelled' | 'timeout' = 'cancelled'): Promise<void> {
    const handle = h as LocalJobHandle
    const reason = why === 'timeout' ? 'stopped: the asset timed out' : 'stopped: cancelled'
    this.#stop(handle, { state: why, reason })
  }

  #stop(handle: LocalJobHandle, marker: StopMarker): void {
    if (existsSync(path.join(handle.jobDir, 'exit.json'))) return
    if (readStopMarker(handle.jobDir) === undefined)
      writeFileSync(path.join(handle.jobDir, 'stopped'), JSON.stringify(marker))
    if (!isAlive(handle.pid, handle.pidStart)) return
    signalGroup(handle.pid, 'SIGTERM')
    const running = this.#running.get(handle.id)
    const kill = setTimeout(() => signalGroup(handle.pid, 'SIGKILL'), this.killGraceMs)
    kill.unref()
    if (running !== undefined) running.killTimer = kill
  }

  async reattach(h: JobHandle): Promise<{ handle: JobHandle; status: JobStatus } | undefined> {
    if (h.launcher !== 'local') return undefined
    const handle = h.id === '' ? await this.#recover(h) : (h as LocalJobHandle)
    if (handle === undefined || handle.host !== this.#host) return undefined
    const alive = isAlive(handle.pid, handle.pidStart)
    if (!alive && !existsSync(path.join(handle.jobDir, 'exit.json'))) return undefined
    if (alive && !this.#running.has(handle.id)) {
      const pool = await this.pool()
      const reservation = pool.adopt(
        handle.gpus.map((g) => g.index),
        `reattached ${handle.id}`,
        handle.pid,
        handle.request,
      )
      const running: Running = { handle, reservation }
      this.#running.set(handle.id, running)
      this.#armTimeLimit(running)
    }
    return { handle, status: await this.status(handle) }
  }

  /**
   * The full handle of a job recorded only provisionally: its wrapper wrote its pid into the job
   * folder; the process is checked to be that job's (its environment names the job folder).
   */
  async #recover(h: JobHandle): Promise<LocalJobHandle | undefined> {
    if (typeof h.host === 'string' && h.host !== this.#host) return undefined
    let pid: number
    try {
      pid = Number.parseInt(readFileSync(path.join(h.jobDir, 'pid'), 'utf8'), 10)
    } catch {
      return undefined // never started
    }
    const exitFile = path.join(h.jobDir, 'exit.json')
    let visible = ''
    if (isAlive(pid)) {
      const env = processEnv(pid)
      if (env === undefined || env.RIVERS_EXIT_FILE !== exitFile) return undefined // the pid was reused
      visible = env.CUDA_VISIBLE_DEVICES ?? ''
    } else if (!existsSync(exitFile)) return undefined
    const inventory = await this.inventory()
    const gpus = visible
      .split(',')
      .filter((i) => i !== '')
      .map((i) => inventory.gpus.find((g) => g.index === i) ?? { index: i })
    const req = h.request as ResourceRequest | undefined
    const handle: LocalJobHandle = {
      launcher: 'local',
      id: String(pid),
      pid,
      host: this.#host,
      jobDir: h.jobDir,
      stdoutPath: h.stdoutPath,
      stderrPath: h.stderrPath,
      submittedAt: h.submittedAt,
      startedAt: h.submittedAt,
      gpus,
      request: req === undefined ? { gpus: gpus.length } : slotRequest(req),
    }
    const start = processStartTime(pid)
    if (start !== undefined) handle.pidStart = start
    if (req?.timeLimitMs !== undefined) handle.timeLimitMs = req.timeLimitMs
    return handle
  }

  #armTimeLimit(running: Running): void {
    const limit = running.handle.timeLimitMs
    if (limit === undefined) return
    const left = Math.max(0, Date.parse(running.handle.startedAt) + limit - Date.now())
    running.timer = setTimeout(
      () => this.#stop(running.handle, { state: 'timeout', reason: `stopped at its time limit of ${formatMs(limit)}` }),
      left,
    )
    running.timer.unref()
  }

  /**
   * The job's wrapper is gone: once no process of its group is left (leftovers get SIGTERM, then
   * SIGKILL after the grace period), its slots go back to the pool.
   */
  #finish(id: string): void {
    const running = this.#running.get(id)
    if (running === undefined) return
    this.#running.delete(id)
    clearTimeout(running.timer)
    clearTimeout(running.killTimer)
    const pgid = running.handle.pid
    if (!groupAlive(pgid)) {
      running.reservation.release()
      return
    }
    this.#draining.add(id)
    signalGroup(pgid, 'SIGTERM')
    const since = Date.now()
    const poll = setInterval(() => {
      if (!groupAlive(pgid)) {
        clearInterval(poll)
        this.#draining.delete(id)
        running.reservation.release()
      } else if (Date.now() - since > this.killGraceMs) signalGroup(pgid, 'SIGKILL')
    }, 50)
  }
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
}

function slotRequest(r: ResourceRequest): SlotRequest {
  const s: SlotRequest = { gpus: r.gpusPerNode }
  if (r.gpuType !== undefined) s.gpuType = r.gpuType
  if (r.cpus !== undefined) s.cpus = r.cpus
  if (r.memoryBytes !== undefined) s.memoryBytes = r.memoryBytes
  return s
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}

function readExit(file: string): ExitFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ExitFile
  } catch {
    return undefined
  }
}

function exitTime(jobDir: string): Date | undefined {
  try {
    return statSync(path.join(jobDir, 'exit.json')).mtime
  } catch {
    return undefined
  }
}

/** Why Rivers stopped a job (the `stopped` file of its folder). */
interface StopMarker {
  state: 'cancelled' | 'timeout'
  reason: string
}

function readStopMarker(jobDir: string): StopMarker | undefined {
  let text: string
  try {
    text = readFileSync(path.join(jobDir, 'stopped'), 'utf8')
  } catch {
    return undefined
  }
  try {
    const m = JSON.parse(text) as StopMarker
    return m.state === 'timeout' ? m : { state: 'cancelled', reason: m.reason ?? 'stopped: cancelled' }
  } catch {
    return { state: 'cancelled', reason: 'stopped: cancelled' }
  }
}
