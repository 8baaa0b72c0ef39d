/**
 * `assets models [KEY]`, `assets promote KEY [VERSION] --alias A [--reason R] [--force]` and
 * `assets rollback KEY --alias A [--reason R]`: the model registry of the project.
 */
import type { Workspace } from '@rivers-orchestrator/rivers'
import { print, printJson, withWorkspace, type Ctx } from '../context.js'
import { badModelVersion } from '../errors.js'
import { EXIT } from '../exit.js'
import { formatAliasChange, formatModel, formatModels } from '../format/models.js'

/**
 * @example
 * await models(ctx, 'model/churn')
 */
export async function models(ctx: Ctx, key: string | undefined): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    if (key === undefined) {
      const all = await ws.models.models()
      if (ctx.json) printJson(ctx, all)
      else print(ctx, formatModels(all, ctx.out))
    } else {
      const one = await ws.models.model(key)
      if (ctx.json) printJson(ctx, one)
      else print(ctx, formatModel(one, ctx.out))
    }
    return EXIT.ok
  })
}

/** Options of `promote`. */
export interface PromoteFlags {
  alias: string
  reason?: string
  force?: boolean
}

/**
 * @example
 * await promote(ctx, 'model/churn', '3', { alias: 'champion', reason: 'AUC up 2 points' })
 */
export async function promote(
  ctx: Ctx,
  key: string,
  version: string | undefined,
  flags: PromoteFlags,
): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const change = await ws.models.promote(key, {
      alias: flags.alias,
      ...(version === undefined ? {} : { version: versionArg(key, version) }),
      ...(flags.reason === undefined ? {} : { reason: flags.reason }),
      ...(flags.force === true ? { force: true } : {}),
    })
    if (ctx.json) printJson(ctx, change)
    else print(ctx, formatAliasChange(change, followers(ws, key, flags.alias), ctx.out))
    return EXIT.ok
  })
}

/**
 * @example
 * await rollback(ctx, 'model/churn', { alias: 'champion', reason: 'v3 mislabels new stores' })
 */
export async function rollback(ctx: Ctx, key: string, flags: { alias: string; reason?: string }): Promise<number> {
  return withWorkspace(ctx, async (ws) => {
    const change = await ws.models.rollback(key, {
      alias: flags.alias,
      ...(flags.reason === undefined ? {} : { reason: flags.reason }),
    })
    if (ctx.json) printJson(ctx, change)
    else print(ctx, formatAliasChange(change, followers(ws, key, flags.alias), ctx.out))
    return EXIT.ok
  })
}

/** `3` or `v3`. */
function versionArg(key: string, raw: string): number {
  const n = Number(raw.replace(/^v/i, ''))
  if (!/^v?\d+$/i.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) throw badModelVersion(key, raw)
  return n
}

/** Keys of the `modelAlias` sources that follow this alias. */
function followers(ws: Workspace, key: string, alias: string): string[] {
  return ws.project.assets
    .filter((a) => a.isSource && a.def.metadata.model === key && a.def.metadata.alias === alias)
    .map((a) => a.key)
}
