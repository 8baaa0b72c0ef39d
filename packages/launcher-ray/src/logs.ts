/**
 * A Ray job's output, copied into the job folder's `stdout.log` while it runs, where the supervisor
 * streams it into the run log. Each copy fetches the job's log (`GET /api/jobs/{id}/logs`) and
 * appends only what is new: the number of characters already taken is kept beside the log
 * (`ray-log.offset`), so a restarted orchestrator neither repeats nor loses lines. Ray's own lines
 * (`… INFO job_manager.py:… -- Runtime env is setting up.`) are left out; an unfinished last line
 * waits for the next copy unless the job has ended.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Lines Ray's job manager writes into the job's log itself. */
const RAY_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}\t[A-Z]+ job_manager\.py:\d+ -- /

/** Copies in flight, by stdout file: two pollers of one job in one process never append twice. */
const inFlight = new Map<string, Promise<void>>()

/**
 * The part of a job's log not copied yet: the complete lines after `offset` (all of it when
 * `final`), without Ray's own lines, and the new offset.
 *
 * @example
 * newOutput('2024-01-01 10:00:00,000\tINFO job_manager.py:531 -- Runtime env is setting up.\nhello\nwor', 0, false)
 * // { text: 'hello\n', offset: 84 }
 */
export function newOutput(log: string, offset: number, final: boolean): { text: string; offset: number } {
  const start = offset > log.length ? 0 : offset // a log shorter than what was copied is a new log
  const end = final ? log.length : log.lastIndexOf('\n') + 1
  if (end <= start) return { text: '', offset: start }
  let text = log
    .slice(start, end)
    .split(/(?<=\n)/)
    .filter((line) => !RAY_LINE.test(line))
    .join('')
  if (final && text !== '' && !text.endsWith('\n')) text += '\n'
  return { text, offset: end }
}

/**
 * Appends what is new in `log` to `stdoutPath` (serialized per file within this process).
 *
 * @example
 * await copyNewOutput(await client.logs(id), handle.stdoutPath, job.status !== 'RUNNING')
 */
export function copyNewOutput(log: string, stdoutPath: string, final: boolean): Promise<void> {
  const previous = inFlight.get(stdoutPath) ?? Promise.resolve()
  const next = previous.then(() => {
    const offsetPath = path.join(path.dirname(stdoutPath), 'ray-log.offset')
    let offset = 0
    try {
      offset = Number(readFileSync(offsetPath, 'utf8')) || 0
    } catch {
      // nothing copied yet
    }
    const out = newOutput(log, offset, final)
    if (out.text !== '') appendFileSync(stdoutPath, out.text)
    if (out.offset !== offset) writeFileSync(offsetPath, String(out.offset))
  })
  const settled = next.catch(() => undefined)
  inFlight.set(stdoutPath, settled)
  void settled.then(() => {
    if (inFlight.get(stdoutPath) === settled) inFlight.delete(stdoutPath)
  })
  return next
}
