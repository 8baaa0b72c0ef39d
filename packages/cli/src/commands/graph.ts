/** `assets graph [SELECTION...] --format mermaid|dot|json`: the lineage of the selection. */
import { print, printJson, selectionOf, withWorkspace, type Ctx } from '../context.js'
import { EXIT } from '../exit.js'
import { toDot, toMermaid } from '../format/graph.js'

/** Output formats of `graph`. */
export const GRAPH_FORMATS = ['mermaid', 'dot', 'json'] as const

/**
 * @example
 * await graph(ctx, ['+model'], { format: 'dot' })
 */
export async function graph(
  ctx: Ctx,
  args: readonly string[],
  flags: { format: (typeof GRAPH_FORMATS)[number] },
): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const view = await ws.lineage(selectionOf(args))
    if (ctx.json || flags.format === 'json') printJson(ctx, view)
    else print(ctx, flags.format === 'dot' ? toDot(view) : toMermaid(view))
    return EXIT.ok
  })
}
