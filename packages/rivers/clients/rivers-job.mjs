/**
 * Rivers job protocol client for JavaScript/TypeScript jobs: one file, no dependencies.
 *
 * A job (an asset with `command`) learns what to compute from environment variables set by its
 * launcher, and reports back by appending JSON lines to a messages file:
 *
 * ```js
 * import * as rj from `${process.env.RIVERS_CLIENTS}/rivers-job.mjs` // or a relative import
 * const features = rj.readInputJson('features')
 * for (let epoch = 0; epoch < (rj.config().epochs ?? 10); epoch++) rj.metric('train_loss', loss, epoch)
 * rj.metadata({ device: 'cpu' })
 * rj.writeOutputJson({ weights })
 * ```
 *
 * Outside Rivers (no `RIVERS_MESSAGES`), messages are printed to stderr and `writeOutputJson` writes
 * `./output.json`. In a multi-node job only rank 0 (`SLURM_PROCID`/`RANK`) reports metrics, metadata,
 * the data version and the output; every rank may log.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import path from 'node:path'

let cached

/** @returns {boolean} whether this process runs as a Rivers job */
export function inRivers() {
  return Boolean(process.env.RIVERS_MESSAGES)
}

/** @returns {boolean} rank 0 of a multi-node job (always true for a single process) */
export function isMainProcess() {
  for (const name of ['SLURM_PROCID', 'RANK', 'OMPI_COMM_WORLD_RANK']) {
    const v = process.env[name]
    if (v !== undefined && v.trim() !== '') return Number.parseInt(v, 10) === 0 || Number.isNaN(Number.parseInt(v, 10))
  }
  return true
}

/**
 * Everything about the job (the `RIVERS_CONTEXT` file).
 * @returns {{ runId: string, assetKey: string, attempt: number, config: unknown, inputs: Record<string, string>, output: string, messages: string, gpus: { index: string, name?: string, memoryMiB?: number }[] }}
 */
export function context() {
  if (cached === undefined) {
    const file = process.env.RIVERS_CONTEXT
    cached = file
      ? JSON.parse(readFileSync(file, 'utf8'))
      : {
          runId: process.env.RIVERS_RUN_ID ?? 'local',
          assetKey: process.env.RIVERS_ASSET_KEY ?? 'local',
          attempt: 1,
          config: JSON.parse(process.env.RIVERS_CONFIG ?? 'null'),
          inputs: JSON.parse(process.env.RIVERS_INPUTS ?? '{}'),
          output: process.env.RIVERS_OUTPUT ?? path.resolve('output.json'),
          messages: process.env.RIVERS_MESSAGES ?? '',
          gpus: [],
        }
  }
  return cached
}

/** @returns {Record<string, any>} the asset's run config (`{}` when it has none) */
export function config() {
  const v = process.env.RIVERS_CONFIG !== undefined ? JSON.parse(process.env.RIVERS_CONFIG) : context().config
  return v ?? {}
}

/** @returns {Record<string, string>} input name -> absolute path of the input's artifact */
export function inputs() {
  return process.env.RIVERS_INPUTS !== undefined
    ? JSON.parse(process.env.RIVERS_INPUTS)
    : { ...(context().inputs ?? {}) }
}

/** @param {string} name @returns {string} the path of one input's artifact */
export function inputPath(name) {
  const known = inputs()
  if (!Object.hasOwn(known, name))
    throw new Error(`no input named '${name}' (inputs: ${Object.keys(known).sort().join(', ') || 'none'})`)
  return known[name]
}

/** @param {string} name @returns {any} an input stored as JSON, parsed */
export function readInputJson(name) {
  return JSON.parse(readFileSync(inputPath(name), 'utf8'))
}

/** @param {string} name @returns {Buffer} an input's bytes */
export function readInputBytes(name) {
  return readFileSync(inputPath(name))
}

/** @returns {string} where the default output goes (a `.json` file) */
export function outputPath() {
  return process.env.RIVERS_OUTPUT || context().output || path.resolve('output.json')
}

/** Writes the asset's value as JSON (atomically). Rank 0 only. @param {unknown} value */
export function writeOutputJson(value) {
  if (!isMainProcess()) return
  writeAtomic(outputPath(), Buffer.from(JSON.stringify(value)))
}

/** Writes bytes as the asset's value and reports them. Rank 0 only. @param {Uint8Array} data @param {string} [file] */
export function writeOutputBytes(data, file) {
  if (!isMainProcess()) return
  const target = file ?? outputPath().replace(/\.json$/, '') + '.bin'
  writeAtomic(target, data)
  output(target)
}

/** Reports a file the job wrote as its output (`.json` is parsed; anything else is stored as bytes). @param {string} file */
export function output(file) {
  if (isMainProcess()) send({ type: 'output', path: path.resolve(file) })
}

/** A log line in the run log. @param {string} message @param {'trace'|'debug'|'info'|'warn'|'error'|'fatal'} [level] */
export function log(message, level = 'info') {
  const text = isMainProcess()
    ? String(message)
    : `[rank ${process.env.SLURM_PROCID ?? process.env.RANK ?? '?'}] ${message}`
  send({ type: 'log', level, message: text })
}

/** A metric value, optionally at a step. Rank 0 only. @param {string} name @param {number} value @param {number} [step] */
export function metric(name, value, step) {
  if (!isMainProcess()) return
  const v = Number(value)
  const m = {
    type: 'metric',
    name: String(name),
    value: Number.isNaN(v) ? null : Number.isFinite(v) ? v : v > 0 ? 'Infinity' : '-Infinity',
  }
  if (step !== undefined) m.step = Math.trunc(step)
  send(m)
}

/** Metadata merged into the materialization record. Rank 0 only. @param {Record<string, unknown>} data */
export function metadata(data) {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new TypeError('metadata takes a plain object')
  if (isMainProcess()) send({ type: 'metadata', data })
}

/** The output's own data version. Rank 0 only. @param {string} value */
export function dataVersion(value) {
  if (typeof value !== 'string' || value === '') throw new TypeError('dataVersion needs a non-empty string')
  if (isMainProcess()) send({ type: 'data_version', value })
}

/**
 * Keeps a copy of a file (a plot, a report) with the materialization record, as `name` (default: the
 * file's name). The file must exist until the job ends. Rank 0 only.
 * @param {string} file
 * @param {string} [name]
 */
export function attach(file, name) {
  const full = path.resolve(file)
  if (isMainProcess())
    send(name === undefined ? { type: 'artifact', path: full } : { type: 'artifact', path: full, name })
}

function send(message) {
  const line = `${JSON.stringify(message)}\n`
  const file = process.env.RIVERS_MESSAGES
  if (!file) {
    process.stderr.write(`[rivers] ${line}`)
    return
  }
  // One write of the whole line on an O_APPEND descriptor: lines of several processes never mix.
  const fd = openSync(file, 'a', 0o600)
  try {
    writeSync(fd, line)
  } finally {
    closeSync(fd)
  }
}

function writeAtomic(file, data) {
  const tmp = `${file}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
}
