/**
 * `assets partitions KEY [--partition KEY|FROM...TO]`: an asset's partitions as runs of one status.
 * `assets partitions add SET KEY...` / `assets partitions remove SET KEY... [--wipe]`: edit a
 * dynamic partition set.
 */
import { print, printJson, withWorkspace, type Ctx } from '../context.js'
import { partitionsUsage } from '../errors.js'
import { EXIT } from '../exit.js'
import { formatPartitions } from '../format/partitions.js'

/**
 * @example
 * await partitions(ctx, 'events', [], { partition: ['2024-01-01...2024-01-31'] })
 * await partitions(ctx, 'add', ['customers', 'acme'], {})
 */
export async function partitions(
  ctx: Ctx,
  key: string,
  rest: readonly string[],
  flags: { partition?: string[]; wipe?: boolean } = {},
): Promise<number> {
  if (key === 'add' || key === 'remove') {
    const [set, ...keys] = rest
    if (set === undefined || keys.length === 0)
      throw partitionsUsage(
        `assets partitions ${key} needs a set and at least one key`,
        `assets partitions ${key} SET KEY...`,
      )
    return withWorkspace(ctx, async (ws) => {
      const r =
        key === 'add'
          ? await ws.addPartitions(set, keys)
          : await ws.removePartitions(set, keys, { wipe: flags.wipe === true })
      if (ctx.json) printJson(ctx, r)
      else {
        const wiped = r.wiped > 0 ? `, ${r.wiped} record(s) wiped` : ''
        print(
          ctx,
          `${key === 'add' ? 'Added' : 'Removed'} ${r.changed} key(s) ${key === 'add' ? 'to' : 'from'} ${r.set}${wiped}; it has ${r.keys.length} key(s) now (assets: ${r.assets.join(', ')})`,
        )
      }
      return EXIT.ok
    })
  }
  if (rest.length > 0)
    throw partitionsUsage(
      `assets partitions takes one asset key, got ${[key, ...rest].join(' ')}`,
      'assets partitions KEY, or assets partitions add|remove SET KEY...',
    )
  return withWorkspace(ctx, async (ws) => {
    const report = await ws.partitions(key, flags.partition === undefined ? {} : { partitions: flags.partition })
    if (ctx.json) printJson(ctx, report)
    else print(ctx, formatPartitions(report, ctx.out))
    return EXIT.ok
  })
}
