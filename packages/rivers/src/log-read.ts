/**
 * Reading run logs back: the NDJSON files `log.ts` writes (`<store>/logs/<runId>.ndjson`), filtered
 * by asset and level, either whole or followed while the run writes them. A job's streamed
 * stdout/stderr is logged by its asset's logger (`{ asset, stream }`), so an asset's lines include it.
 */
import { open } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Level } from 'pino'

import { pinoLib } from './deps.js'
import { RiversError } from './errors.js'

/** One record of a run log (pino's fields; the rest are the record's own). */
export interface LogRecord {
  /** pino's level number: 10 trace … 60 fatal. */
  level: number
  /** ISO time. */
  time: string
  msg?: string
  /** The asset the line is about (absent for run-level lines). */
  asset?: string
  [field: string]: unknown
}

/** Which records of a run log to keep. */
export interface LogFilter {
  /** Only records of this asset (its job's stdout/stderr included). */
  asset?: string
  /** Only records at this level or above. */
  level?: Level
}

/**
 * The run log of `runId` does not exist (the run wrote none, or the file was removed).
 *
 * @example
 * throw runLogMissing('r1', '/p/.rivers/logs/r1.ndjson')
 */
export function runLogMissing(runId: string, path: string): RiversError {
  return new RiversError(
    'RIVERS_RUN_LOG_MISSING',
    `run ${runId} has no log file (${path}): it was removed, or the run used another store folder (--store)`,
  )
}

/**
 * Path of the log of a run.
 *
 * @example
 * runLogPath('.rivers', '20260101-120000-ab12') // '/abs/.rivers/logs/20260101-120000-ab12.ndjson'
 */
export function runLogPath(storeDir: string, runId: string): string {
  return join(resolve(storeDir, 'logs'), `${runId}.ndjson`)
}

/**
 * Whether a record passes the filter.
 *
 * @example
 * keepRecord({ level: 40, time: 't', asset: 'raw' }, { asset: 'raw', level: 'warn' }) // true
 */
export function keepRecord(record: LogRecord, filter: LogFilter): boolean {
  if (filter.asset !== undefined && record.asset !== filter.asset) return false
  if (filter.level !== undefined && record.level < pinoLib().levels.values[filter.level]!) return false
  return true
}

/**
 * Every record of a run log that passes the filter, in order. A line that is not JSON (a torn last
 * line of a killed process) is skipped.
 *
 * @example
 * const warnings = await readRunLog('.rivers', runId, { level: 'warn' })
 */
export async function readRunLog(storeDir: string, runId: string, filter: LogFilter = {}): Promise<LogRecord[]> {
  const out: LogRecord[] = []
  const reader = await LogTail.open(storeDir, runId)
  try {
    for (const r of await reader.read(true)) if (keepRecord(r, filter)) out.push(r)
  } finally {
    await reader.close()
  }
  return out
}

/** Options of {@link followRunLog}. */
export interface FollowOptions {
  /** Resolves true once nothing more will be written (the run finished, or its process is gone). */
  finished: () => Promise<boolean>
  /** Stops following (the iteration then ends quietly). */
  signal?: AbortSignal
  /** How often to look for new lines (default 200 ms). */
  pollMs?: number
}

/**
 * The records of a run log as they are written, until the run is finished: what is there first,
 * then each new complete line; after `finished()` says so, the rest of the file, then the end.
 *
 * @example
 * for await (const r of followRunLog('.rivers', runId, {}, { finished: async () => false })) console.log(r.msg)
 */
export async function* followRunLog(
  storeDir: string,
  runId: string,
  filter: LogFilter,
  options: FollowOptions,
): AsyncGenerator<LogRecord> {
  const reader = await LogTail.open(storeDir, runId)
  const pollMs = options.pollMs ?? 200
  try {
    for (;;) {
      if (options.signal?.aborted) return
      const done = await options.finished()
      for (const r of await reader.read(done)) if (keepRecord(r, filter)) yield r
      if (done) return
      await sleep(pollMs, options.signal)
    }
  } finally {
    await reader.close()
  }
}

/** A run log read incrementally: each `read` returns the complete lines written since the last. */
class LogTail {
  #offset = 0
  #partial: Buffer = Buffer.alloc(0)

  private constructor(private readonly file: Awaited<ReturnType<typeof open>>) {}

  static async open(storeDir: string, runId: string): Promise<LogTail> {
    const path = runLogPath(storeDir, runId)
    try {
      return new LogTail(await open(path, 'r'))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw runLogMissing(runId, path)
      throw e
    }
  }

  /** The records of the lines written since the last read; `final` also takes an unterminated last line. */
  async read(final: boolean): Promise<LogRecord[]> {
    const chunks: Buffer[] = []
    for (;;) {
      const buf = Buffer.alloc(64 * 1024)
      const { bytesRead } = await this.file.read(buf, 0, buf.length, this.#offset)
      if (bytesRead === 0) break
      this.#offset += bytesRead
      chunks.push(buf.subarray(0, bytesRead))
    }
    // Split the bytes, not the text, so a character cut at the end of a read is never mangled.
    const bytes = Buffer.concat([this.#partial, ...chunks])
    const end = final ? bytes.length : bytes.lastIndexOf(0x0a) + 1
    this.#partial = bytes.subarray(end)
    const lines = bytes.subarray(0, end).toString('utf8').split('\n')
    const records: LogRecord[] = []
    for (const line of lines) {
      if (line.trim() === '') continue
      try {
        const r = JSON.parse(line) as unknown
        if (typeof r === 'object' && r !== null && typeof (r as LogRecord).level === 'number')
          records.push(r as LogRecord)
      } catch {
        // a torn line: skipped
      }
    }
    return records
  }

  close(): Promise<void> {
    return this.file.close()
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms)
    function finish(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', finish)
      done()
    }
    signal?.addEventListener('abort', finish, { once: true })
  })
}
