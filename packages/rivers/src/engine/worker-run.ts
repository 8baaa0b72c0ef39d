/**
 * The node side of a function job (`assets worker run`): with the project loaded on the node, read
 * the asset's inputs (stored outputs through their IO manager, the rest from the values file), run
 * its function with the normal context, write the output through the IO manager, and hand back
 * what the orchestrator records (`WorkerResult`). It never writes a record: the orchestrator is the
 * one writer of records.
 */
import { appendFileSync } from 'node:fs'
import { copyFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { Writable } from 'node:stream'

import type { Logger } from 'pino'

import { pinoLib } from '../deps.js'

import { type AssetContext, type AssetDef, type GpuDevice, type Project, validateInput } from '../definitions/index.js'
import { closest } from '../definitions/suggest.js'
import { isRiversError, RiversError } from '../errors.js'
import type { IOManager } from '../io/types.js'
import type { MetricPoint } from '../store/types.js'
import { unknownAsset } from './errors.js'
import { writeOutput } from './outputs.js'
import { userCode } from './user-code.js'
import type { WorkerRequest, WorkerResult, WorkerValues } from './worker-protocol.js'

/** What `runWorkerJob` needs besides the project. */
export interface WorkerJobOptions {
  request: WorkerRequest
  values: WorkerValues
  /** The project's IO manager (the same one the orchestrator uses). */
  io: IOManager
  /** Folder of the project file. */
  projectDir: string
  /** The asset's logger (default: `workerLogger()`, into the job's messages file). */
  log?: Logger
  /** Aborts when the job is told to stop (SIGTERM from the launcher). */
  signal: AbortSignal
  /** The job folder (where the request lies): `ctx.attach` copies files there. Default: beside `RIVERS_CONTEXT`. */
  jobDir?: string
  /** The job's environment (default: this process's): `ctx.gpus` comes from its `CUDA_VISIBLE_DEVICES`. */
  env?: Readonly<Record<string, string | undefined>>
}

/**
 * The GPUs a job was given, as its launcher told it: `CUDA_VISIBLE_DEVICES` (set by the local
 * launcher from its reservation, by Slurm for a GRES request, by Ray for `num_gpus`). Empty when it
 * is unset, empty or `NoDevFiles` (Slurm's value when the job has none).
 *
 * @example
 * jobGpus({ CUDA_VISIBLE_DEVICES: '2,3' }) // [{ index: '2' }, { index: '3' }]
 */
export function jobGpus(env: Readonly<Record<string, string | undefined>>): GpuDevice[] {
  const visible = env.CUDA_VISIBLE_DEVICES?.trim() ?? ''
  if (visible === '' || visible === 'NoDevFiles') return []
  return visible
    .split(',')
    .map((index) => index.trim())
    .filter((index) => index !== '')
    .map((index) => ({ index }))
}

/**
 * Runs one function asset as the orchestrator asked and returns the result to hand back; throws
 * (a `RiversError`, or the `UserCodeError` of the asset's code) when it cannot.
 *
 * @example
 * const result = await runWorkerJob(project, { request, values, io, projectDir, log, signal })
 */
export async function runWorkerJob(project: Project, options: WorkerJobOptions): Promise<WorkerResult> {
  const { request, values, io } = options
  const key = request.assetKey
  const resolved = project.byKey.get(key)
  if (resolved === undefined)
    throw unknownAsset(
      key,
      closest(
        key,
        project.assets.map((a) => a.key),
      ),
    )
  if (resolved.isSource) throw workerGotSource(key)
  const def = resolved.def as AssetDef
  if (def.command !== undefined) throw workerGotCommand(key)
  const scope = { key, runId: request.runId, projectDir: options.projectDir }

  const inputs: Record<string, unknown> = {}
  for (const dep of resolved.deps) {
    const given = request.inputs[dep.name]
    if (given === undefined || (given.from === 'values' && !(dep.name in values.inputs)))
      throw workerInputMissing(key, dep.name, dep.key, 'the request names no value for it')
    if (given.from === 'values') {
      inputs[dep.name] = values.inputs[dep.name]
      continue
    }
    const depDef = project.byKey.get(given.key)?.def as AssetDef | undefined
    const depIo = (depDef?.io as IOManager | undefined) ?? io
    let value: unknown
    try {
      value = await depIo.read({ key: given.key }, { storagePath: given.storagePath })
    } catch (e) {
      throw workerInputMissing(
        key,
        dep.name,
        given.key,
        `reading ${given.storagePath} through the IO manager failed (${e instanceof Error ? e.message : String(e)})`,
        e,
      )
    }
    inputs[dep.name] = validateInput(def, dep.name, value)
  }

  const metadata: Record<string, unknown> = {}
  const metrics: MetricPoint[] = []
  const gpus = jobGpus(options.env ?? process.env)
  const ctx: AssetContext<unknown> = {
    runId: request.runId,
    key,
    config: values.config ?? undefined,
    log: (options.log ?? workerLogger()).child({
      asset: key,
      ...(request.partition === undefined ? {} : { partition: request.partition }),
    }),
    signal: options.signal,
    attempt: request.attempt,
    addMetadata: (m) => void Object.assign(metadata, m),
    addMetric: (name, value, step) => void metrics.push(step === undefined ? { name, value } : { name, value, step }),
    attach: (file, name) => attachFromJob(file, name, options.jobDir),
    ...(gpus.length === 0 ? {} : { gpus }),
    ...(values.partition === undefined ? {} : { partition: values.partition }),
    ...(request.checkpointDir === undefined ? {} : { checkpointDir: request.checkpointDir }),
  }
  const started = Date.now()
  const returned = await userCode(scope, 'asset', () => def.fn(inputs, ctx))
  const out = await writeOutput((def.io as IOManager | undefined) ?? io, def, returned, scope, request.partition)
  return {
    version: 1,
    ok: true,
    assetKey: key,
    stored: out.stored,
    dataVersion: out.dataVersion,
    outputMetadata: out.metadata,
    metadata,
    metrics,
    durationMs: Date.now() - started,
  }
}

/**
 * The worker's logger: each line becomes a `log` message of the job protocol (the orchestrator puts
 * it in the run log at its level, under the asset), or goes to stderr outside a job.
 *
 * @example
 * const log = workerLogger(process.env.RIVERS_MESSAGES, 'info')
 */
export function workerLogger(messagesFile = process.env.RIVERS_MESSAGES, level = 'info'): Logger {
  const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue
        if (messagesFile === undefined) {
          process.stderr.write(`${line}\n`)
          continue
        }
        let rec: Record<string, unknown>
        try {
          rec = JSON.parse(line) as Record<string, unknown>
        } catch {
          rec = { level: 30, msg: line }
        }
        const { level: n, msg, time: _t, pid: _p, hostname: _h, asset: _a, partition: _q, ...fields } = rec
        const extra = Object.keys(fields).length === 0 ? '' : ` ${JSON.stringify(fields)}`
        const message = { type: 'log', level: names[n as number] ?? 'info', message: `${String(msg ?? '')}${extra}` }
        appendFileSync(messagesFile, `${JSON.stringify(message)}\n`)
      }
      done()
    },
  })
  return pinoLib()({ level }, sink)
}

/**
 * `ctx.attach` in a worker: the file is copied into the job folder (visible to the orchestrator), and
 * an `artifact` message tells the orchestrator to keep it with the record, as a command job does. A
 * worker run by hand (no messages file) only makes the copy: no orchestrator is there to keep it.
 *
 * @example
 * await attachFromJob('/tmp/roc.png', 'roc.png', '/shared/jobs/r1/model/attempt-1') // '…/attempt-1/attachments/roc.png'
 */
export async function attachFromJob(
  file: string,
  name: string = path.basename(file),
  jobDir?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const context = env.RIVERS_CONTEXT
  const folder = jobDir ?? (context === undefined ? undefined : path.dirname(context))
  if (folder === undefined)
    throw new RiversError(
      'RIVERS_ATTACH_OUTSIDE_JOB',
      `ctx.attach(${JSON.stringify(file)}) in a worker needs the job's folder (--request, or RIVERS_CONTEXT); run the worker through a launcher.`,
    )
  const dir = path.join(folder, 'attachments')
  await mkdir(dir, { recursive: true })
  const copy = path.join(dir, path.basename(name))
  await copyFile(file, copy)
  const messages = env.RIVERS_MESSAGES
  if (messages !== undefined) appendFileSync(messages, `${JSON.stringify({ type: 'artifact', path: copy, name })}\n`)
  return copy
}

/**
 * The failure result of a worker: the error's message (and code), as the orchestrator shows it.
 *
 * @example
 * writeWorkerResult(file, workerFailure('model', e))
 */
export function workerFailure(assetKey: string, e: unknown): WorkerResult {
  const error = e instanceof Error ? e.message : String(e)
  const code = isRiversError(e) ? e.code : undefined
  return { version: 1, ok: false, assetKey, error, ...(code === undefined ? {} : { code }) }
}

/**
 * An input the worker cannot read (its stored file is gone, or the request names none).
 *
 * @example
 * throw workerInputMissing('model', 'features', 'penguins/features', 'reading features.json failed (ENOENT)')
 */
export function workerInputMissing(
  assetKey: string,
  input: string,
  inputKey: string,
  why: string,
  cause?: unknown,
): RiversError {
  return new RiversError(
    'RIVERS_WORKER_INPUT',
    `Asset '${assetKey}': the worker cannot read input '${input}' (${inputKey}): ${why}.\nFix: the worker reads stored outputs from the store folder the orchestrator uses; put it on storage every node mounts at the same path (or give the project an IO manager that every node can reach), then run again.`,
    { ...(cause === undefined ? {} : { cause }), exitCode: 1 },
  )
}

function workerGotSource(key: string): RiversError {
  return new RiversError(
    'RIVERS_WORKER_REQUEST',
    `'${key}' is a source: the worker runs function assets only.\nFix: pass the key of a function asset to assets worker run.`,
  )
}

function workerGotCommand(key: string): RiversError {
  return new RiversError(
    'RIVERS_WORKER_REQUEST',
    `Asset '${key}' has a command: its launcher runs the command itself, not the worker.\nFix: pass the key of a function asset to assets worker run.`,
  )
}
