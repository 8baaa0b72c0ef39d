/**
 * Stopping a long-running command (`daemon`, `watch`) on signals: the first SIGTERM or SIGINT asks it
 * to stop cleanly (an AbortSignal the command waits on), a second one exits at once with 130.
 */
import { EXIT } from '../exit.js'
import type { Io } from '../io.js'

/** What to tell the user on each signal. */
export interface StopHooks {
  /** First signal: stopping cleanly. */
  onStop(signal: NodeJS.Signals): void
  /** Second signal: about to exit without waiting. */
  onExit(): void
}

/** The stop signal and how to remove the handlers. */
export interface StopOnSignals {
  readonly signal: AbortSignal
  /** Which signal asked to stop, once one did. */
  readonly received: NodeJS.Signals | undefined
  dispose(): void
}

/**
 * Installs SIGINT and SIGTERM handlers until `dispose()`.
 *
 * @example
 * const say = (s: string) => void ctx.io.stderr.write(`${s}\n`)
 * const stop = stopOnSignals(ctx.io, { onStop: () => say('stopping…'), onExit: () => say('exiting now') })
 * try { await runDaemonLoop({ intervalMs: 5000, tick, lease, events, stop: stop.signal }) } finally { stop.dispose() }
 */
export function stopOnSignals(io: Io, hooks: StopHooks): StopOnSignals {
  const controller = new AbortController()
  let received: NodeJS.Signals | undefined
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const listener = () => {
      if (controller.signal.aborted) {
        hooks.onExit()
        io.signals.exitNow(EXIT.cancelled)
      }
      received = name
      hooks.onStop(name)
      controller.abort()
    }
    io.signals.on(name, listener)
    return [name, listener] as const
  })
  return {
    signal: controller.signal,
    get received() {
      return received
    },
    dispose() {
      for (const [name, listener] of listeners) io.signals.off(name, listener)
    },
  }
}
