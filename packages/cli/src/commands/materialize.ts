/**
 * `assets materialize [SELECTION...]` (and `assets plan`): run the plan of the selection with live
 * progress, or print the plan with `--dry-run`. Ctrl-C (or SIGTERM) cancels the run through an
 * AbortSignal; a second Ctrl-C exits at once. Exit code: 0, 1 with failed assets, 130 cancelled.
 */
import type { RunSummary } from '@rivers-orchestrator/rivers'
import { withCancellation } from '../cancel.js'
import { readConfigArg } from '../config-arg.js'
import { print, printJson, selectionOf, withWorkspace, type Ctx } from '../context.js'
import { EXIT, exitCodeOfRun } from '../exit.js'
import { formatPlan } from '../format/plan.js'
import { formatSummary, formatTotals } from '../format/run.js'
import { createProgress } from '../progress.js'

/** Options of `materialize`. */
export interface MaterializeFlags {
  force?: boolean
  dryRun?: boolean
  concurrency?: number
  config?: string
  /** `--partition` values: keys or `FROM...TO` ranges. */
  partition?: string[]
}

/**
 * @example
 * await materialize(ctx, ['features+'], { force: true })
 */
export async function materialize(ctx: Ctx, args: readonly string[], flags: MaterializeFlags): Promise<number> {
  const config = flags.config === undefined ? undefined : await readConfigArg(flags.config, ctx.io.cwd)
  const select = selectionOf(args)
  const partitions = flags.partition === undefined ? {} : { partitions: flags.partition }
  return withWorkspace(ctx, async (ws) => {
    if (flags.dryRun) {
      const report = await ws.plan(select, {
        force: flags.force === true,
        ...(config === undefined ? {} : { config }),
        ...partitions,
      })
      if (ctx.json) printJson(ctx, report)
      else print(ctx, formatPlan(report, ctx.out))
      return EXIT.ok
    }
    const live = !ctx.json && ctx.io.stdout.isTTY === true
    const progress = ctx.json ? undefined : createProgress(ctx.io.stdout, ctx.out, { live })
    const say = (line: string) =>
      progress !== undefined && live ? progress.note(ctx.out.yellow(line)) : ctx.io.stderr.write(`${line}\n`)
    const hooks = {
      onCancel: () =>
        say('Cancelling the run: waiting for running assets to stop (press Ctrl-C again to exit at once)…'),
      onExit: () => {
        progress?.stop()
        ctx.io.stderr.write('Exiting without waiting for running assets.\n')
      },
    }
    if (progress !== undefined && live) ctx.logSink.intercept((write) => progress.around(write))
    let summary: RunSummary
    try {
      summary = await withCancellation(ctx.io, hooks, (signal) =>
        ws.materialize({
          select,
          force: flags.force === true,
          ...partitions,
          ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
          ...(config === undefined ? {} : { config }),
          signal,
          ...(progress === undefined ? {} : { onEvent: (e) => progress.onEvent(e) }),
        }),
      )
    } finally {
      progress?.stop()
      ctx.logSink.intercept(undefined)
    }
    if (ctx.json) printJson(ctx, summary)
    else if (live) print(ctx, formatSummary(summary, ctx.out, progress?.durations))
    else print(ctx, formatTotals(summary, ctx.out))
    return exitCodeOfRun(summary)
  })
}
