/**
 * Following a submitted job to its end: polls its state, streams its stdout/stderr into the run log
 * and applies its messages as they arrive, cancels it when the signal aborts (the run is cancelled or
 * the asset timed out), cancels a pending job that can never start, and says when a job was requeued
 * (preempted, node failure) and runs again under the same id.
 */
import type { Logger } from 'pino'

import { isRiversError } from '../errors.js'
import type { JobReport } from '../job/report.js'
import { LineFollower } from '../job/tail.js'
import { isTerminal, type JobHandle, type JobStatus, type Launcher } from './types.js'

/** Options of `superviseJob`. */
export interface SuperviseOptions {
  signal: AbortSignal
  /** Receives the job's output lines (`{ stream: 'stdout' | 'stderr' }`) and the supervisor's notes. */
  log: Logger
  report?: JobReport
  /** Called with each new state (and once with the final one). */
  onStatus?: (status: JobStatus) => void
  /** How long to wait for a cancelled job to stop before giving up on it (default 60 s). */
  stopWaitMs?: number
  /** Consecutive failed status queries tolerated before giving up (default 10). */
  maxStatusErrors?: number
}

/** The final status, and whether Rivers stopped the job (and why). */
export interface SupervisedStatus extends JobStatus {
  stoppedBy?: 'cancelled' | 'timeout' | 'never_starts'
  /** The last lines of the job's stderr. */
  stderrTail: string
}

/**
 * Follows a job until it ends.
 *
 * @example
 * const final = await superviseJob(launcher, handle, { signal: ctx.signal, log, report })
 * if (final.state !== 'succeeded') throw new Error(final.stderrTail)
 */
export async function superviseJob(
  launcher: Launcher,
  handle: JobHandle,
  options: SuperviseOptions,
): Promise<SupervisedStatus> {
  const { signal } = options
  // The job may outlive the run that started it (an asset timeout does not wait for the job to
  // stop): logging must never throw once the run's log file is closed.
  const log = safeLogger(options.log)
  const stdout = new LineFollower(handle.stdoutPath)
  const stderr = handle.stderrPath === handle.stdoutPath ? undefined : new LineFollower(handle.stderrPath)
  const tail: string[] = []
  const pump = async (final: boolean): Promise<void> => {
    for (const line of await stdout.read({ final })) log.info({ stream: 'stdout' }, line)
    if (stderr !== undefined) {
      for (const line of await stderr.read({ final })) {
        log.info({ stream: 'stderr' }, line)
        tail.push(line)
        if (tail.length > 20) tail.shift()
      }
    }
    await options.report?.poll({ final })
  }
  let last: JobStatus | undefined
  let stoppedBy: SupervisedStatus['stoppedBy']
  let stopDeadline = Infinity
  let errors = 0
  for (;;) {
    let status: JobStatus
    try {
      status = await launcher.status(handle)
      errors = 0
    } catch (e) {
      if (++errors >= (options.maxStatusErrors ?? 10)) throw e
      log.warn(
        { err: e },
        `could not read the state of ${launcher.name} job ${handle.id} (${errors} in a row); retrying`,
      )
      await sleep(launcher.pollIntervalMs * 2 ** Math.min(errors, 5), undefined)
      continue
    }
    const requeued = (status.restarts ?? 0) > (last?.restarts ?? 0)
    if (requeued)
      log.warn(
        { job: handle.id, restarts: status.restarts, reason: status.reason },
        `${launcher.name} job ${handle.id} was requeued (restart ${status.restarts}${status.reason ? `: ${status.reason}` : ''}); it runs again in the same folder, with the same RIVERS_CHECKPOINT_DIR`,
      )
    if (last === undefined || requeued || status.state !== last.state || status.reason !== last.reason) {
      if (last === undefined || status.state !== last.state)
        log.debug(
          { job: handle.id, state: status.state, reason: status.reason },
          `${launcher.name} job ${handle.id} is ${status.state}${status.reason ? ` (${status.reason})` : ''}`,
        )
      options.onStatus?.(status)
    }
    last = status
    await pump(isTerminal(status.state))
    if (isTerminal(status.state)) {
      const final: SupervisedStatus = { ...status, stderrTail: tail.join('\n') }
      if (stoppedBy !== undefined) final.stoppedBy = stoppedBy
      // Slurm reports a job we stopped at the asset's timeout as cancelled: say what happened.
      if (stoppedBy === 'timeout' && status.state === 'cancelled') final.state = 'timeout'
      if (final.state !== status.state) options.onStatus?.(final)
      return final
    }
    if (stoppedBy === undefined && (signal.aborted || status.neverStarts === true)) {
      stoppedBy = signal.aborted
        ? isRiversError(signal.reason) && signal.reason.code === 'RIVERS_TIMEOUT'
          ? 'timeout'
          : 'cancelled'
        : 'never_starts'
      if (stoppedBy === 'never_starts')
        log.error(
          { job: handle.id, reason: status.reason },
          `${launcher.name} job ${handle.id} can never start (${status.reason}); cancelling it`,
        )
      else
        log.warn(
          { job: handle.id },
          `stopping ${launcher.name} job ${handle.id} (${stoppedBy === 'timeout' ? 'the asset timed out' : 'the run was cancelled'})`,
        )
      await launcher.cancel(handle, stoppedBy === 'timeout' ? 'timeout' : 'cancelled')
      stopDeadline = Date.now() + (options.stopWaitMs ?? 60_000)
    }
    if (Date.now() > stopDeadline) {
      log.error(
        { job: handle.id },
        `${launcher.name} job ${handle.id} did not stop within ${options.stopWaitMs ?? 60_000} ms of being cancelled; no longer waiting for it`,
      )
      const final: SupervisedStatus = {
        ...status,
        state: 'cancelled',
        reason: 'did not stop in time after cancellation',
        stderrTail: tail.join('\n'),
      }
      if (stoppedBy !== undefined) final.stoppedBy = stoppedBy
      options.onStatus?.(final)
      return final
    }
    await sleep(launcher.pollIntervalMs, stoppedBy === undefined ? signal : undefined)
  }
}

/**
 * A logger whose calls never throw (pino throws once its destination is closed); `child` loggers
 * are safe too.
 *
 * @example
 * const log = safeLogger(runLogger)
 */
export function safeLogger(log: Logger): Logger {
  return new Proxy(log, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (typeof v !== 'function') return v
      if (prop === 'child')
        return (...args: unknown[]) => safeLogger((v as (...a: unknown[]) => Logger).apply(target, args))
      if (typeof prop === 'string' && ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(prop)) {
        return (...args: unknown[]) => {
          try {
            ;(v as (...a: unknown[]) => void).apply(target, args)
          } catch {
            // the run's log is closed: nothing to write to
          }
        }
      }
      return v
    },
  })
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
