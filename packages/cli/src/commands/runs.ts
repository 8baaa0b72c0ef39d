/**
 * `assets runs [--limit N] [--asset KEY [--metric NAME]]`: run history; with `--asset`, that asset's
 * params and metrics side by side across the runs that built it; with `--metric`, one metric's trend.
 */
import { print, printJson, withWorkspace, type Ctx } from '../context.js'
import { metricNeedsAsset } from '../errors.js'
import { EXIT } from '../exit.js'
import { formatRunCompare } from '../format/run-compare.js'
import { formatRuns } from '../format/runs.js'

/** Options of `runs`. */
export interface RunsFlags {
  limit: number
  asset?: string
  metric?: string
}

/**
 * @example
 * await runs(ctx, { limit: 10, asset: 'model', metric: 'accuracy' })
 */
export async function runs(ctx: Ctx, flags: RunsFlags): Promise<number> {
  if (flags.metric !== undefined && flags.asset === undefined) throw metricNeedsAsset(flags)
  return withWorkspace(ctx, async (ws) => {
    const list = await ws.runs({
      limit: flags.limit,
      ...(flags.asset === undefined ? {} : { asset: flags.asset }),
      ...(flags.metric === undefined ? {} : { metric: flags.metric }),
    })
    if (ctx.json) printJson(ctx, list)
    else if (flags.asset !== undefined && flags.metric === undefined)
      print(ctx, formatRunCompare(list, flags.asset, ctx.out))
    else
      print(
        ctx,
        formatRuns(
          list,
          ctx.out,
          flags.asset !== undefined && flags.metric !== undefined
            ? { asset: flags.asset, metric: flags.metric }
            : undefined,
        ),
      )
    return EXIT.ok
  })
}
