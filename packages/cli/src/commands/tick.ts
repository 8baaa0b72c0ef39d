/**
 * `assets tick [--dry-run] [--now ISO]`: one evaluation of every automation condition, schedule and
 * sensor; prints each evaluated asset with its decision and condition tree, then the runs it launched
 * and their outcome (it waits for them). `--dry-run` stores nothing and launches nothing. Exit 0, 1
 * when a launched run failed, 130 when cancelled (Ctrl-C), 2 on bad input.
 */
import type { TickReport } from '@rivers-orchestrator/rivers'
import { withCancellation } from '../cancel.js'
import { type Ctx, print, printJson, withWorkspace } from '../context.js'
import { badNow } from '../daemon/errors.js'
import { formatTickReport } from '../daemon/tick-format.js'
import { EXIT, exitCodeOfRun } from '../exit.js'

/** Options of `tick`. */
export interface TickFlags {
  dryRun?: boolean
  /** Evaluate as if it were this time (ISO 8601): cron conditions, schedules, time_since. */
  now?: string
}

/**
 * @example
 * await tick(ctx, { dryRun: true })
 */
export async function tick(ctx: Ctx, flags: TickFlags): Promise<number> {
  const now = flags.now === undefined ? undefined : parseNow(flags.now)
  const dryRun = flags.dryRun === true
  return withWorkspace(ctx, async (ws) => {
    const hooks = {
      onCancel: () =>
        ctx.io.stderr.write(
          'Cancelling: waiting for the runs of this tick to stop (press Ctrl-C again to exit at once)…\n',
        ),
      onExit: () => ctx.io.stderr.write('Exiting without waiting for the runs.\n'),
    }
    const report = await withCancellation(ctx.io, hooks, (signal) =>
      ws.tick({ dryRun, wait: true, signal, ...(now === undefined ? {} : { now }) }),
    )
    if (ctx.json) printJson(ctx, report)
    else print(ctx, formatTickReport(report, ctx.out, dryRun))
    return exitCodeOfTick(report)
  })
}

/**
 * 130 when a run was cancelled, else 1 when one failed or could not start, else 0.
 *
 * @example
 * exitCodeOfTick(report) // 0
 */
export function exitCodeOfTick(report: Pick<TickReport, 'runs'>): number {
  const codes = report.runs.map((r) =>
    r.error !== undefined ? EXIT.failed : r.summary === undefined ? EXIT.ok : exitCodeOfRun(r.summary),
  )
  if (codes.includes(EXIT.cancelled)) return EXIT.cancelled
  return codes.includes(EXIT.failed) ? EXIT.failed : EXIT.ok
}

function parseNow(value: string): Date {
  const at = /^\d{4}-\d{2}-\d{2}(T|\s|$)/.test(value.trim()) ? new Date(value.trim()) : new Date(Number.NaN)
  if (Number.isNaN(at.getTime())) throw badNow(value)
  return at
}
