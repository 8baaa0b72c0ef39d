/** `assets show KEY`: one asset's definition, status and records with metadata, metrics and checks. */
import { print, printJson, withWorkspace, type Ctx } from '../context.js'
import { EXIT } from '../exit.js'
import { formatShow } from '../format/show.js'

/**
 * @example
 * await show(ctx, 'model')
 */
export async function show(ctx: Ctx, key: string): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const detail = await ws.show(key)
    if (ctx.json) printJson(ctx, detail)
    else print(ctx, formatShow(detail, ctx.out))
    return EXIT.ok
  })
}
