/**
 * Ctrl-C during a run: the first SIGINT (or SIGTERM) aborts the run's AbortSignal so running assets
 * can stop and the run ends `cancelled`; a second one exits at once with 130.
 */
import { cancelled } from './errors.js'
import { EXIT } from './exit.js'
import type { Io } from './io.js'

/** What to tell the user on each signal. */
export interface CancelHooks {
  /** First signal: the run is being cancelled. */
  onCancel(): void
  /** Second signal: about to exit without waiting. */
  onExit(): void
}

/**
 * Runs `fn` with signal handlers installed, and removes them after. If `fn` rejects after a signal,
 * the rejection becomes a cancel (exit 130).
 *
 * @example
 * const summary = await withCancellation(io, hooks, (signal) => ws.materialize({ signal }))
 */
export async function withCancellation<T>(
  io: Io,
  hooks: CancelHooks,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController()
  const onSignal = () => {
    if (controller.signal.aborted) {
      hooks.onExit()
      io.signals.exitNow(EXIT.cancelled)
    }
    hooks.onCancel()
    controller.abort()
  }
  io.signals.on('SIGINT', onSignal)
  io.signals.on('SIGTERM', onSignal)
  try {
    return await fn(controller.signal)
  } catch (e) {
    // A run that rejects instead of resolving `cancelled` once aborted still ends as a cancel.
    if (controller.signal.aborted) throw cancelled('the run was stopped', e)
    throw e
  } finally {
    io.signals.off('SIGINT', onSignal)
    io.signals.off('SIGTERM', onSignal)
  }
}
