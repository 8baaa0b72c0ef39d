/** `assets list [SELECTION...]`: keys, groups, tags, kinds, owners, deps and descriptions. */
import { print, printJson, selectionOf, withWorkspace, type Ctx } from '../context.js'
import { EXIT } from '../exit.js'
import { formatList } from '../format/list.js'

/**
 * @example
 * await list(ctx, ['group:ml'])
 */
export async function list(ctx: Ctx, args: readonly string[]): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const assets = await ws.list(selectionOf(args))
    if (ctx.json) printJson(ctx, assets)
    else print(ctx, formatList(assets, ctx.out))
    return EXIT.ok
  })
}
