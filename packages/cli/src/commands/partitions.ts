/**
 * `assets partitions KEY [--partition KEY|FROM...TO]`: an asset's partitions as runs of one status.
 */
import { print, printJson, withWorkspace, type Ctx } from '../context.js'
import { EXIT } from '../exit.js'
import { formatPartitions } from '../format/partitions.js'

/**
 * @example
 * await partitions(ctx, 'events', { partition: ['2024-01-01...2024-01-31'] })
 */
export async function partitions(ctx: Ctx, key: string, flags: { partition?: string[] } = {}): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const report = await ws.partitions(key, flags.partition === undefined ? {} : { partitions: flags.partition })
    if (ctx.json) printJson(ctx, report)
    else print(ctx, formatPartitions(report, ctx.out))
    return EXIT.ok
  })
}
