/**
 * The job protocol: how a job (a command run by a launcher) learns what to compute and reports back.
 *
 * The job reads environment variables (and, for everything at once, the context file):
 *
 * | variable | holds |
 * |---|---|
 * | `RIVERS_RUN_ID` | the run id |
 * | `RIVERS_ASSET_KEY` | the asset key |
 * | `RIVERS_CONFIG` | the asset's validated run config, JSON (`null` without one) |
 * | `RIVERS_INPUTS` | JSON object: input name -> absolute path of the input's artifact |
 * | `RIVERS_OUTPUT` | where to write the output (a `.json` file; or write any file and send an `output` message) |
 * | `RIVERS_MESSAGES` | the JSONL file the job appends messages to |
 * | `RIVERS_CONTEXT` | a JSON file with all of the above, plus the attempt, GPUs and resources |
 *
 * Messages, one JSON object per line: `{type:'log', level, message}`, `{type:'metric', name, value,
 * step?}`, `{type:'metadata', data}`, `{type:'data_version', value}`, `{type:'output', path}`,
 * `{type:'artifact', path, name?}` (a file kept with the record; it must exist until the job ends).
 * The clients `clients/rivers_job.py` and `clients/rivers-job.mjs` write them.
 */
import type { GpuDevice } from '../definitions/index.js'

/**
 * Names of the protocol's environment variables.
 *
 * @example
 * const env = { [JOB_ENV.runId]: runId, [JOB_ENV.assetKey]: 'model/torch' }
 */
export const JOB_ENV = {
  runId: 'RIVERS_RUN_ID',
  assetKey: 'RIVERS_ASSET_KEY',
  config: 'RIVERS_CONFIG',
  inputs: 'RIVERS_INPUTS',
  output: 'RIVERS_OUTPUT',
  messages: 'RIVERS_MESSAGES',
  context: 'RIVERS_CONTEXT',
} as const

/** Version of the context file's shape. */
export const JOB_CONTEXT_VERSION = 1

/**
 * The context file (`RIVERS_CONTEXT`).
 *
 * @example
 * import { readFileSync } from 'node:fs'
 * const ctx = JSON.parse(readFileSync(process.env.RIVERS_CONTEXT!, 'utf8')) as JobContextFile
 */
export interface JobContextFile {
  version: typeof JOB_CONTEXT_VERSION
  runId: string
  assetKey: string
  attempt: number
  config: unknown
  /** Input name -> absolute path of its artifact. */
  inputs: Record<string, string>
  output: string
  messages: string
  /** The job's folder (scripts, logs, messages, default output). */
  jobDir: string
  /** GPUs the local launcher reserved (empty under Slurm: Slurm sets `CUDA_VISIBLE_DEVICES` itself). */
  gpus: GpuDevice[]
  resources: Record<string, unknown>
  launcher: string
}

/** Log levels a job may use. */
export type JobLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'

/**
 * One message of the messages file.
 *
 * @example
 * const m: JobMessage = { type: 'metric', name: 'loss', value: 0.31, step: 10 }
 */
export type JobMessage =
  | { type: 'log'; level: JobLogLevel; message: string }
  | { type: 'metric'; name: string; value: number; step?: number }
  | { type: 'metadata'; data: Record<string, unknown> }
  | { type: 'data_version'; value: string }
  | { type: 'output'; path: string }
  | { type: 'artifact'; path: string; name?: string }

const LEVELS = new Set<string>(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])

/**
 * Parses one line of the messages file: the message, or the reason it is not one.
 *
 * @example
 * parseMessage('{"type":"metric","name":"loss","value":0.5}') // { ok: true, message: { type: 'metric', … } }
 * parseMessage('{"type":"metric"}') // { ok: false, problem: 'a metric needs a string `name`' }
 */
export function parseMessage(line: string): { ok: true; message: JobMessage } | { ok: false; problem: string } {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    return { ok: false, problem: 'not JSON' }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, problem: 'not a JSON object' }
  const m = v as Record<string, unknown>
  switch (m.type) {
    case 'log': {
      const level = m.level === undefined ? 'info' : m.level === 'warning' ? 'warn' : m.level
      if (typeof level !== 'string' || !LEVELS.has(level))
        return { ok: false, problem: `unknown log level ${JSON.stringify(m.level)} (use ${[...LEVELS].join(', ')})` }
      if (typeof m.message !== 'string') return { ok: false, problem: 'a log needs a string `message`' }
      return { ok: true, message: { type: 'log', level: level as JobLogLevel, message: m.message } }
    }
    case 'metric': {
      if (typeof m.name !== 'string' || m.name === '') return { ok: false, problem: 'a metric needs a string `name`' }
      // NaN and infinities cannot be written as JSON numbers; clients send them as null or strings.
      const value =
        typeof m.value === 'number'
          ? m.value
          : m.value === null || m.value === 'NaN'
            ? Number.NaN
            : m.value === 'Infinity'
              ? Infinity
              : m.value === '-Infinity'
                ? -Infinity
                : undefined
      if (value === undefined) return { ok: false, problem: `metric '${m.name}' needs a number \`value\`` }
      if (m.step !== undefined && m.step !== null && !(typeof m.step === 'number' && Number.isInteger(m.step)))
        return { ok: false, problem: `metric '${m.name}': \`step\` must be an integer` }
      return {
        ok: true,
        message:
          typeof m.step === 'number'
            ? { type: 'metric', name: m.name, value, step: m.step }
            : { type: 'metric', name: m.name, value },
      }
    }
    case 'metadata':
      if (typeof m.data !== 'object' || m.data === null || Array.isArray(m.data))
        return { ok: false, problem: 'metadata needs an object `data`' }
      return { ok: true, message: { type: 'metadata', data: m.data as Record<string, unknown> } }
    case 'data_version':
      if (typeof m.value !== 'string' || m.value === '')
        return { ok: false, problem: 'a data_version needs a non-empty string `value`' }
      return { ok: true, message: { type: 'data_version', value: m.value } }
    case 'output':
      if (typeof m.path !== 'string' || m.path === '')
        return { ok: false, problem: 'an output needs a non-empty string `path`' }
      return { ok: true, message: { type: 'output', path: m.path } }
    case 'artifact':
      if (typeof m.path !== 'string' || m.path === '')
        return { ok: false, problem: 'an artifact needs a non-empty string `path`' }
      if (m.name !== undefined && (typeof m.name !== 'string' || m.name === ''))
        return { ok: false, problem: 'an artifact `name` must be a non-empty string' }
      return {
        ok: true,
        message:
          m.name === undefined ? { type: 'artifact', path: m.path } : { type: 'artifact', path: m.path, name: m.name },
      }
    default:
      return {
        ok: false,
        problem: `unknown message type ${JSON.stringify(m.type)} (use log, metric, metadata, data_version, output, artifact)`,
      }
  }
}
