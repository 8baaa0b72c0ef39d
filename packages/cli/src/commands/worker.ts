/**
 * `assets worker run --run RUN --asset KEY [--partition P] [--request FILE] [--result FILE]`: the
 * node side of a function asset run as a job. The orchestrator starts it through a launcher (the
 * job's command); it loads the project here, reads the inputs the request names through the IO
 * manager, runs the asset's function, writes the output through the IO manager and hands the result
 * back in the job folder (`worker-result.json`). It writes no record: the orchestrator records what
 * it hands back. Any failure (unknown asset, unreadable input, project not loadable, the function
 * threw) is written to the result file as well, for the orchestrator to show as the asset's failure,
 * and exits non-zero.
 */
import { renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { type Ctx, print } from '../context.js'
import { CliError } from '../errors.js'
import { EXIT } from '../exit.js'
import { findProjectFile, loadProject } from '../project-file.js'
import { riversFor } from '../rivers-module.js'
import { isStoreUrl } from '../store-select.js'

/** How long a function may take to stop after SIGTERM before the worker exits anyway. */
const STOP_GRACE_MS = 2_000

/** Options of `worker run`. */
export interface WorkerRunFlags {
  run: string
  asset: string
  partition?: string
  /** The job's request (default: `worker-request.json` beside `$RIVERS_CONTEXT`). */
  request?: string
  /** Where the result goes (default: `worker-result.json` beside the request). */
  result?: string
}

/**
 * Runs one function asset on this node as the orchestrator asked; exit 0 with the result written,
 * else the error's exit code (the error is in the result file too).
 *
 * @example
 * await workerRun(ctx, { run: '20260101-1200-ab12', asset: 'model', request: '/jobs/r/model/attempt-1/worker-request.json' })
 */
export async function workerRun(ctx: Ctx, flags: WorkerRunFlags): Promise<number> {
  const env = ctx.io.env
  const jobDir =
    env.RIVERS_CONTEXT === undefined ? undefined : path.dirname(path.resolve(ctx.io.cwd, env.RIVERS_CONTEXT))
  const requestFile =
    flags.request !== undefined
      ? path.resolve(ctx.io.cwd, flags.request)
      : jobDir === undefined
        ? undefined
        : path.join(jobDir, 'worker-request.json')
  if (requestFile === undefined) throw noRequest(flags.asset)
  const resultFile =
    flags.result !== undefined
      ? path.resolve(ctx.io.cwd, flags.result)
      : path.join(path.dirname(requestFile), 'worker-result.json')

  // Until the library is loaded, a failure is written here by hand (same shape as the library's).
  let fail = (e: unknown): void => {
    writeFallbackResult(resultFile, flags.asset, e)
  }
  try {
    const file = findProjectFile(ctx.io.cwd, ctx.globals.project)
    const project = await loadProject(file, ctx.io.cwd)
    const rivers = await riversFor(file)
    fail = (e) => rivers.writeWorkerResult(resultFile, rivers.workerFailure(flags.asset, e))
    const { request, values } = rivers.readWorkerRequest(requestFile, flags.run, flags.asset)
    if ((flags.partition ?? undefined) !== request.partition) throw partitionMismatch(flags, request.partition)
    const given = ctx.globals.store
    const storeDir = given !== undefined && !isStoreUrl(given) ? path.resolve(ctx.io.cwd, given) : request.storeDir
    const io =
      (project.io as InstanceType<typeof rivers.FileIOManager> | undefined) ??
      new rivers.FileIOManager(path.join(storeDir, 'storage'))
    const controller = new AbortController()
    // SIGTERM (cancel, timeout, preemption): the function's signal aborts; a function that does not
    // stop within STOP_GRACE_MS is not waited for (exit 143, as SIGTERM's default would).
    const stop = (): void => {
      controller.abort(new Error(`asset '${flags.asset}': the worker was told to stop (SIGTERM)`))
      setTimeout(() => process.exit(143), STOP_GRACE_MS).unref()
    }
    process.once('SIGTERM', stop)
    try {
      const result = await rivers.runWorkerJob(project, {
        request,
        values,
        io,
        projectDir: path.dirname(file),
        jobDir: path.dirname(requestFile),
        log: rivers.workerLogger(env.RIVERS_MESSAGES, ctx.globals.logLevel ?? 'info'),
        signal: controller.signal,
      })
      rivers.writeWorkerResult(resultFile, result)
      if (ctx.json) print(ctx, JSON.stringify(result))
      else if (result.ok)
        print(ctx, `${flags.asset}: stored ${result.stored.storagePath} (data version ${result.dataVersion})`)
      return EXIT.ok
    } finally {
      process.off('SIGTERM', stop)
    }
  } catch (e) {
    try {
      fail(e)
    } catch {
      // the job folder is unwritable: the message on stderr is all there is
    }
    throw e
  }
}

/** The result file of a failure before the library loaded (the project did not load). */
function writeFallbackResult(file: string, asset: string, e: unknown): void {
  const code = (e as { code?: unknown } | null)?.code
  const result = {
    version: 1,
    ok: false,
    assetKey: asset,
    error: e instanceof Error ? e.message : String(e),
    ...(typeof code === 'string' ? { code } : {}),
  }
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`)
  renameSync(tmp, file)
}

function noRequest(asset: string): CliError {
  return new CliError(
    'RIVERS_WORKER_REQUEST',
    `Asset '${asset}': assets worker run has no request to run (RIVERS_CONTEXT is not set and --request is not given).\nFix: the orchestrator starts the worker as a function asset's job; to run one by hand, pass --request with the job folder's worker-request.json.`,
  )
}

function partitionMismatch(flags: WorkerRunFlags, requested: string | undefined): CliError {
  return new CliError(
    'RIVERS_WORKER_REQUEST',
    `Asset '${flags.asset}': --partition is ${flags.partition === undefined ? 'not given' : `'${flags.partition}'`}, but the request is for ${requested === undefined ? 'no partition' : `partition '${requested}'`}.\nFix: pass the --partition of the job's request (or none for an unpartitioned asset).`,
  )
}
