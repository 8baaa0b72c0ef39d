/**
 * The daemon's loop, independent of what a tick does: it ticks on a fixed grid (start + k × interval,
 * so it never drifts) and at once when woken (a watched file changed, another process committed to
 * the store, one of its runs finished), never runs two ticks at once (a tick that overruns skips the
 * slots it covered; a wake during a tick makes the next one start right after it), keeps the lease renewed, tracks the runs the ticks launched (they go on between ticks), and on stop
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
  /** Why this tick started before its grid slot (`files`, `store`, `run`, …), in order; empty for a grid tick. */
  woken: readonly string[]
}

/**
 * Wakes the loop between ticks. Reasons given while a tick runs are kept: the next tick then starts
 * as soon as that one ends.
 *
 * @example
 * const wake = new Wake()
 * watcher.on('change', () => wake.wake('files'))
 * await runDaemonLoop({ intervalMs: 60_000, wake, tick, lease, stop, events })
 */
export class Wake {
  #reasons: string[] = []
  #notify: (() => void) | undefined

  /** Asks for a tick now (`reason` is told to it). */
  wake(reason: string): void {
    if (!this.#reasons.includes(reason)) this.#reasons.push(reason)
    this.#notify?.()
  }

  /** The reasons since the last call, in order. */
  take(): string[] {
    const reasons = this.#reasons
    this.#reasons = []
    return reasons
  }

  /** Resolves after `ms`, when woken (at once if a reason is pending), or when `signal` aborts. */
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#reasons.length > 0 || signal.aborted) return
    const woken = new AbortController()
    const onAbort = () => woken.abort()
    signal.addEventListener('abort', onAbort, { once: true })
    this.#notify = onAbort
    try {
      await sleep(ms, woken.signal)
    } finally {
      this.#notify = undefined
      signal.removeEventListener('abort', onAbort)
    }
  }
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
  /** Wakes the loop before the next slot (a finished run wakes it too). */
  wake?: Wake
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
  const wake = options.wake ?? new Wake()
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
  const ctx: Omit<TickContext, 'woken'> = {
    signal: cancelRuns.signal,
    onRun(runId, done) {
      const started = performance.now()
      const tracked = done.then(
        (value) => events.runFinished(runId, { ok: true, value }, performance.now() - started),
        (error: unknown) => events.runFinished(runId, { ok: false, error }, performance.now() - started),
      )
      // What the run recorded may make other assets due: tick again now, not at the next slot.
      void tracked.then(() => wake.wake('run'))
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
        const report = await options.tick({ ...ctx, woken: wake.take() })
        events.tick(report, performance.now() - started)
      } catch (e) {
        events.tickFailed(e, performance.now() - started)
      }
      await checkLease()
      if (halt.signal.aborted) break
      // The next slot of the grid that is still ahead: an overrun skips the slots it covered.
      const elapsed = performance.now() - origin
      const next = (Math.floor(elapsed / intervalMs) + 1) * intervalMs
      await wake.sleep(next - elapsed, halt.signal)
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
