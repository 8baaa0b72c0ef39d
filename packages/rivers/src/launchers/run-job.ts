/**
 * `runJob`: what the executor calls instead of an asset's function when the asset runs through a
 * launcher (it has a `command`, `resources` or a `launcher`). Keeps the executor's semantics: the
 * asset's signal (run cancelled, asset timed out) stops the job; a failed job fails the attempt,
 * so retries apply; the value returned is stored like any function's.
 *
 * A command runs as a job: its inputs' artifacts, config and output location reach it through the
 * job protocol; its output file becomes the asset's value (parsed JSON for `.json`, else a Buffer),
 * and the metrics, metadata and data version it reported land in the materialization record.
 * The job is recorded in the store before it is submitted; a restarted run whose asset has the same
 * fingerprint (code, config, inputs, command) reattaches to it instead of submitting it again.
 *
 * A function with `resources` runs in this process while it holds its GPU (and CPU, memory) slots of
 * the local pool; `ctx.gpus` lists its GPUs.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'

import { result, type AssetContext, type AssetDef, type SourceDef } from '../definitions/index.js'
import type { RunContext } from '../engine/run-asset.js'
import { jobOutputMissing } from '../job/errors.js'
import { jobPaths, prepareJobFiles, readJobOutput } from '../job/files.js'
import { JobReport } from '../job/report.js'
import { badCommand, cannotHonour, jobEnded } from './errors.js'
import { jobsDirOf, launcherConfigOf, launcherFor, usesLauncher } from './registry.js'
import { describeRequest, normalizeResources } from './resources.js'
import { safeLogger, superviseJob } from './supervise.js'
import type { JobHandle, JobStatus, Launcher, ResourceRequest } from './types.js'

export { usesLauncher }

/**
 * Runs an asset through its launcher and returns the value to store (wrapped with `result()` when
 * the job reported a data version).
 *
 * @example
 * const value = usesLauncher(def) ? await runJob(rc, def, inputs, ctx) : await def.fn(inputs, ctx)
 */
export async function runJob(
  rc: RunContext,
  def: AssetDef,
  inputs: Record<string, unknown>,
  ctx: AssetContext<unknown>,
): Promise<unknown> {
  const storeDir = path.dirname(rc.state.store.file)
  const config = launcherConfigOf(def, rc.state.project)
  const launcher = launcherFor(config, storeDir)
  const request = normalizeResources(def.resources)
  const kind = def.command === undefined ? 'function' : 'command'
  await launcher.validate(request, { assetKey: def.key, kind })
  const log = ctx.log
  const onQueued = (why: string): void =>
    log.info(
      { launcher: launcher.name, request: describeRequest(request) },
      `waiting for resources (${describeRequest(request)}): ${why}`,
    )
  if (def.command === undefined) return runFunction(launcher, def, inputs, ctx, request, onQueued)

  const command = await resolveCommand(def, inputs, ctx)
  const cwd = path.resolve(def.cwd ?? '.')
  const fingerprint = jobFingerprint(rc, def, command, cwd, launcher.name, request)
  const store = rc.state.store

  let jobId: number | undefined
  let handle: JobHandle | undefined
  for (const previous of store.activeJobs(def.key, launcher.name, fingerprint)) {
    const found =
      previous.handle === null || jobId !== undefined
        ? undefined
        : await launcher
            .reattach(previous.handle as JobHandle)
            .catch(
              (e: unknown) => (
                log.warn({ err: e }, `could not reattach to ${launcher.name} job of run ${previous.runId}`), undefined
              ),
            )
    if (found === undefined) {
      store.updateJob(previous.id, {
        state: 'failed',
        reason:
          jobId === undefined ? 'lost: the launcher no longer knows it' : 'superseded by a newer job of the same asset',
        finishedAt: new Date(),
      })
      continue
    }
    jobId = previous.id
    handle = found.handle
    store.updateJob(previous.id, { runId: rc.runId, handle })
    store.appendEvent(rc.runId, 'job_reattached', def.key, {
      jobId: previous.id,
      launcherJobId: handle.id,
      fromRun: previous.runId,
      state: found.status.state,
    })
    log.info(
      { job: handle.id, fromRun: previous.runId, state: found.status.state },
      `reattached to ${launcher.name} job ${handle.id} of run ${previous.runId} (${found.status.state}) instead of submitting it again`,
    )
  }

  if (handle === undefined || jobId === undefined) {
    const jobDir = path.join(jobsDirOf(config, storeDir), rc.runId, ...def.key.split('/'), `attempt-${ctx.attempt}`)
    mkdirSync(jobDir, { recursive: true, mode: 0o700 })
    const inputPaths = await inputArtifacts(rc, def, inputs, jobDir)
    const files = prepareJobFiles({
      jobDir,
      runId: rc.runId,
      assetKey: def.key,
      attempt: ctx.attempt,
      config: ctx.config ?? null,
      inputs: inputPaths,
      gpus: [],
      resources: { ...def.resources },
      launcher: launcher.name,
    })
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
    jobId = store.insertJob({
      runId: rc.runId,
      key: def.key,
      attempt: ctx.attempt,
      launcher: launcher.name,
      fingerprint,
      handle: provisional,
    })
    try {
      handle = await launcher.submit(
        {
          runId: rc.runId,
          assetKey: def.key,
          command,
          env: { ...def.env, ...files.env },
          cwd,
          request,
          jobDir,
          stdoutPath: files.stdoutPath,
          stderrPath: files.stderrPath,
        },
        {
          signal: ctx.signal,
          onQueued: (why) => (onQueued(why), store.updateJob(jobId!, { reason: `waiting for resources: ${why}` })),
        },
      )
    } catch (e) {
      store.updateJob(jobId, {
        state: ctx.signal.aborted ? 'cancelled' : 'failed',
        reason: e instanceof Error ? e.message.split('\n')[0]! : String(e),
        finishedAt: new Date(),
      })
      throw e
    }
    store.updateJob(jobId, { handle, reason: null })
    store.appendEvent(rc.runId, 'job_submitted', def.key, { jobId, launcher: launcher.name, launcherJobId: handle.id })
    log.info(
      { job: handle.id, launcher: launcher.name, jobDir },
      `${launcher.name} job ${handle.id} submitted: ${command.join(' ')}`,
    )
  }

  const files = jobPaths(handle.jobDir)
  const jobLog = safeLogger(log).child({ job: handle.id })
  const report = new JobReport(files.messagesPath, jobLog)
  const id = jobId
  const final = await superviseJob(launcher, handle, {
    signal: ctx.signal,
    log: jobLog,
    report,
    onStatus: (s) => store.updateJob(id, statusUpdate(s)),
  })
  for (const m of report.metrics) ctx.addMetric(m.name, m.value, m.step)
  ctx.addMetadata({ ...report.metadata, job: jobMetadata(launcher, handle, final) })
  store.appendEvent(rc.runId, 'job_finished', def.key, {
    jobId: id,
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
    throw jobEnded(
      def.key,
      launcher.name,
      handle.id,
      final.state === 'pending' || final.state === 'running' ? 'failed' : final.state,
      final.exitCode,
      final.reason,
      final.stderrTail,
      handle.jobDir,
    )

  const outputFile = report.outputPath === undefined ? files.outputPath : path.resolve(cwd, report.outputPath)
  const value = await readJobOutput(def.key, outputFile)
  if (value === undefined && report.outputPath !== undefined) throw jobOutputMissing(def.key, outputFile)
  if (value === undefined) log.warn(`the job wrote no output (${files.outputPath}); the asset's value is null`)
  return report.dataVersion === undefined ? (value ?? null) : result(value ?? null, { dataVersion: report.dataVersion })
}

async function runFunction(
  launcher: Launcher,
  def: AssetDef,
  inputs: Record<string, unknown>,
  ctx: AssetContext<unknown>,
  request: ResourceRequest,
  onQueued: (why: string) => void,
): Promise<unknown> {
  if (launcher.reserve === undefined) {
    throw cannotHonour(
      def.key,
      launcher.name,
      'a function asset',
      `the ${launcher.name} launcher runs commands only`,
      "give the asset a command, or use launcher: 'local'",
    )
  }
  const reservation = await launcher.reserve(request, { assetKey: def.key, kind: 'function' }, ctx.signal, onQueued)
  try {
    if (reservation.gpus.length > 0) ctx.addMetadata({ gpus: reservation.gpus })
    return await def.fn(inputs, { ...ctx, gpus: reservation.gpus })
  } finally {
    reservation.release()
  }
}

async function resolveCommand(
  def: AssetDef,
  inputs: Record<string, unknown>,
  ctx: AssetContext<unknown>,
): Promise<string[]> {
  const given = typeof def.command === 'function' ? await def.command(inputs, ctx) : def.command
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

/** Hash of what the job computes: a restarted run reattaches only to a job with the same one. */
function jobFingerprint(
  rc: RunContext,
  def: AssetDef,
  command: readonly string[],
  cwd: string,
  launcher: string,
  request: ResourceRequest,
): string {
  const st = rc.state
  const id = st.ids.get(def.key)!
  const deps = st.asset(id).deps.map((d) => [d.name, d.key, st.dataVersion[st.ids.get(d.key)!] ?? ''])
  const parts = {
    key: def.key,
    code: st.code[id],
    config: st.configHash[id],
    deps,
    command,
    cwd,
    env: def.env,
    launcher,
    request,
  }
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)
}

/**
 * Input name -> absolute path of its artifact: the source's file, or the stored file of the very
 * record whose value the executor loaded (same data version, so the job reads exactly what is
 * recorded as consumed); otherwise the value is written to the job folder.
 */
async function inputArtifacts(
  rc: RunContext,
  def: AssetDef,
  inputs: Record<string, unknown>,
  jobDir: string,
): Promise<Record<string, string>> {
  const st = rc.state
  const out: Record<string, string> = {}
  for (const { name, key } of st.asset(st.ids.get(def.key)!).deps) {
    const depId = st.ids.get(key)!
    const dep = st.asset(depId)
    if (dep.isSource) {
      const src = dep.def as SourceDef
      const file =
        src.load === undefined
          ? (st.sourcePath?.(src) ?? (src.path === undefined ? undefined : path.resolve(src.path)))
          : undefined
      if (file !== undefined) {
        out[name] = file
        continue
      }
    } else {
      const io = ((dep.def as AssetDef).io ?? rc.io) as { absolutePath?: (storagePath: string, key?: string) => string }
      const record = st.store.currentRecord(key)
      const loaded = rc.values.get(depId)
      if (
        record?.storagePath != null &&
        (loaded === undefined || loaded.version === record.dataVersion) &&
        typeof io.absolutePath === 'function'
      ) {
        out[name] = io.absolutePath(record.storagePath, key)
        continue
      }
    }
    const value = inputs[name]
    const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_')
    const file = path.join(jobDir, 'inputs', value instanceof Uint8Array ? `${safe}.bin` : `${safe}.json`)
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    writeFileSync(file, value instanceof Uint8Array ? value : JSON.stringify(value ?? null), { mode: 0o600 })
    out[name] = file
  }
  return out
}

function statusUpdate(s: JobStatus): Parameters<RunContext['state']['store']['updateJob']>[1] {
  const u: Parameters<RunContext['state']['store']['updateJob']>[1] = { state: s.state, reason: s.reason ?? null }
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
  const gpus = s.gpus ?? (handle.gpus as unknown[] | undefined)
  if (gpus !== undefined && gpus.length > 0) m.gpus = gpus
  return m
}
