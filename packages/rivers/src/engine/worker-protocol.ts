/**
 * What the orchestrator and `assets worker run` exchange for a function asset run as a job, beside
 * the job protocol's files in the job folder:
 *
 * <jobDir>/worker-request.json  what to run: run, asset, attempt, partition, store folder, and for
 *                               each input where to read it (a stored output by its storage path,
 *                               read on the node through the IO manager; or a value in the values file)
 *          worker-values.v8     values the orchestrator hands over as they are (`node:v8` serialized:
 *                               Dates, Maps, Buffers survive): the config, the partition, source
 *                               values and partitioned inputs
 *          worker-result.json   what the worker hands back: the stored output and its data version,
 *                               metadata and metrics; or the error that made it fail
 *
 * The worker writes the output through the IO manager and nothing else: the orchestrator records
 * what it hands back (one writer of records).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { deserialize, serialize } from 'node:v8'

import type { AssetPartition } from '../definitions/index.js'
import { RiversError } from '../errors.js'
import type { StoredOutput } from '../io/types.js'
import type { MetricPoint } from '../store/types.js'

/** File names in the job folder. */
export const WORKER_FILES = {
  request: 'worker-request.json',
  values: 'worker-values.v8',
  result: 'worker-result.json',
} as const

/** Where the worker reads one input: a stored output (through its IO manager), or the values file. */
export type WorkerInput = { from: 'store'; key: string; storagePath: string } | { from: 'values' }

/**
 * What the worker is asked to run.
 *
 * @example
 * const request: WorkerRequest = { version: 1, runId, assetKey: 'model', attempt: 1, storeDir, inputs: { features: { from: 'store', key: 'features', storagePath: 'features.json' } } }
 */
export interface WorkerRequest {
  version: 1
  runId: string
  assetKey: string
  attempt: number
  /** The partition's key, for a partitioned asset (its full context is in the values file). */
  partition?: string
  /** The orchestrator's store folder: the default IO manager's files are under `<storeDir>/storage`. */
  storeDir: string
  /** A folder kept across attempts and requeues of this materialization. */
  checkpointDir?: string
  inputs: Record<string, WorkerInput>
}

/**
 * The values the orchestrator hands over as they are.
 *
 * @example
 * const values: WorkerValues = { config: { epochs: 3 }, inputs: { raw: Buffer.from('a,b') } }
 */
export interface WorkerValues {
  config: unknown
  partition?: AssetPartition
  inputs: Record<string, unknown>
}

/**
 * What the worker hands back.
 *
 * @example
 * const r: WorkerResult = { version: 1, ok: false, assetKey: 'model', error: 'RIVERS_USER_CODE: …' }
 */
export type WorkerResult =
  | {
      version: 1
      ok: true
      assetKey: string
      /** The output as the IO manager stored it. */
      stored: StoredOutput
      /** The record's data version (the stored bytes' hash, or the one the asset returned with `result()`). */
      dataVersion: string
      /** Metadata returned with `result()`. */
      outputMetadata: Record<string, unknown>
      /** Metadata added with `ctx.addMetadata`. */
      metadata: Record<string, unknown>
      metrics: MetricPoint[]
      durationMs: number
    }
  | { version: 1; ok: false; assetKey: string; error: string; code?: string }

/**
 * Writes the request and values files of a function job into its folder.
 *
 * @example
 * writeWorkerRequest(jobDir, request, { config: null, inputs: {} })
 */
export function writeWorkerRequest(jobDir: string, request: WorkerRequest, values: WorkerValues): void {
  writeFileSync(path.join(jobDir, WORKER_FILES.request), `${JSON.stringify(request, null, 2)}\n`, { mode: 0o600 })
  writeFileSync(path.join(jobDir, WORKER_FILES.values), serialize(values), { mode: 0o600 })
}

/**
 * Reads the request (and its values) the orchestrator wrote; throws a clear error when it is absent
 * or unreadable, or asks for another run or asset than the worker was told.
 *
 * @example
 * const { request, values } = readWorkerRequest('/p/.rivers/jobs/r1/model/attempt-1/worker-request.json', 'r1', 'model')
 */
export function readWorkerRequest(
  file: string,
  runId: string,
  assetKey: string,
): { request: WorkerRequest; values: WorkerValues } {
  let request: WorkerRequest
  let values: WorkerValues
  try {
    request = JSON.parse(readFileSync(file, 'utf8')) as WorkerRequest
    values = deserialize(readFileSync(path.join(path.dirname(file), WORKER_FILES.values))) as WorkerValues
  } catch (e) {
    throw workerRequestUnreadable(assetKey, file, e)
  }
  if (request.version !== 1 || request.runId !== runId || request.assetKey !== assetKey)
    throw workerRequestMismatch(assetKey, runId, file, request)
  return { request, values }
}

/**
 * Writes the result atomically (a reader never sees half of it).
 *
 * @example
 * writeWorkerResult('/p/.rivers/jobs/r1/model/attempt-1/worker-result.json', { version: 1, ok: false, assetKey: 'model', error: 'boom' })
 */
export function writeWorkerResult(file: string, result: WorkerResult): void {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 })
  renameSync(tmp, file)
}

/**
 * The result a worker left in `file`, or undefined when there is none (it never got that far).
 *
 * @example
 * const r = readWorkerResult(path.join(handle.jobDir, WORKER_FILES.result))
 */
export function readWorkerResult(file: string): WorkerResult | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    return JSON.parse(text) as WorkerResult
  } catch {
    return undefined
  }
}

/**
 * The request file of a worker is missing or unreadable.
 *
 * @example
 * throw workerRequestUnreadable('model', '/jobs/r1/model/attempt-1/worker-request.json', new Error('ENOENT'))
 */
export function workerRequestUnreadable(assetKey: string, file: string, cause: unknown): RiversError {
  const why = cause instanceof Error ? cause.message : String(cause)
  return new RiversError(
    'RIVERS_WORKER_REQUEST',
    `Asset '${assetKey}': the worker cannot read its request ${file} (${why}).\nFix: \`assets worker run\` is started by the orchestrator for a function asset run as a job; run it in the job's folder (RIVERS_CONTEXT set) or pass --request with the job's ${WORKER_FILES.request}, on a node that sees the job folder.`,
    { cause, exitCode: 2 },
  )
}

/**
 * The request is for another run or asset than the worker was told on its command line.
 *
 * @example
 * throw workerRequestMismatch('model', 'r1', file, request)
 */
export function workerRequestMismatch(
  assetKey: string,
  runId: string,
  file: string,
  request: Pick<WorkerRequest, 'runId' | 'assetKey' | 'version'>,
): RiversError {
  return new RiversError(
    'RIVERS_WORKER_REQUEST',
    `Asset '${assetKey}' of run ${runId}: the request ${file} is for asset '${request.assetKey}' of run ${request.runId} (format ${request.version}).\nFix: pass the --run and --asset of that job, or the request of this one.`,
    { exitCode: 2 },
  )
}
