/** `assets status [SELECTION...]`: status, causes, root causes and `planned` of each selected asset. */
import { print, printJson, selectionOf, withWorkspace, type Ctx } from '../context.js'
import { EXIT } from '../exit.js'
import { formatStatus } from '../format/status.js'

/**
 * @example
 * await status(ctx, ['tag:ml'])
 */
export async function status(ctx: Ctx, args: readonly string[]): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const report = await ws.status(selectionOf(args))
    if (ctx.json) printJson(ctx, report)
    else print(ctx, formatStatus(report, ctx.out))
    return EXIT.ok
  })
}
