/**
 * `assets daemon [--interval 5s] [--catch-up skip|latest|all:N] [--wait] [--poll] [--poll-interval 1s]`:
 * one long-running process per store that ticks every interval (conditions, schedules, sensors) and
 * at once when a path source's file changes or another process commits to the store, and launches
 * the runs they request, which go on between ticks. A lease in the store (`@daemon`) keeps it single:
 * a second daemon exits 2 naming the holder, or waits with `--wait`. SIGTERM/SIGINT: stop ticking,
 * cancel the running runs, wait until they have recorded, release the lease, exit 0 (a second signal
 * exits 130 at once). Prints a line per tick that did something and per finished run, idle ticks as a
 * summary at most once a minute (NDJSON with `--json`: every tick).
 */
import path from 'node:path'

import type { Lease } from '@rivers-orchestrator/rivers/plugin'
import type { Ctx } from '../context.js'
import { daemonLeaseLost, daemonRunning } from '../daemon/errors.js'
import { DaemonLease } from '../daemon/lease.js'
import { daemonLog } from '../daemon/log.js'
import { runDaemonLoop, Wake } from '../daemon/loop.js'
import { type CatchUp, leaseTtlMs } from '../daemon/options.js'
import { stopOnSignals } from '../daemon/signals.js'
import { startWakeups, type Wakeups, wantsPolling } from '../daemon/wakeups.js'
import { withStoreWorkspace } from '../daemon/workspace.js'
import { shownPath } from '../errors.js'
import { EXIT } from '../exit.js'
import { formatDuration } from '../format/duration.js'

/** Options of `daemon`. */
export interface DaemonFlags {
  /** Time between ticks (ms). */
  interval: number
  catchUp: CatchUp
  /** Wait for another daemon to stop instead of exiting 2. */
  wait?: boolean
  /** Poll the source files and the store instead of fs events (also `RIVERS_WATCH=poll`). */
  poll?: boolean
  /** How often polling looks (ms; default 1 s). */
  pollInterval?: number
}

/** The default of `--poll-interval` (ms). */
export const POLL_INTERVAL_MS = 1_000

/**
 * @example
 * process.exitCode = await daemon(ctx, { interval: 5_000, catchUp: 'latest' })
 */
export async function daemon(ctx: Ctx, flags: DaemonFlags): Promise<number> {
  const log = daemonLog(ctx)
  return withStoreWorkspace(ctx, async ({ ws, store, storeName, storeDir, projectFile, watchCommits, storeEvents }) => {
    const ttlMs = leaseTtlMs(flags.interval)
    const lease = new DaemonLease(store, ttlMs)
    let wakeups: Wakeups | undefined
    const stop = stopOnSignals(ctx.io, {
      onStop: (signal) =>
        log.info(
          'stopping',
          `${signal}: stopping: no more ticks; cancelling running runs (send it again to exit at once)`,
          {
            signal,
          },
        ),
      onExit: () => log.info('exiting', 'exiting without waiting for the runs', {}),
    })
    try {
      let got = await lease.tryAcquire()
      if (!got.acquired) {
        if (flags.wait !== true) throw daemonRunning(storeName, got.holder)
        const waited = await lease.waitFor(stop.signal, Math.min(1_000, ttlMs / 3), (h) =>
          log.info('waiting', `waiting for the daemon ${holderText(h)} to stop`, { holder: holderFields(h) }),
        )
        if (waited === undefined) {
          log.info('stopped', 'stopped while waiting; the other daemon still holds the store', {})
          return EXIT.ok
        }
        got = waited
      }
      if (got.previous !== undefined)
        log.info(
          'took_over',
          `took the store over from the daemon ${holderText(got.previous)}, ${got.previous.expiresAt <= Date.now() ? 'whose lease had expired' : 'whose process is gone'}`,
          { previous: holderFields(got.previous) },
        )
      const catchUp = typeof flags.catchUp === 'string' ? flags.catchUp : `all:${flags.catchUp.all}`
      const wake = new Wake()
      const poll = wantsPolling(flags.poll, ctx.io.env)
      const pollIntervalMs = flags.pollInterval ?? POLL_INTERVAL_MS
      const onFallback = (dir: string, error: unknown) => {
        const shown = shownPath(dir, ctx.io.cwd)
        const what =
          (error as { code?: unknown }).code === 'ENOENT'
            ? `${shown} does not exist (or went away)`
            : `fs events are not available for ${shown} (${messageOf(error)})`
        log.info('watch_fallback', `${what}: polling it every ${formatDuration(pollIntervalMs)}`, {
          dir,
          error: messageOf(error),
        })
      }
      const storeWatch = await watchCommits({
        poll,
        pollIntervalMs,
        onCommit: () => wake.wake('store'),
        onFallback,
        onListenLost: (error) =>
          log.info(
            'watch_fallback',
            `the store's LISTEN connection failed (${messageOf(error)}): polling ${storeName} every ${formatDuration(pollIntervalMs)} until it reconnects`,
            { store: storeName, error: messageOf(error) },
          ),
        onResumed: () => log.info('watch_resumed', `listening to ${storeName} again`, { store: storeName }),
      })
      wakeups = startWakeups({
        assets: ws.project.assets,
        baseDir: path.dirname(projectFile),
        store: storeWatch,
        storeEvents,
        poll,
        pollIntervalMs,
        wake,
        onFallback,
      })
      const watching = wakeups.describe()
      log.info(
        'started',
        `daemon started (pid ${process.pid}): ticking every ${formatDuration(flags.interval)}, lease ${formatDuration(ttlMs)}, catch-up ${catchUp}, store ${storeName}; ${watching}`,
        {
          pid: process.pid,
          intervalMs: flags.interval,
          leaseMs: ttlMs,
          catchUp: flags.catchUp,
          storeDir,
          store: storeName,
          watch: {
            sources: wakeups.sources.sources.map((s) => s.key),
            sourceMode: wakeups.sources.mode,
            storeMode: wakeups.store.mode,
            pollIntervalMs,
          },
        },
      )
      const sources = wakeups.sources
      const end = await runDaemonLoop({
        intervalMs: flags.interval,
        lease,
        stop: stop.signal,
        wake,
        tick: async (t) => {
          const observe = sources.take()
          try {
            const report = await ws.tick({
              wait: false,
              signal: t.signal,
              catchUp: flags.catchUp,
              onRun: t.onRun,
              observe,
              watched: sources.watched,
            })
            return { ...report, observed: observe, woken: t.woken }
          } catch (e) {
            sources.restore(observe) // observed by the next tick
            throw e
          }
        },
        events: {
          tick: (report, ms) => log.tick(report, ms),
          tickFailed: (e, ms) => log.tickFailed(e, ms),
          runFinished: (runId, outcome, ms) => log.runFinished(runId, outcome, ms),
          stopping: (running) => {
            if (running.length === 0) return
            const runs = `${running.length} running run${running.length === 1 ? '' : 's'}`
            log.info('cancelling', `cancelling ${runs}: ${running.join(', ')}`, { runs: running })
          },
        },
      })
      if (end.reason === 'lease_lost') throw daemonLeaseLost(end.holder)
      log.info('stopped', 'daemon stopped; lease released', {})
      return EXIT.ok
    } finally {
      wakeups?.close()
      stop.dispose()
    }
  })
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function holderText(h: Lease): string {
  return `of pid ${h.pid} on ${h.host} (since ${new Date(h.acquiredAt).toISOString()})`
}

function holderFields(h: Lease): Record<string, unknown> {
  return { pid: h.pid, host: h.host, since: new Date(h.acquiredAt).toISOString(), id: h.runId }
}
