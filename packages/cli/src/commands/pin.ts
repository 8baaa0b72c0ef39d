/**
 * `assets pin KEY [--run RUN] [--note TEXT]` and `assets unpin KEY [--run RUN]`: keep a record's
 * artifact whatever gc and wipe would do (a registered model version), or stop keeping it.
 */
import { print, printJson, withWorkspace, type Ctx } from '../context.js'
import { EXIT } from '../exit.js'

/**
 * @example
 * await pin(ctx, 'model', { note: 'registered as churn v3' })
 */
export async function pin(ctx: Ctx, key: string, flags: { run?: string; note?: string }): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const pinned = await ws.pin(key, {
      ...(flags.run === undefined ? {} : { runId: flags.run }),
      ...(flags.note === undefined ? {} : { note: flags.note }),
    })
    if (ctx.json) printJson(ctx, pinned)
    else
      print(
        ctx,
        `Pinned ${key} of run ${pinned.runId}${pinned.note === null ? '' : ` (${pinned.note})`}: gc and wipe keep its artifact.`,
      )
    return EXIT.ok
  })
}

/**
 * @example
 * await unpin(ctx, 'model', { run: '20261126T010203Z-3f9a1c' })
 */
export async function unpin(ctx: Ctx, key: string, flags: { run?: string }): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const removed = await ws.unpin(key, flags.run === undefined ? {} : { runId: flags.run })
    if (ctx.json) printJson(ctx, { key, unpinned: removed })
    else if (removed === 0)
      print(ctx, `Nothing to unpin: ${key}${flags.run === undefined ? '' : ` of run ${flags.run}`} is not pinned.`)
    else
      print(
        ctx,
        `Unpinned ${removed === 1 ? 'the record' : `${removed} records`} of ${key}: gc applies its retention again.`,
      )
    return EXIT.ok
  })
}
