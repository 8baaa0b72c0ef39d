/**
 * A pod's log (its stdout), copied into the job folder's `stdout.log` while it runs, where the
 * supervisor streams it into the run log. The log API has no byte offset to read from, so each
 * copy reads the log and appends only what is new: how much was taken is kept beside the log
 * (`k8s-log.offset`), so a restarted orchestrator neither repeats nor loses lines. An unfinished
 * last line waits for the next copy unless the job has ended.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Copies in flight, by stdout file: two pollers of one job in one process never append twice. */
const inFlight = new Map<string, Promise<void>>()

/**
 * The part of a log not copied yet: the complete lines after `offset` (all of it when `final`),
 * and the new offset.
 *
 * @example
 * newLogText('hello\nwor', 0, false) // { text: 'hello\n', offset: 6 }
 */
export function newLogText(log: string, offset: number, final: boolean): { text: string; offset: number } {
  const start = offset > log.length ? 0 : offset // a log shorter than what was copied is a new log
  const end = final ? log.length : log.lastIndexOf('\n') + 1
  if (end <= start) return { text: '', offset: start }
  let text = log.slice(start, end)
  if (final && !text.endsWith('\n')) text += '\n'
  return { text, offset: end }
}

/**
 * Appends what is new in `log` to `stdoutPath` (serialized per file within this process).
 *
 * @example
 * await copyNewLog(await client.podLog(pod), handle.stdoutPath, status.state !== 'running')
 */
export function copyNewLog(log: string, stdoutPath: string, final: boolean): Promise<void> {
  const previous = inFlight.get(stdoutPath) ?? Promise.resolve()
  const next = previous.then(() => {
    const offsetPath = path.join(path.dirname(stdoutPath), 'k8s-log.offset')
    let offset = 0
    try {
      offset = Number(readFileSync(offsetPath, 'utf8')) || 0
    } catch {
      // nothing copied yet
    }
    const out = newLogText(log, offset, final)
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
