/**
 * Run logs: one NDJSON file per run in the store folder (`<store>/logs/<runId>.ndjson`, mode 0600),
 * plus stderr: human-readable lines when `pretty`, NDJSON otherwise (for `--json` runs, whose stdout
 * carries the one result document). Secrets are scrubbed from both before anything is written.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type pino from 'pino'
import type { DestinationStream, Level, LevelWithSilent, Logger } from 'pino'
import { pinoLib } from './deps.js'
import { RiversError } from './errors.js'

/**
 * What replaces a redacted value.
 *
 * @example
 * console.log(REDACTED) // '[redacted]'
 */
export const REDACTED = '[redacted]'

/** Options of {@link createRunLogger}. */
export interface RunLoggerOptions {
  /** The store folder; the log goes to `<storeDir>/logs/<runId>.ndjson`. */
  storeDir: string
  runId: string
  /** Level of the stderr output (`silent`: none). */
  level: LevelWithSilent
  /** Level of the file; default: `level`, but never above `info`, so the file always has the run's story. */
  fileLevel?: Level
  /** Human-readable lines on stderr instead of NDJSON. */
  pretty: boolean
  /** Where the stderr output goes instead of `process.stderr` (tests, embedding). */
  destination?: NodeJS.WritableStream
  /** Colours in pretty output; default: the destination is a TTY and `NO_COLOR` is unset or empty. */
  color?: boolean
  /** Secrets to keep out of every output. */
  redact?: {
    /** Object paths in log records, pino syntax (`config.password`, `*.token`, `headers["x-api-key"]`). */
    paths?: string[]
    /** Secret values (e.g. config values marked secret): every occurrence anywhere in a record is replaced. */
    values?: string[]
  }
}

/** A run's logger and its file. */
export interface RunLogger {
  logger: Logger
  /** Absolute path of the NDJSON file. */
  path: string
  /** Flushes and closes the file (stderr stays open). */
  close(): Promise<void>
}

/**
 * The run id cannot name a log file.
 *
 * @example
 * throw badLogRunId('../x')
 */
export function badLogRunId(runId: string): RiversError {
  return new RiversError(
    'RIVERS_LOG_RUN_ID',
    `Run id ${JSON.stringify(runId)} cannot name a log file: use only A-Z a-z 0-9 _ - . (not '.' or '..').`,
  )
}

/**
 * The log file cannot be created.
 *
 * @example
 * throw logFileUnavailable('/p/.rivers/logs/r1.ndjson', err)
 */
export function logFileUnavailable(path: string, cause: unknown): RiversError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new RiversError(
    'RIVERS_LOG_FILE',
    `Cannot create the run log ${path} (${reason}). Make the store folder writable, or point --store elsewhere.`,
    { cause },
  )
}

/**
 * Creates the logger of one run.
 *
 * @example
 * const { logger, close, path } = createRunLogger({ storeDir: '.rivers', runId, level: 'info', pretty: process.stderr.isTTY })
 * assetLogger(logger, 'raw').info({ rows: 10 }, 'loaded')
 * await close()
 */
export function createRunLogger(options: RunLoggerOptions): RunLogger {
  const { runId } = options
  if (!/^[A-Za-z0-9_.-]+$/.test(runId) || runId === '.' || runId === '..') throw badLogRunId(runId)
  const dir = resolve(options.storeDir, 'logs')
  const path = join(dir, `${runId}.ndjson`)
  let fd: number
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    fd = openSync(path, 'a', 0o600)
  } catch (e) {
    throw logFileUnavailable(path, e)
  }
  const pino = pinoLib()
  const file = pino.destination({ dest: fd, sync: false })

  const values = pino.levels.values
  const fileLevel: Level =
    options.fileLevel ?? (options.level === 'silent' || values[options.level]! > values.info! ? 'info' : options.level)
  const streams: pino.StreamEntry[] = [{ level: fileLevel, stream: file }]
  if (options.level !== 'silent') {
    const out = options.destination ?? process.stderr
    const stream = options.pretty
      ? createPrettyStream(out, options.color ?? defaultColor(out))
      : (out as DestinationStream)
    streams.push({ level: options.level, stream })
  }
  const lowest = streams.reduce((min, s) => Math.min(min, values[s.level as Level]!), Number.POSITIVE_INFINITY)
  const censor = secretCensor(options.redact?.values ?? [])

  const logger = pino(
    {
      level: pino.levels.labels[lowest] ?? 'info',
      base: { runId, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: options.redact?.paths?.length ? { paths: options.redact.paths, censor: REDACTED } : undefined,
      ...(censor === undefined ? {} : { hooks: { streamWrite: censor } }),
    },
    pino.multistream(streams),
  )

  let closed: Promise<void> | undefined
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((done) => {
      file.once('close', () => done())
      file.once('error', () => {
        try {
          closeSync(fd)
        } catch {
          // already closed
        }
        done()
      })
      file.end()
    })
    return closed
  }
  return { logger, path, close }
}

/**
 * A child logger whose records carry `{ asset: key }` (shown as `[asset key]` in pretty output).
 *
 * @example
 * const log = assetLogger(logger, 'features')
 * log.warn({ dropped: 3 }, 'rows without id')
 */
export function assetLogger(logger: Logger, key: string): Logger {
  return logger.child({ asset: key })
}

/**
 * Scrubs secret values from serialized records. Returns undefined when there is nothing to scrub.
 * Fast path: a line that contains no secret (raw or JSON-escaped) passes untouched. Otherwise the
 * record is parsed and every string (keys included) has each secret replaced, and a number equal
 * to a secret becomes the redaction marker, so the line stays valid JSON.
 *
 * @example
 * secretCensor(['hunter2'])?.('{"msg":"pw=hunter2"}\n') // '{"msg":"pw=[redacted]"}\n'
 */
export function secretCensor(secrets: readonly string[]): ((line: string) => string) | undefined {
  const list = [...new Set(secrets.filter((s) => typeof s === 'string' && s !== ''))].sort(
    (a, b) => b.length - a.length,
  )
  if (list.length === 0) return undefined
  const needles = [...new Set(list.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))]
  const scrub = (text: string): string => list.reduce((t, s) => (t.includes(s) ? t.split(s).join(REDACTED) : t), text)
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v)
    if (typeof v === 'number') return list.includes(String(v)) ? REDACTED : v
    if (Array.isArray(v)) return v.map(walk)
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrub(k), walk(x)]))
    }
    return v
  }
  return (line) => {
    if (!needles.some((n) => line.includes(n))) return line
    const trailing = line.endsWith('\n') ? '\n' : ''
    try {
      return JSON.stringify(walk(JSON.parse(line))) + trailing
    } catch {
      // Not JSON (should not happen): scrub the text itself.
      return needles.reduce((t, n) => t.split(n).join(REDACTED), line)
    }
  }
}

const LABELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
const LEVEL_COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35;1' }
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'runId', 'asset', 'err'])

/**
 * Formats one pino record as a human-readable line: `12:00:01 INFO  [asset raw] message key=value`
 * (local time; an error's stack follows on indented lines).
 *
 * @example
 * formatLogLine({ level: 30, time: '2026-01-01T12:00:01.000Z', asset: 'raw', msg: 'loaded', rows: 3 }, false)
 */
export function formatLogLine(record: Record<string, unknown>, color: boolean): string {
  const paint = (code: string, text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text)
  const level = typeof record.level === 'number' ? record.level : 30
  const time = new Date(typeof record.time === 'string' || typeof record.time === 'number' ? record.time : Date.now())
  const hms = [time.getHours(), time.getMinutes(), time.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
  let line = `${paint('2', hms)} ${paint(LEVEL_COLORS[level] ?? '0', (LABELS[level] ?? String(level)).padEnd(5))} `
  if (typeof record.asset === 'string') line += `${paint('1', `[asset ${record.asset}]`)} `
  line += typeof record.msg === 'string' ? record.msg : ''
  for (const [k, v] of Object.entries(record)) {
    if (HIDDEN.has(k) || v === undefined) continue
    line += ` ${paint('2', `${k}=`)}${formatValue(v)}`
  }
  const err = record.err as { stack?: unknown; message?: unknown } | undefined
  if (err !== undefined && err !== null) {
    const text = typeof err.stack === 'string' ? err.stack : String(err.message ?? JSON.stringify(err))
    line += `\n${text
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}`
  }
  return `${line.trimEnd()}\n`
}

/**
 * A pino destination that writes {@link formatLogLine} output to `out`.
 *
 * @example
 * import pino from 'pino'
 * const logger = pino(createPrettyStream(process.stderr, false))
 */
export function createPrettyStream(out: NodeJS.WritableStream, color: boolean): DestinationStream {
  return {
    write(line: string): void {
      let record: Record<string, unknown>
      try {
        record = JSON.parse(line) as Record<string, unknown>
      } catch {
        out.write(line)
        return
      }
      out.write(formatLogLine(record, color))
    },
  }
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v)
  return JSON.stringify(v)
}

function defaultColor(out: NodeJS.WritableStream): boolean {
  const noColor = process.env.NO_COLOR
  if (noColor !== undefined && noColor !== '') return false
  return (out as { isTTY?: boolean }).isTTY === true
}
