/**
 * A pod's log (its stdout), copied into the job folder's `stdout.log` while it runs, where the
 * supervisor streams it into the run log; only what is new crosses the wire. The log is read with
 * `timestamps=true`: every line starts with its RFC3339Nano time. A cursor (the time of the last
 * line taken, and how many lines carried exactly that time) is kept beside the log
 * (`k8s-log.json`), so a restarted orchestrator neither repeats nor loses lines; the next read asks
 * only for lines since that second (`sinceTime`, which has second precision) and drops the ones the
 * cursor says were taken. An unfinished last line waits for the next read unless the job has ended.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Where reading a pod's log stopped: the last line's time (normalized) and how many lines had it. */
export interface LogCursor {
  ts: string
  n: number
}

/** Copies in flight, by stdout file: two pollers of one job in one process never append twice. */
const inFlight = new Map<string, Promise<void>>()

/**
 * A log timestamp with its fraction padded to 9 digits (so that two compare as strings), or
 * undefined when the text is not an RFC3339 UTC time.
 *
 * @example
 * normalizeTimestamp('2026-12-06T09:00:02.1Z') // '2026-12-06T09:00:02.100000000Z'
 */
export function normalizeTimestamp(ts: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(ts)
  return m === null ? undefined : `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`
}

/**
 * The `sinceTime` to read after a cursor: its second (RFC3339 has no fraction there).
 *
 * @example
 * sinceTime({ ts: '2026-12-06T09:00:02.100000000Z', n: 1 }) // '2026-12-06T09:00:02Z'
 */
export function sinceTime(cursor: LogCursor): string {
  return `${cursor.ts.slice(0, 19)}Z`
}

/**
 * The lines of a timestamped log not taken yet (without their timestamps), and the new cursor.
 * A line without a timestamp (a continuation) goes with the line before it.
 *
 * @example
 * newLogLines('2026-12-06T09:00:02.1Z hello\n2026-12-06T09:00:02.1Z world\n', { ts: '2026-12-06T09:00:02.100000000Z', n: 1 }, false)
 * // { lines: ['world'], cursor: { ts: '2026-12-06T09:00:02.100000000Z', n: 2 } }
 */
export function newLogLines(
  log: string,
  cursor: LogCursor | undefined,
  final: boolean,
): { lines: string[]; cursor: LogCursor | undefined } {
  const pieces = log.split('\n')
  const rest = pieces.pop()! // '' after a final newline, else an unfinished line
  if (final && rest !== '') pieces.push(rest)
  const lines: string[] = []
  const seen = new Map<string, number>()
  let last = cursor
  let taking = cursor === undefined
  for (const piece of pieces) {
    const space = piece.indexOf(' ')
    const ts = normalizeTimestamp(space < 0 ? piece : piece.slice(0, space))
    if (ts === undefined) {
      if (taking) lines.push(piece)
      continue
    }
    const k = (seen.get(ts) ?? 0) + 1
    seen.set(ts, k)
    taking = cursor === undefined || ts > cursor.ts || (ts === cursor.ts && k > cursor.n)
    if (!taking) continue
    lines.push(space < 0 ? '' : piece.slice(space + 1))
    last = { ts, n: k }
  }
  return { lines, cursor: last }
}

/**
 * Reads a pod's new log lines with `read(sinceTime)` and appends them to `stdoutPath`, keeping the
 * cursor beside it (serialized per file within this process).
 *
 * @example
 * await copyNewLog((since) => client.log(podName, 'job', since), handle.stdoutPath, status.state !== 'running')
 */
export function copyNewLog(
  read: (sinceTime: string | undefined) => Promise<string>,
  stdoutPath: string,
  final: boolean,
): Promise<void> {
  const previous = inFlight.get(stdoutPath) ?? Promise.resolve()
  const next = previous.then(async () => {
    const cursorPath = path.join(path.dirname(stdoutPath), 'k8s-log.json')
    let cursor: LogCursor | undefined
    try {
      cursor = JSON.parse(readFileSync(cursorPath, 'utf8')) as LogCursor
    } catch {
      // nothing copied yet
    }
    const out = newLogLines(await read(cursor === undefined ? undefined : sinceTime(cursor)), cursor, final)
    if (out.lines.length > 0) appendFileSync(stdoutPath, `${out.lines.join('\n')}\n`)
    if (out.cursor !== undefined && (out.cursor.ts !== cursor?.ts || out.cursor.n !== cursor.n))
      writeFileSync(cursorPath, JSON.stringify(out.cursor))
  })
  const settled = next.catch(() => undefined)
  inFlight.set(stdoutPath, settled)
  void settled.then(() => {
    if (inFlight.get(stdoutPath) === settled) inFlight.delete(stdoutPath)
  })
  return next
}
