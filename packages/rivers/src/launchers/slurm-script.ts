/**
 * Building what the Slurm launcher runs: the batch script (`#SBATCH` options from the request, the
 * job's environment, `srun` for multi-node jobs) and the argv of Slurm commands, locally or over SSH.
 * Pure functions, unit-tested without Slurm.
 */
import type { SlurmLauncherConfig, SshConfig } from '../definitions/index.js'
import { gpuTelemetryStart, gpuTelemetryStop } from './gpu-telemetry.js'
import { slurmRendezvousLines, slurmTaskArgv } from './rendezvous.js'
import type { JobSpec, ResourceRequest } from './types.js'

/**
 * Quotes a string for a POSIX shell (single quotes; safe for any content).
 *
 * @example
 * shellQuote("it's") // `'it'\''s'`
 */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

/**
 * A time limit as Slurm's `D-HH:MM:SS`, rounded up to whole seconds.
 *
 * @example
 * slurmTime(90_000) // '0-00:01:30'
 * slurmTime(86_400_000 + 3_600_000) // '1-01:00:00'
 */
export function slurmTime(ms: number): string {
  let s = Math.max(1, Math.ceil(ms / 1000))
  const d = Math.floor(s / 86400)
  s -= d * 86400
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d}-${two(h)}:${two(m)}:${two(s)}`
}

/**
 * The `#SBATCH` options of a job: name, output files, `--requeue` with output appended (a preempted
 * or requeued job runs again under the same id and folder), nodes, GPUs (`--gres=gpu[:type]:N` on one
 * node, `--gpus-per-node` on several), CPUs, memory (MiB, rounded up), time, partition, account,
 * QOS, then the launcher's extra `sbatchArgs`.
 *
 * @example
 * sbatchOptions({ nodes: 1, gpusPerNode: 2, cpus: 8 }, {}, { assetKey: 'model', stdoutPath: '/j/stdout.log', stderrPath: '/j/stderr.log', cwd: '/w' })
 * // ['--job-name=rivers:model', '--output=/j/stdout.log', '--error=/j/stderr.log', '--chdir=/w', '--requeue', '--open-mode=append', '--nodes=1', '--gres=gpu:2', '--cpus-per-task=8']
 */
export function sbatchOptions(
  r: ResourceRequest,
  config: Pick<SlurmLauncherConfig, 'partition' | 'account' | 'qos' | 'sbatchArgs'>,
  job: Pick<JobSpec, 'assetKey' | 'stdoutPath' | 'stderrPath' | 'cwd'>,
): string[] {
  const o = [
    `--job-name=rivers:${job.assetKey}`,
    `--output=${job.stdoutPath}`,
    `--error=${job.stderrPath}`,
    `--chdir=${job.cwd}`,
    // Requeued after a preemption or node failure (same id, same folder): append, keep every run's lines.
    '--requeue',
    '--open-mode=append',
    `--nodes=${r.nodes}`,
  ]
  const gpuSpec = (n: number): string => (r.gpuType === undefined ? `${n}` : `${r.gpuType}:${n}`)
  if (r.nodes > 1) {
    o.push('--ntasks-per-node=1')
    if (r.gpusPerNode > 0) o.push(`--gpus-per-node=${gpuSpec(r.gpusPerNode)}`)
  } else if (r.gpusPerNode > 0) o.push(`--gres=gpu:${gpuSpec(r.gpusPerNode)}`)
  if (r.cpus !== undefined) o.push(`--cpus-per-task=${Math.ceil(r.cpus)}`)
  if (r.memoryBytes !== undefined) o.push(`--mem=${Math.ceil(r.memoryBytes / 2 ** 20)}M`)
  if (r.timeLimitMs !== undefined) o.push(`--time=${slurmTime(r.timeLimitMs)}`)
  if (config.partition !== undefined) o.push(`--partition=${config.partition}`)
  if (config.account !== undefined) o.push(`--account=${config.account}`)
  if (config.qos !== undefined) o.push(`--qos=${config.qos}`)
  o.push(...(config.sbatchArgs ?? []))
  return o
}

/**
 * The batch script of a job. The job's variables are exported in the script itself (so it works the
 * same when submitted over SSH), the clients folder goes on `PYTHONPATH`, and the command's exit
 * status is written to `<jobDir>/exit.json` (kept after Slurm forgets the job). Multi-node jobs run
 * the command on every node with `srun`, each task with the rendezvous variables of `rendezvous.ts`
 * (`MASTER_ADDR`, `MASTER_PORT`, `WORLD_SIZE`, `RANK`, `LOCAL_RANK`, `NODE_RANK`). A job with GPUs
 * gets the GPU sampler of `gpu-telemetry.ts` beside its command.
 *
 * @example
 * const script = batchScript(job, { partition: 'gpu', setup: ['module load cuda'] })
 */
export function batchScript(
  job: JobSpec,
  config: Pick<SlurmLauncherConfig, 'partition' | 'account' | 'qos' | 'sbatchArgs' | 'setup'>,
): string {
  const lines = ['#!/bin/bash', ...sbatchOptions(job.request, config, job).map((o) => `#SBATCH ${o}`)]
  lines.push(`# Written by Rivers for asset '${job.assetKey}' (run ${job.runId}).`)
  for (const [name, value] of Object.entries(job.env).sort(([a], [b]) => (a < b ? -1 : 1)))
    lines.push(`export ${name}=${shellQuote(value)}`)
  if (job.env.RIVERS_CLIENTS !== undefined) lines.push('export PYTHONPATH="$RIVERS_CLIENTS${PYTHONPATH:+:$PYTHONPATH}"')
  lines.push(`cd ${shellQuote(job.cwd)} || exit 1`)
  lines.push(...(config.setup ?? []))
  // GPU telemetry (gpu-telemetry.ts): sampled on the batch host (the first node of a multi-node job).
  if (job.request.gpusPerNode > 0) lines.push(...gpuTelemetryStart())
  if (job.request.nodes > 1) {
    lines.push(...slurmRendezvousLines(job.env))
    lines.push(`srun --kill-on-bad-exit=1 ${slurmTaskArgv(job.command).map(shellQuote).join(' ')}`)
  } else lines.push(job.command.map(shellQuote).join(' '))
  lines.push('code=$?')
  if (job.request.gpusPerNode > 0) lines.push(...gpuTelemetryStop())
  lines.push(`printf '{"code":%d}\\n' "$code" > ${shellQuote(`${job.jobDir}/exit.json`)}`)
  lines.push('exit "$code"')
  return `${lines.join('\n')}\n`
}

/**
 * The argv that runs a Slurm command here, or on the login node over SSH (`BatchMode=yes`, so it
 * never prompts; the remote command is one shell-quoted string).
 *
 * @example
 * slurmArgv(['squeue', '-j', '42'], { host: 'login1', user: 'ana', port: 2222 })
 * // ['ssh', '-o', 'BatchMode=yes', '-p', '2222', 'ana@login1', '--', 'squeue -j 42']
 */
export function slurmArgv(argv: readonly string[], ssh: SshConfig | undefined): string[] {
  if (ssh === undefined) return [...argv]
  const out = ['ssh', '-o', 'BatchMode=yes']
  if (ssh.port !== undefined) out.push('-p', String(ssh.port))
  if (ssh.identityFile !== undefined) out.push('-i', ssh.identityFile)
  out.push(...(ssh.options ?? []))
  out.push(ssh.user === undefined ? ssh.host : `${ssh.user}@${ssh.host}`, '--', argv.map(shellQuote).join(' '))
  return out
}
