/**
 * `assets gc [SELECTION...] [--yes]`: free the files the store no longer needs. A dry run by default
 * (prints what it would free); `--yes` deletes.
 */
import { print, printJson, withWorkspace, type Ctx } from '../context.js'
import { EXIT } from '../exit.js'
import { formatGc } from '../format/gc.js'

/**
 * @example
 * await gc(ctx, [], { yes: true })
 */
export async function gc(ctx: Ctx, args: readonly string[], flags: { yes?: boolean }): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const report = await ws.gc(args, { apply: flags.yes === true })
    if (ctx.json) printJson(ctx, report)
    else print(ctx, formatGc(report, ctx.out))
    return EXIT.ok
  })
}
