/**
 * `assets backfill [SELECTION...] --from KEY --to KEY [--batch N]` starts a backfill;
 * `assets backfill --resume ID` continues one; `assets backfills` lists them. Ctrl-C cancels the
 * running batch (the backfill is then `cancelled` and resumable). Exit code: 0 done, 1 failed
 * partitions, 2 bad input, 130 cancelled.
 */
import type { BackfillReport } from '@rivers-orchestrator/rivers'
import { withCancellation } from '../cancel.js'
import { readConfigArg } from '../config-arg.js'
import { print, printJson, selectionOf, withWorkspace, type Ctx } from '../context.js'
import { EXIT } from '../exit.js'
import { formatBackfill, formatBackfills } from '../format/backfill.js'

/** Options of `backfill`. */
export interface BackfillFlags {
  from?: string
  to?: string
  batch?: number
  resume?: string
  concurrency?: number
  config?: string
}

/**
 * @example
 * await backfill(ctx, ['events+'], { from: '2024-01-01', to: '2024-01-31', batch: 7 })
 */
export async function backfill(ctx: Ctx, args: readonly string[], flags: BackfillFlags): Promise<number> {
  const config = flags.config === undefined ? undefined : await readConfigArg(flags.config, ctx.io.cwd)
  return withWorkspace(ctx, async (ws) => {
    const hooks = {
      onCancel: () => ctx.io.stderr.write('Cancelling the backfill: waiting for running assets to stop…\n'),
      onExit: () => ctx.io.stderr.write('Exiting without waiting for running assets.\n'),
    }
    const report: BackfillReport = await withCancellation(ctx.io, hooks, (signal) =>
      ws.backfill({
        select: selectionOf(args),
        ...(flags.from === undefined ? {} : { from: flags.from }),
        ...(flags.to === undefined ? {} : { to: flags.to }),
        ...(flags.batch === undefined ? {} : { batch: flags.batch }),
        ...(flags.resume === undefined ? {} : { resume: flags.resume }),
        ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
        ...(config === undefined ? {} : { config }),
        signal,
        onBatch: (b) => {
          if (ctx.json) return
          const parts = Object.values(b.summary.partitions ?? {})
          const sum = (f: 'materialized' | 'failed') => parts.reduce((n, p) => n + p[f], 0)
          ctx.io.stderr.write(
            `${b.backfillId} batch ${b.index}/${b.of}: run ${b.summary.runId} ${b.summary.status}, ${sum('materialized')} partition(s) materialized${sum('failed') > 0 ? `, ${sum('failed')} failed` : ''}\n`,
          )
        },
      }),
    )
    if (ctx.json) printJson(ctx, report)
    else print(ctx, formatBackfill(report, ctx.out))
    return report.status === 'done' ? EXIT.ok : report.status === 'cancelled' ? EXIT.cancelled : EXIT.failed
  })
}

/**
 * @example
 * await backfills(ctx, { limit: 10 })
 */
export async function backfills(ctx: Ctx, flags: { limit?: number } = {}): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const list = await ws.backfills(flags.limit === undefined ? {} : { limit: flags.limit })
    if (ctx.json) printJson(ctx, list)
    else print(ctx, formatBackfills(list, ctx.out))
    return EXIT.ok
  })
}
