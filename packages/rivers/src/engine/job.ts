/**
 * A command asset runs as a job: its inputs' artifacts, config and output location reach it through
 * the job protocol; its output file becomes the asset's value (parsed JSON for `.json`, else a
 * Buffer), and the metrics, metadata and data version it reported land in the materialization
 * record. The job is recorded in the store before it is submitted; a restarted run whose asset has
 * the same fingerprint (code, config, inputs, command) reattaches to it instead of submitting it
 * again. Every attempt of the same work gets the same `RIVERS_CHECKPOINT_DIR`
 * (`launchers/checkpoints.ts`), removed once the job succeeded. The launcher sees only the job and a
 * `JobContext`.
 */
import { mkdirSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'

import { type AssetContext, type AssetDef, result } from '../definitions/index.js'
import { jobOutputMissing } from '../job/errors.js'
import { jobPaths, prepareJobFiles, readJobOutput } from '../job/files.js'
import { JobReport } from '../job/report.js'
import { CHECKPOINT_ENV, checkpointDir, prepareCheckpointDir, removeCheckpointDir } from '../launchers/checkpoints.js'
import { badCommand, jobEnded } from '../launchers/errors.js'
import { jobsDirOf } from '../launchers/registry.js'
import { describeRequest } from '../launchers/resources.js'
import { safeLogger, superviseJob } from '../launchers/supervise.js'
import type { JobContext, JobHandle, JobStatus, Launcher, ResourceRequest } from '../launchers/types.js'
import type { JobUpdate } from '../store/types.js'
import { inputArtifacts, jobFingerprint } from './job-inputs.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'
import { userCode } from './user-code.js'

/**
 * Runs a command asset as a job through `launcher` (or reattaches to the job an earlier run left
 * running) and returns the value to store.
 *
 * @example
 * const value = await runCommandJob(run, id, def, inputs, ctx, launcher, request)
 */
export async function runCommandJob(
  run: RunContext,
  id: AssetId,
  def: AssetDef,
  inputs: Record<string, unknown>,
  ctx: AssetContext<unknown>,
  launcher: Launcher,
  request: ResourceRequest,
): Promise<unknown> {
  const command = await resolveCommand(run, def, inputs, ctx)
  const cwd = path.resolve(def.cwd ?? '.')
  const { report, handle, checkpoint } = await runJob(run, id, def, ctx, launcher, request, {
    identity: command,
    cwd,
    inputs: (jobDir) => inputArtifacts(run, id, inputs, jobDir),
    command: () => command,
  })
  for (const m of report.metrics) ctx.addMetric(m.name, m.value, m.step)
  const files = jobPaths(handle.jobDir)
  const outputFile = report.outputPath === undefined ? files.outputPath : path.resolve(cwd, report.outputPath)
  const value = await readJobOutput(def.key, outputFile)
  if (value === undefined && report.outputPath !== undefined) throw jobOutputMissing(def.key, outputFile)
  if (value === undefined) ctx.log.warn(`the job wrote no output (${files.outputPath}); the asset's value is null`)
  removeCheckpointDir(checkpoint) // done: the next materialization starts fresh
  return report.dataVersion === undefined ? (value ?? null) : result(value ?? null, { dataVersion: report.dataVersion })
}

/**
 * How the engine runs one job: what it computes (for reattaching), where, and how its folder is
 * filled and its command made once the folder exists.
 */
export interface JobPlan {
  /** Stands for the command in the job's fingerprint: a restarted run reattaches only to the same work. */
  identity: readonly string[]
  cwd: string
  /** Input name -> artifact path, for the protocol's `RIVERS_INPUTS`. */
  inputs: (jobDir: string) => Promise<Record<string, string>>
  /** The command, once the new job's folder exists (it may write more files into it first). */
  command: (jobDir: string, checkpointDir: string) => readonly string[] | Promise<readonly string[]>
  /** The error to fail with when the job did not succeed, in place of the launcher's (e.g. what a worker reported). */
  failure?: (jobDir: string) => Error | undefined
}

/** A job that succeeded: its handle, what it reported, and its checkpoint folder (still there). */
export interface FinishedJob {
  handle: JobHandle
  report: JobReport
  final: JobStatus
  checkpoint: string
}

/**
 * Submits the job of `plan` through `launcher` (or reattaches to the job an earlier run left
 * running for the same work), supervises it to its end, and records its metadata on `ctx`; throws
 * when it did not succeed.
 *
 * @example
 * const { report, handle } = await runJob(run, id, def, ctx, launcher, request, plan)
 */
export async function runJob(
  run: RunContext,
  id: AssetId,
  def: AssetDef,
  ctx: AssetContext<unknown>,
  launcher: Launcher,
  request: ResourceRequest,
  plan: JobPlan,
): Promise<FinishedJob> {
  const log = ctx.log
  const store = run.store
  const cwd = plan.cwd
  const fingerprint = jobFingerprint(run, id, def, plan.identity, cwd, launcher.name, request)
  // One checkpoint folder per materialization: every attempt, requeue and restarted run sees it.
  const checkpoint = checkpointDir(jobsDirOf(launcher, run.storeDir), def.key, ctx.partition?.key, fingerprint)

  let job = await reattach(run, def, launcher, fingerprint, log)
  if (job === undefined) {
    const jobDir = path.join(
      jobsDirOf(launcher, run.storeDir),
      run.runId,
      ...def.key.split('/'),
      ...(ctx.partition === undefined ? [] : [`partition-${safeSegment(ctx.partition.key)}`]),
      `attempt-${ctx.attempt}`,
    )
    mkdirSync(jobDir, { recursive: true, mode: 0o700 })
    const files = prepareJobFiles({
      jobDir,
      runId: run.runId,
      assetKey: def.key,
      attempt: ctx.attempt,
      config: ctx.config ?? null,
      inputs: await plan.inputs(jobDir),
      gpus: [],
      resources: { ...def.resources },
      launcher: launcher.name,
    })
    const protocolEnv = { ...files.env, [CHECKPOINT_ENV]: prepareCheckpointDir(checkpoint) }
    const command = [...(await plan.command(jobDir, checkpoint))]
    // Recorded before it is handed over: if this process dies before the launcher's id is known,
    // a restarted run still finds the job by its folder (reattach with a provisional handle).
    const provisional: JobHandle = {
      launcher: launcher.name,
      id: '',
      jobDir,
      stdoutPath: files.stdoutPath,
      stderrPath: files.stderrPath,
      submittedAt: new Date().toISOString(),
      host: hostname(),
      request,
    }
    const jobId = await store.insertJob({
      runId: run.runId,
      key: def.key,
      attempt: ctx.attempt,
      launcher: launcher.name,
      fingerprint,
      handle: provisional,
    })
    const jobCtx: JobContext = {
      runId: run.runId,
      assetKey: def.key,
      attempt: ctx.attempt,
      signal: ctx.signal,
      log,
      jobDir,
      env: protocolEnv,
      jobs: {
        saveHandle: async (handle) => void (await store.updateJob(jobId, { handle })),
        waiting: async (why) => {
          log.info(
            { launcher: launcher.name, request: describeRequest(request) },
            `waiting for resources (${describeRequest(request)}): ${why}`,
          )
          await store.updateJob(jobId, { reason: `waiting for resources: ${why}` })
        },
      },
    }
    let handle: JobHandle
    try {
      handle = await launcher.submit(
        {
          runId: run.runId,
          assetKey: def.key,
          command,
          env: { ...def.env, ...protocolEnv },
          cwd,
          request,
          jobDir,
          stdoutPath: files.stdoutPath,
          stderrPath: files.stderrPath,
        },
        jobCtx,
      )
    } catch (e) {
      await store.updateJob(jobId, {
        state: ctx.signal.aborted ? 'cancelled' : 'failed',
        reason: e instanceof Error ? e.message.split('\n')[0]! : String(e),
        finishedAt: new Date(),
      })
      throw e
    }
    await store.updateJob(jobId, { handle, reason: null })
    await store.appendEvent(run.runId, 'job_submitted', def.key, {
      jobId,
      launcher: launcher.name,
      launcherJobId: handle.id,
    })
    log.info(
      { job: handle.id, launcher: launcher.name, jobDir },
      `${launcher.name} job ${handle.id} submitted: ${command.join(' ')}`,
    )
    job = { jobId, handle }
  }

  const { jobId, handle } = job
  const files = jobPaths(handle.jobDir)
  const jobLog = safeLogger(log).child({ job: handle.id })
  const report = new JobReport(files.messagesPath, jobLog)
  // Job state changes are written in order, each after the one before.
  let updates: Promise<unknown> = Promise.resolve()
  // Requeues seen so far; the first status sets it (a reattached job may have been requeued before).
  let restarts: number | undefined
  const final = await superviseJob(launcher, handle, {
    signal: ctx.signal,
    log: jobLog,
    report,
    onStatus: (s) => {
      const requeued = restarts !== undefined && (s.restarts ?? 0) > restarts
      restarts = Math.max(restarts ?? 0, s.restarts ?? 0)
      updates = updates
        .then(() => store.updateJob(jobId, statusUpdate(s)))
        .then(() =>
          requeued
            ? store.appendEvent(run.runId, 'job_requeued', def.key, {
                jobId,
                launcherJobId: handle.id,
                restarts: s.restarts,
                reason: s.reason ?? null,
                checkpointDir: checkpoint,
              })
            : undefined,
        )
        .catch((e: unknown) => jobLog.warn({ err: e }, `could not record the state of job ${handle.id}`))
    },
  })
  await updates
  ctx.addMetadata({ ...report.metadata, job: jobMetadata(launcher, handle, final) })
  await store.appendEvent(run.runId, 'job_finished', def.key, {
    jobId,
    state: final.state,
    exitCode: final.exitCode ?? null,
  })

  if (
    final.stoppedBy !== undefined &&
    final.stoppedBy !== 'never_starts' &&
    ctx.signal.aborted &&
    ctx.signal.reason instanceof Error
  )
    throw ctx.signal.reason
  if (final.state !== 'succeeded')
    throw (
      plan.failure?.(handle.jobDir) ??
      jobEnded(
        def.key,
        launcher.name,
        handle.id,
        final.state === 'pending' || final.state === 'running' ? 'failed' : final.state,
        final.exitCode,
        final.reason,
        final.stderrTail,
        handle.jobDir,
      )
    )
  // Files the job attached: kept with the record (a relative path is the job folder's).
  for (const a of report.artifacts) await ctx.attach(path.resolve(handle.jobDir, a.path), a.name)
  return { handle, report, final, checkpoint }
}

/** A partition key as one folder name. */
function safeSegment(key: string): string {
  return key.replace(/[^A-Za-z0-9_.=-]/g, '_')
}

/**
 * The job an earlier run of this asset left pending or running for the same work, adopted by this
 * run; jobs the launcher no longer knows (or older duplicates) are marked failed.
 */
async function reattach(
  run: RunContext,
  def: AssetDef,
  launcher: Launcher,
  fingerprint: string,
  log: AssetContext<unknown>['log'],
): Promise<{ jobId: number; handle: JobHandle } | undefined> {
  const store = run.store
  let adopted: { jobId: number; handle: JobHandle } | undefined
  for (const previous of await store.activeJobs(def.key, launcher.name, fingerprint)) {
    const found =
      previous.handle === null || adopted !== undefined
        ? undefined
        : await launcher.reattach(previous.handle as JobHandle).catch((e: unknown) => {
            log.warn({ err: e }, `could not reattach to ${launcher.name} job of run ${previous.runId}`)
            return undefined
          })
    if (found === undefined) {
      await store.updateJob(previous.id, {
        state: 'failed',
        reason:
          adopted === undefined
            ? 'lost: the launcher no longer knows it'
            : 'superseded by a newer job of the same asset',
        finishedAt: new Date(),
      })
      continue
    }
    adopted = { jobId: previous.id, handle: found.handle }
    await store.updateJob(previous.id, { runId: run.runId, handle: found.handle })
    await store.appendEvent(run.runId, 'job_reattached', def.key, {
      jobId: previous.id,
      launcherJobId: found.handle.id,
      fromRun: previous.runId,
      state: found.status.state,
    })
    log.info(
      { job: found.handle.id, fromRun: previous.runId, state: found.status.state },
      `reattached to ${launcher.name} job ${found.handle.id} of run ${previous.runId} (${found.status.state}) instead of submitting it again`,
    )
  }
  return adopted
}

/** The command of a command asset: its list, or what its command function returns (user code). */
async function resolveCommand(
  run: RunContext,
  def: AssetDef,
  inputs: Record<string, unknown>,
  ctx: AssetContext<unknown>,
): Promise<string[]> {
  const command = def.command
  const scope = { key: def.key, runId: run.runId, projectDir: run.state.baseDir }
  const given = typeof command === 'function' ? await userCode(scope, 'command', () => command(inputs, ctx)) : command
  if (!Array.isArray(given) || given.length === 0 || !given.every((a) => typeof a === 'string') || given[0] === '') {
    const got = Array.isArray(given)
      ? given.length === 0
        ? 'an empty array'
        : `an array with a non-string or empty program (${JSON.stringify(given).slice(0, 80)})`
      : `${typeof given}${typeof given === 'string' ? ` (${JSON.stringify(given)})` : ''}`
    throw badCommand(def.key, got)
  }
  return [...given]
}

function statusUpdate(s: JobStatus): JobUpdate {
  const u: JobUpdate = { state: s.state, reason: s.reason ?? null }
  if (s.startedAt !== undefined) u.startedAt = s.startedAt
  if (s.finishedAt !== undefined) u.finishedAt = s.finishedAt
  if (s.exitCode !== undefined) u.exitCode = s.exitCode
  return u
}

function jobMetadata(launcher: Launcher, handle: JobHandle, s: JobStatus): Record<string, unknown> {
  const m: Record<string, unknown> = {
    launcher: launcher.name,
    id: handle.id,
    state: s.state,
    submittedAt: handle.submittedAt,
    jobDir: handle.jobDir,
  }
  const started = s.startedAt ?? (typeof handle.startedAt === 'string' ? new Date(handle.startedAt) : undefined)
  if (started !== undefined) {
    m.startedAt = started.toISOString()
    m.queuedMs = Math.max(0, started.getTime() - Date.parse(handle.submittedAt))
  }
  if (s.finishedAt !== undefined) m.finishedAt = s.finishedAt.toISOString()
  if (s.exitCode !== undefined) m.exitCode = s.exitCode
  if (s.nodes !== undefined) m.nodes = s.nodes
  if (s.tres !== undefined) m.tres = s.tres
  const gpus = s.gpus ?? (handle.gpus as unknown[] | undefined)
  if (gpus !== undefined && gpus.length > 0) m.gpus = gpus
  return m
}
