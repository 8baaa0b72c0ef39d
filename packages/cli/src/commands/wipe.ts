/**
 * `assets wipe [SELECTION...] [--yes]`: forget the records of the selection, so that its assets are
 * missing again. Asks on a terminal; without one it needs `--yes`.
 */
import { print, printJson, selectionOf, withWorkspace, type Ctx } from '../context.js'
import { cancelled, confirmationRequired } from '../errors.js'
import { EXIT } from '../exit.js'

/**
 * @example
 * await wipe(ctx, ['raw+'], { yes: true })
 */
export async function wipe(ctx: Ctx, args: readonly string[], flags: { yes?: boolean }): Promise<number> {
  const select = selectionOf(args)
  return withWorkspace(ctx, async (ws) => {
    if (flags.yes !== true) {
      const keys = [...(await ws.select(select))].map(String)
      if (ctx.io.stdin.isTTY !== true) throw confirmationRequired(keys.length)
      const shown = keys.length <= 8 ? keys.join(', ') : `${keys.slice(0, 8).join(', ')} and ${keys.length - 8} more`
      const answer = await ctx.io.stdin.readLine(
        `Forget the records of ${keys.length} asset${keys.length === 1 ? '' : 's'} (${shown})? They will be missing and rebuild on the next run. [y/N] `,
        ctx.io.stderr,
      )
      if (!/^y(es)?$/i.test((answer ?? '').trim())) throw cancelled('nothing was wiped')
    }
    const wiped = await ws.wipe(select)
    if (ctx.json) printJson(ctx, wiped)
    else if (wiped.length === 0) print(ctx, 'Nothing to wipe: no selected asset has records.')
    else print(ctx, `Wiped the records of ${wiped.length} asset${wiped.length === 1 ? '' : 's'}: ${wiped.join(', ')}.`)
    return EXIT.ok
  })
}
