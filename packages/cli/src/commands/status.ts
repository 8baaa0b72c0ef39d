/** `assets status [SELECTION...] [--config C]`: status, causes, root causes and `planned` of each selected asset. */
import { readConfigArg } from '../config-arg.js'
import { print, printJson, selectionOf, withWorkspace, type Ctx } from '../context.js'
import { EXIT } from '../exit.js'
import { formatStatus } from '../format/status.js'

/**
 * @example
 * await status(ctx, ['tag:ml'], { config: '{"model":{"epochs":3}}' })
 */
export async function status(
  ctx: Ctx,
  args: readonly string[],
  flags: { config?: string; partition?: string[] } = {},
): Promise<number> {
  const config = flags.config === undefined ? undefined : await readConfigArg(flags.config, ctx.io.cwd)
  return withWorkspace(ctx, async (ws) => {
    const report = await ws.status(selectionOf(args), {
      ...(config === undefined ? {} : { config }),
      ...(flags.partition === undefined ? {} : { partitions: flags.partition }),
    })
    if (ctx.json) printJson(ctx, report)
    else print(ctx, formatStatus(report, ctx.out))
    return EXIT.ok
  })
}
