/**
 * The Slurm launcher: `sbatch` (here, or over SSH on a login node), `scontrol show job` to follow the
 * job (`sacct` once Slurm has forgotten it, when accounting exists; else the exit status the batch
 * script leaves in the job folder), `scancel` to stop it. Validation reads `sinfo`, so a request no
 * node of the partition can satisfy is refused before the run starts.
 *
 * Job folders (script, output, messages) must be on a file system the compute nodes see: the store
 * folder by default, or `jobsDir`.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { formatBytes, type SlurmLauncherConfig } from '../definitions/index.js'
import { launcherUnavailable, submitFailed, unschedulable } from './errors.js'
import { describeExecFailure, execCommand, type ExecResult } from './exec.js'
import { describeRequest, formatMs } from './resources.js'
import { batchScript, slurmArgv } from './slurm-script.js'
import { SINFO_FORMAT, parseScontrol, parseSinfo, type SinfoNode } from './slurm-parse.js'
import { SACCT_FORMAT, overMemoryKilled, parseSacct, slurmStatus } from './slurm-status.js'
import type { JobContext, JobHandle, JobSpec, JobStatus, LaunchTarget, Launcher, ResourceRequest } from './types.js'

/**
 * Options of the Slurm launcher: the launcher settings plus test knobs.
 *
 * @example
 * const slurm = new SlurmLauncher({ partition: 'gpu', ssh: { host: 'login1' } })
 */
export interface SlurmLauncherOptions extends Omit<SlurmLauncherConfig, 'type' | 'pollInterval'> {
  /** Poll interval of the supervisor (default 1 s). */
  pollIntervalMs?: number
  /** Limit for each Slurm command (default 60 s). */
  commandTimeoutMs?: number
  /** How long `sinfo` results are reused (default 30 s). */
  sinfoCacheMs?: number
  /**
   * How many times a job that ends PREEMPTED is requeued (`scontrol requeue`, same job id, same
   * folder and `RIVERS_CHECKPOINT_DIR`) before it counts as preempted (default 3; Slurm's own
   * requeues count too).
   */
  maxRequeues?: number
}

/** Requeues of a preempted job before it counts as preempted, unless `maxRequeues` says otherwise. */
export const DEFAULT_MAX_REQUEUES = 3

/** The Slurm launcher's handle. */
export interface SlurmJobHandle extends JobHandle {
  launcher: 'slurm'
  /** The login node, when submitted over SSH. */
  via?: string
  script: string
}

/**
 * Submits and follows Slurm jobs.
 *
 * @example
 * const slurm = new SlurmLauncher({ partition: 'debug' })
 * await slurm.validate({ nodes: 1, gpusPerNode: 1 }, { assetKey: 'model', kind: 'command' })
 */
export class SlurmLauncher implements Launcher {
  readonly name = 'slurm'
  readonly pollIntervalMs: number
  readonly jobsDir: string | undefined
  readonly options: SlurmLauncherOptions
  #sinfo: { at: number; nodes: Promise<SinfoNode[]> } | undefined

  constructor(options: SlurmLauncherOptions = {}) {
    this.options = options
    this.pollIntervalMs = options.pollIntervalMs ?? 1000
    this.jobsDir = options.jobsDir === undefined ? undefined : path.resolve(options.jobsDir)
  }

  /** Runs a Slurm command here or on the login node. */
  run(argv: readonly string[], stdin?: string): Promise<ExecResult> {
    return execCommand(slurmArgv(argv, this.options.ssh), {
      timeoutMs: this.options.commandTimeoutMs ?? 60_000,
      ...(stdin === undefined ? {} : { stdin }),
    })
  }

  /** The nodes of the cluster as `sinfo` reports them (cached). */
  nodes(assetKeys: readonly string[] = []): Promise<SinfoNode[]> {
    const now = Date.now()
    if (this.#sinfo === undefined || now - this.#sinfo.at > (this.options.sinfoCacheMs ?? 30_000)) {
      const argv = ['sinfo', '-h', '-N', '-o', SINFO_FORMAT]
      const nodes = this.run(argv).then((r) => {
        if (r.code !== 0)
          throw launcherUnavailable(
            'slurm',
            assetKeys,
            describeExecFailure(slurmArgv(argv, this.options.ssh), r),
            this.options.ssh === undefined
              ? 'install the Slurm client tools and make sure slurmctld is reachable (`sinfo` must work), or set launcher.ssh to submit through a login node'
              : `check that \`ssh ${this.options.ssh.host} sinfo\` works without a password prompt`,
          )
        return parseSinfo(r.stdout)
      })
      nodes.catch(() => (this.#sinfo = undefined))
      this.#sinfo = { at: now, nodes }
    }
    return this.#sinfo.nodes
  }

  async validate(request: ResourceRequest, target: LaunchTarget): Promise<void> {
    const key = target.assetKey
    const all = await this.nodes([key])
    const partitions = [...new Set(all.map((n) => n.partition))]
    const partition = this.options.partition ?? all.find((n) => n.isDefault)?.partition
    const nodes = partition === undefined ? all : all.filter((n) => n.partition === partition)
    const where = partition === undefined ? 'the cluster' : `partition '${partition}'`
    if (nodes.length === 0) {
      throw unschedulable(
        key,
        'slurm',
        `is to run in ${where}`,
        partition === undefined
          ? 'sinfo lists no nodes'
          : `there is no such partition (partitions: ${partitions.join(', ') || 'none'})`,
        'set launcher.partition to one of them',
      )
    }
    const gpusOf = (n: SinfoNode): number =>
      request.gpuType === undefined ? Object.values(n.gpus).reduce((a, b) => a + b, 0) : (n.gpus[request.gpuType] ?? 0)
    if (request.gpuType !== undefined && request.gpusPerNode > 0 && !nodes.some((n) => gpusOf(n) > 0)) {
      const types = [...new Set(nodes.flatMap((n) => Object.keys(n.gpus).filter((t) => t !== '')))]
      throw unschedulable(
        key,
        'slurm',
        `asks for GPU type '${request.gpuType}'`,
        types.length === 0
          ? `the nodes of ${where} have no typed GPUs`
          : `${where} has GPU types ${types.map((t) => `'${t}'`).join(', ')}`,
        types.length === 0 ? 'remove gpuType' : 'use one of those types as resources.gpuType',
      )
    }
    const max = (f: (n: SinfoNode) => number): number => nodes.reduce((m, n) => Math.max(m, f(n)), 0)
    const perNode = request.nodes > 1 ? ' per node' : ''
    if (request.gpusPerNode > max(gpusOf)) {
      const m = max(gpusOf)
      throw unschedulable(
        key,
        'slurm',
        `asks for ${request.gpusPerNode} ${request.gpuType ?? ''}${request.gpuType ? ' ' : ''}GPUs${perNode}`,
        `the largest node of ${where} has ${m}`,
        m === 0
          ? 'set resources.gpus to 0, or use a partition with GPUs'
          : `ask for at most ${m} GPUs per node (spread the job over more nodes with nodes + gpusPerNode)`,
      )
    }
    if (request.cpus !== undefined && request.cpus > max((n) => n.cpus)) {
      throw unschedulable(
        key,
        'slurm',
        `asks for ${request.cpus} CPUs${perNode}`,
        `the largest node of ${where} has ${max((n) => n.cpus)}`,
        `lower resources.cpus to at most ${max((n) => n.cpus)}`,
      )
    }
    const memMiB = request.memoryBytes === undefined ? undefined : Math.ceil(request.memoryBytes / 2 ** 20)
    if (memMiB !== undefined && memMiB > max((n) => n.memoryMiB)) {
      const m = max((n) => n.memoryMiB)
      throw unschedulable(
        key,
        'slurm',
        `asks for ${formatBytes(request.memoryBytes!)} of memory${perNode}`,
        `the largest node of ${where} has ${formatBytes(m * 2 ** 20)}`,
        `lower resources.memory to at most '${m}Mi'`,
      )
    }
    const fit = new Set(
      nodes
        .filter(
          (n) =>
            gpusOf(n) >= request.gpusPerNode &&
            (request.cpus === undefined || n.cpus >= request.cpus) &&
            (memMiB === undefined || n.memoryMiB >= memMiB),
        )
        .map((n) => n.name),
    )
    if (fit.size < request.nodes) {
      throw unschedulable(
        key,
        'slurm',
        `asks for ${request.nodes} nodes with ${describeRequest({ ...request, nodes: 1, timeLimitMs: undefined })} each`,
        `${where} has ${fit.size} such node${fit.size === 1 ? '' : 's'}`,
        `lower resources.nodes to at most ${fit.size}, or ask for less per node`,
      )
    }
    const limit = nodes[0]!.timeLimitMs
    if (request.timeLimitMs !== undefined && request.timeLimitMs > limit) {
      throw unschedulable(
        key,
        'slurm',
        `asks for a time limit of ${formatMs(request.timeLimitMs)}`,
        `${where} allows at most ${formatMs(limit)}`,
        `lower resources.timeLimit to at most '${Math.floor(limit / 60_000)}m', or use a partition with a longer limit`,
      )
    }
  }

  async submit(job: JobSpec, ctx: JobContext): Promise<SlurmJobHandle> {
    const script = batchScript(job, this.options)
    const scriptPath = path.join(job.jobDir, 'job.sbatch')
    writeFileSync(scriptPath, script, { mode: 0o700 })
    const argv = this.options.ssh === undefined ? ['sbatch', '--parsable', scriptPath] : ['sbatch', '--parsable']
    const r = await this.run(argv, this.options.ssh === undefined ? undefined : script)
    const id = r.stdout.trim().split('\n').pop()?.split(';')[0]?.trim() ?? ''
    if (r.code !== 0 || !/^\d+(_\d+)?$/.test(id))
      throw submitFailed(job.assetKey, 'slurm', describeExecFailure(slurmArgv(argv, this.options.ssh), r))
    const handle: SlurmJobHandle = {
      launcher: 'slurm',
      id,
      jobDir: job.jobDir,
      stdoutPath: job.stdoutPath,
      stderrPath: job.stderrPath,
      submittedAt: new Date().toISOString(),
      script: scriptPath,
    }
    if (this.options.ssh !== undefined) handle.via = this.options.ssh.host
    await ctx.jobs.saveHandle(handle)
    return handle
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    const s = await this.#query(handle)
    return (
      s ?? {
        state: 'failed',
        reason: `Slurm no longer knows job ${handle.id} (purged after MinJobAge, no accounting) and it left no exit status in its folder`,
      }
    )
  }

  async cancel(handle: JobHandle): Promise<void> {
    const argv = ['scancel', handle.id]
    const r = await this.run(argv)
    if (r.code !== 0 && !/Invalid job id|already completing|completed/i.test(r.stderr)) {
      throw launcherUnavailable(
        'slurm',
        [],
        `could not cancel job ${handle.id}: ${describeExecFailure(argv, r)}`,
        `cancel it yourself: scancel ${handle.id}`,
      )
    }
  }

  async reattach(h: JobHandle): Promise<{ handle: JobHandle; status: JobStatus } | undefined> {
    if (h.launcher !== 'slurm') return undefined
    const handle = h.id === '' ? await this.#recover(h) : h
    if (handle === undefined) return undefined
    const status = await this.#query(handle)
    return status === undefined ? undefined : { handle, status }
  }

  /** The job of a provisional handle, found by its batch script (the job folder's `job.sbatch`). */
  async #recover(h: JobHandle): Promise<SlurmJobHandle | undefined> {
    const script = path.join(h.jobDir, 'job.sbatch')
    const r = await this.run(['squeue', '-h', '-o', '%i|%o'])
    const id =
      r.code === 0
        ? r.stdout
            .split('\n')
            .map((l) => l.trim().split('|'))
            .find(([, cmd]) => cmd === script)?.[0]
        : undefined
    const exitKnown = (() => {
      try {
        readFileSync(path.join(h.jobDir, 'exit.json'))
        return true
      } catch {
        return false
      }
    })()
    if (id === undefined && !exitKnown) return undefined
    const handle: SlurmJobHandle = {
      launcher: 'slurm',
      id: id ?? 'unknown',
      jobDir: h.jobDir,
      stdoutPath: h.stdoutPath,
      stderrPath: h.stderrPath,
      submittedAt: h.submittedAt,
      script,
    }
    if (this.options.ssh !== undefined) handle.via = this.options.ssh.host
    return handle
  }

  /** The job's status, or undefined when neither Slurm nor its folder knows it. */
  async #query(handle: JobHandle): Promise<JobStatus | undefined> {
    const argv = ['scontrol', 'show', 'job', '-o', handle.id]
    const r = await this.run(argv)
    if (r.code === 0 && r.stdout.includes('JobState=')) {
      const f = parseScontrol(r.stdout)
      const s = overMemoryKilled(
        slurmStatus({
          state: f['JobState'] ?? '',
          exitCode: f['ExitCode'],
          reason: f['Reason'],
          start: f['StartTime'],
          end: f['EndTime'],
          nodes: f['NodeList'],
          tres: f['TRES'],
        }),
        () => stderrTail(handle),
      )
      const restarts = Number(f['Restarts'] ?? 0)
      if (restarts > 0) s.restarts = restarts
      return s.state === 'preempted' || s.state === 'node_fail' ? this.#requeueLost(handle, s, restarts) : s
    }
    if (r.code !== 0 && !/Invalid job id/i.test(r.stderr)) {
      throw launcherUnavailable(
        'slurm',
        [],
        `could not read the state of job ${handle.id}: ${describeExecFailure(slurmArgv(argv, this.options.ssh), r)}`,
        'check that slurmctld is up (`scontrol ping`)',
      )
    }
    // Forgotten by slurmctld (after MinJobAge): accounting, if the cluster has it.
    const acct = await this.run(['sacct', '-j', handle.id, '-X', '--noheader', '--parsable2', '--format', SACCT_FORMAT])
    const row = acct.code === 0 ? parseSacct(acct.stdout).find((j) => j.jobId === handle.id) : undefined
    if (row !== undefined) {
      const s = overMemoryKilled(slurmStatus(row), () => stderrTail(handle))
      s.reason = s.reason === undefined ? 'from sacct' : `${s.reason} (from sacct)`
      return s
    }
    // Last resort: the exit status the batch script wrote.
    try {
      const exit = JSON.parse(readFileSync(path.join(handle.jobDir, 'exit.json'), 'utf8')) as { code: number }
      return {
        state: exit.code === 0 ? 'succeeded' : 'failed',
        exitCode: exit.code,
        reason: 'from the exit status in the job folder (Slurm no longer knows the job)',
      }
    } catch {
      return undefined
    }
  }

  /**
   * A job that ended PREEMPTED or NODE_FAIL (its node went down and Slurm did not requeue it), while
   * requeues are left: `scontrol requeue` puts it back in the queue under the same id (Slurm delays
   * its start by a couple of minutes), so it runs the same script in the same folder with the same
   * `RIVERS_CHECKPOINT_DIR`. Past the limit, or when Slurm refuses (a job submitted with
   * `--no-requeue`), it stays preempted / node_fail.
   */
  async #requeueLost(handle: JobHandle, s: JobStatus, restarts: number): Promise<JobStatus> {
    const max = this.options.maxRequeues ?? DEFAULT_MAX_REQUEUES
    const what = s.state === 'preempted' ? 'preempted' : 'lost its node'
    if (restarts >= max)
      return { ...s, reason: `${s.reason ?? what}; requeued ${restarts} times already (maxRequeues ${max})` }
    const r = await this.run(['scontrol', 'requeue', handle.id])
    if (r.code !== 0)
      return { ...s, reason: `${s.reason ?? what}; could not requeue it: ${(r.stderr || r.stdout).trim()}` }
    return {
      state: 'pending',
      reason: `${what}; requeued by Rivers (restart ${restarts + 1} of at most ${max})`,
      restarts: restarts + 1,
    }
  }
}

/** The last 4 KiB of a job's stderr file ('' when it cannot be read). */
function stderrTail(handle: JobHandle): string {
  try {
    const fd = openSync(handle.stderrPath, 'r')
    try {
      const size = fstatSync(fd).size
      const buf = Buffer.alloc(Math.min(size, 4096))
      readSync(fd, buf, 0, buf.length, size - buf.length)
      return buf.toString('utf8')
    } finally {
      closeSync(fd)
    }
  } catch {
    return ''
  }
}
