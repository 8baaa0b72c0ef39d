/**
 * A job's folder: the context file and environment the job starts with, and reading back what it
 * wrote (its output file).
 *
 * ```
 * <jobDir>/context.json    RIVERS_CONTEXT
 *          messages.jsonl  RIVERS_MESSAGES
 *          output.json     RIVERS_OUTPUT (default output)
 *          stdout.log, stderr.log
 *          inputs/<name>.json|.bin   inputs that have no file of their own (values of non-file IO managers)
 * ```
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'

import type { GpuDevice } from '../definitions/index.js'
import { packageRoot } from '../package-root.js'
import { jobOutputUnreadable } from './errors.js'
import { JOB_CONTEXT_VERSION, JOB_ENV, type JobContextFile } from './protocol.js'

/**
 * The folder of the protocol clients (`rivers_job.py`, `rivers-job.mjs`); jobs get it on
 * `PYTHONPATH` and as `RIVERS_CLIENTS`.
 *
 * @example
 * import { spawn } from 'node:child_process'
 * spawn('python3', ['train.py'], { env: { ...process.env, PYTHONPATH: CLIENTS_DIR } })
 */
export const CLIENTS_DIR = path.join(packageRoot(), 'clients')

/** What `prepareJobFiles` needs. */
export interface JobFilesSpec {
  jobDir: string
  runId: string
  assetKey: string
  attempt: number
  config: unknown
  inputs: Record<string, string>
  gpus: GpuDevice[]
  resources: Record<string, unknown>
  launcher: string
}

/** Paths and environment of a prepared job. */
export interface JobFiles {
  jobDir: string
  contextPath: string
  messagesPath: string
  outputPath: string
  stdoutPath: string
  stderrPath: string
  /** The protocol's variables (plus `RIVERS_CLIENTS`). */
  env: Record<string, string>
}

/**
 * Creates the job folder and its context file; returns the protocol environment. An output or
 * messages file left by an earlier attempt in the same folder is not reused (each attempt has its own folder).
 *
 * @example
 * const files = prepareJobFiles({ jobDir, runId, assetKey: 'model', attempt: 1, config: null, inputs: {}, gpus: [], resources: {}, launcher: 'local' })
 */
export function prepareJobFiles(spec: JobFilesSpec): JobFiles {
  mkdirSync(spec.jobDir, { recursive: true, mode: 0o700 })
  const paths = jobPaths(spec.jobDir)
  const context: JobContextFile = {
    version: JOB_CONTEXT_VERSION,
    runId: spec.runId,
    assetKey: spec.assetKey,
    attempt: spec.attempt,
    config: spec.config ?? null,
    inputs: spec.inputs,
    output: paths.outputPath,
    messages: paths.messagesPath,
    jobDir: spec.jobDir,
    gpus: spec.gpus,
    resources: spec.resources,
    launcher: spec.launcher,
  }
  writeFileSync(paths.contextPath, `${JSON.stringify(context, null, 2)}\n`, { mode: 0o600 })
  writeFileSync(paths.messagesPath, '', { flag: 'a', mode: 0o600 })
  const env: Record<string, string> = {
    [JOB_ENV.runId]: spec.runId,
    [JOB_ENV.assetKey]: spec.assetKey,
    [JOB_ENV.config]: JSON.stringify(spec.config ?? null),
    [JOB_ENV.inputs]: JSON.stringify(spec.inputs),
    [JOB_ENV.output]: paths.outputPath,
    [JOB_ENV.messages]: paths.messagesPath,
    [JOB_ENV.context]: paths.contextPath,
    RIVERS_CLIENTS: CLIENTS_DIR,
  }
  return { jobDir: spec.jobDir, ...paths, env }
}

/**
 * The fixed file names inside a job folder.
 *
 * @example
 * jobPaths('/s/jobs/r1/model/attempt-1').stdoutPath // '/s/jobs/r1/model/attempt-1/stdout.log'
 */
export function jobPaths(jobDir: string): Omit<JobFiles, 'jobDir' | 'env'> {
  return {
    contextPath: path.join(jobDir, 'context.json'),
    messagesPath: path.join(jobDir, 'messages.jsonl'),
    outputPath: path.join(jobDir, 'output.json'),
    stdoutPath: path.join(jobDir, 'stdout.log'),
    stderrPath: path.join(jobDir, 'stderr.log'),
  }
}

/**
 * The value of a job's output file: parsed JSON for `.json`, else the bytes as a Buffer; `undefined`
 * when the file does not exist.
 *
 * @example
 * const value = await readJobOutput('model/torch', '/s/jobs/r1/model/torch/attempt-1/output.json')
 */
export async function readJobOutput(assetKey: string, file: string): Promise<unknown> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw jobOutputUnreadable(assetKey, file, e)
  }
  if (!file.toLowerCase().endsWith('.json')) return bytes
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch (e) {
    throw jobOutputUnreadable(assetKey, file, e)
  }
}
