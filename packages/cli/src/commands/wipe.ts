/**
 * `assets wipe [SELECTION...] [--yes]`: forget the records of the selection, so that its assets are
 * missing again, and delete their artifacts (pinned ones stay). Asks on a terminal; without one it
 * needs `--yes`.
 */
import { print, printJson, selectionOf, withWorkspace, type Ctx } from '../context.js'
import { cancelled, confirmationRequired } from '../errors.js'
import { EXIT } from '../exit.js'
import { formatBytes } from '../format/bytes.js'

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
        `Forget the records of ${keys.length} asset${keys.length === 1 ? '' : 's'} (${shown}) and delete their stored values? They will be missing and rebuild on the next run. [y/N] `,
        ctx.io.stderr,
      )
      if (!/^y(es)?$/i.test((answer ?? '').trim())) throw cancelled('nothing was wiped')
    }
    const wiped = await ws.wipe(select)
    if (ctx.json) printJson(ctx, wiped)
    else if (wiped.keys.length === 0) print(ctx, 'Nothing to wipe: no selected asset has records.')
    else {
      const n = wiped.keys.length
      const files = wiped.files === 1 ? '1 artifact file' : `${wiped.files} artifact files`
      const pinned = wiped.pinned === 0 ? '' : ` (kept ${wiped.pinned} pinned)`
      print(
        ctx,
        `Wiped the records of ${n} asset${n === 1 ? '' : 's'}: ${wiped.keys.join(', ')}; deleted ${files} (${formatBytes(wiped.bytes)})${pinned}.`,
      )
    }
    return EXIT.ok
  })
}
