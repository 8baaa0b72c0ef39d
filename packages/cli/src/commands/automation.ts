/**
 * `assets automation [KEY] [--limit N]`: the decisions stored by recent ticks (`assets tick` and the
 * daemon), newest first, each with its condition tree: why an asset did or did not run.
 */
import { type Ctx, print, printJson, withWorkspace } from '../context.js'
import { formatDecisions } from '../daemon/tick-format.js'
import { EXIT } from '../exit.js'

/** Options of `automation`. */
export interface AutomationFlags {
  limit: number
}

/**
 * @example
 * await automation(ctx, 'model', { limit: 10 })
 */
export async function automation(ctx: Ctx, key: string | undefined, flags: AutomationFlags): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const records = await ws.automationLog({ limit: flags.limit, ...(key === undefined ? {} : { key }) })
    if (ctx.json) printJson(ctx, records)
    else print(ctx, formatDecisions(records, ctx.out, key))
    return EXIT.ok
  })
}
