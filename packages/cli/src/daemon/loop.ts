/**
 * The daemon's loop, independent of what a tick does: it ticks on a fixed grid (start + k × interval,
 * so it never drifts), never runs two ticks at once (a tick that overruns skips the slots it covered),
 * keeps the lease renewed, tracks the runs the ticks launched (they go on between ticks), and on stop
 * aborts those runs, waits until they have recorded their outcome, and releases the lease.
 */
import type { Lease } from '@rivers-orchestrator/rivers/plugin'
import { type DaemonLease, sleep } from './lease.js'

/** What a tick gets from the loop. */
export interface TickContext {
  /** Aborted when the daemon stops: the runs the tick launches must take it as their abort signal. */
  signal: AbortSignal
  /** Tell the loop of a run the tick launched; `done` settles once the run has recorded its outcome. */
  onRun(runId: string, done: Promise<unknown>): void
}

/** What the loop reports (the daemon prints one line for each). */
export interface LoopEvents<R> {
  tick(report: R, durationMs: number): void
  tickFailed(error: unknown, durationMs: number): void
  runFinished(
    runId: string,
    outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
    durationMs: number,
  ): void
  /** Called once stopping begins, with the runs still going. */
  stopping(runningRuns: readonly string[]): void
}

/** Options of {@link runDaemonLoop}. */
export interface LoopOptions<R> {
  intervalMs: number
  /** One evaluation (launches runs through `ctx.onRun` and returns without waiting for them). */
  tick(ctx: TickContext): Promise<R>
  /** Held already; renewed every `renewEveryMs` (default a third of its TTL) and after each tick. */
  lease: DaemonLease
  /** Aborted to stop (first SIGTERM/SIGINT). */
  stop: AbortSignal
  events: LoopEvents<R>
  renewEveryMs?: number
}

/** How the loop ended: stopped as asked, or because another daemon holds the lease now. */
export type LoopEnd = { reason: 'stopped' } | { reason: 'lease_lost'; holder: Lease | undefined }

/**
 * Ticks until `stop` aborts or the lease is lost; then cancels and awaits the runs and (when it still
 * holds it) releases the lease.
 *
 * @example
 * const end = await runDaemonLoop({ intervalMs: 5000, tick: (ctx) => ws.tick({ wait: false, ...ctx }), lease, stop, events })
 */
export async function runDaemonLoop<R>(options: LoopOptions<R>): Promise<LoopEnd> {
  const { intervalMs, lease, events } = options
  const runs = new Map<string, Promise<void>>()
  const cancelRuns = new AbortController()
  // Stops the wait between ticks, for a stop or a lost lease alike.
  const halt = new AbortController()
  const onStop = () => halt.abort()
  options.stop.addEventListener('abort', onStop, { once: true })
  let lost = false
  let lostHolder: Lease | undefined
  const checkLease = async () => {
    if (lost) return
    let held: boolean
    try {
      held = await lease.renew()
    } catch {
      return // the store is busy or gone for a moment: the next renewal tries again
    }
    if (!held && !lost) {
      lost = true
      lostHolder = await lease.holder().catch(() => undefined)
      halt.abort()
    }
  }
  const renewer = setInterval(() => void checkLease(), options.renewEveryMs ?? Math.max(1, Math.floor(lease.ttlMs / 3)))
  const ctx: TickContext = {
    signal: cancelRuns.signal,
    onRun(runId, done) {
      const started = performance.now()
      const tracked = done.then(
        (value) => events.runFinished(runId, { ok: true, value }, performance.now() - started),
        (error: unknown) => events.runFinished(runId, { ok: false, error }, performance.now() - started),
      )
      runs.set(
        runId,
        tracked.finally(() => runs.delete(runId)),
      )
    },
  }
  const origin = performance.now()
  try {
    while (!halt.signal.aborted) {
      const started = performance.now()
      try {
        const report = await options.tick(ctx)
        events.tick(report, performance.now() - started)
      } catch (e) {
        events.tickFailed(e, performance.now() - started)
      }
      await checkLease()
      if (halt.signal.aborted) break
      // The next slot of the grid that is still ahead: an overrun skips the slots it covered.
      const elapsed = performance.now() - origin
      const next = (Math.floor(elapsed / intervalMs) + 1) * intervalMs
      await sleep(next - elapsed, halt.signal)
    }
  } finally {
    clearInterval(renewer)
    options.stop.removeEventListener('abort', onStop)
    events.stopping([...runs.keys()])
    cancelRuns.abort()
    await Promise.allSettled([...runs.values()])
    if (!lost) await lease.release()
  }
  return lost ? { reason: 'lease_lost', holder: lostHolder } : { reason: 'stopped' }
}
