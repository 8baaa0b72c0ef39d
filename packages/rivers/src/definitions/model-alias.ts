/**
 * `modelAlias(model, 'champion')`: a source whose data version is the version a model alias names,
 * so that assets depending on it (a deploy, a batch scorer) re-run when the alias moves, and whose
 * value is that version (`AliasTarget`), or null while the alias names none.
 */
import type { AliasTarget } from './context.js'
import { invalidSpec } from './errors.js'
import type { AssetDef, SourceDef } from './handles.js'
import { DefinitionSite } from './position.js'
import { source } from './source.js'

/** Options of `modelAlias`. */
export interface ModelAliasOptions {
  /** The source's key (default `<model key>.<alias>`, e.g. `model/churn.champion`). */
  key?: string
  description?: string
  group?: string
  tags?: Record<string, string | true>
  owners?: readonly string[]
}

/** The data version of an alias that names no version yet. */
const NO_VERSION = 'no-version'

/**
 * A source following a model alias. Its value is the aliased version (`AliasTarget`: version, data
 * version, record, run, where its artifact lies, metrics), or null while the alias names none.
 *
 * @example
 * const champion = modelAlias(model, 'champion')
 * export const deploy = asset({ key: 'deploy', deps: { champion } }, ({ champion }) =>
 *   champion === null ? 'nothing to deploy yet' : `serving v${champion.version}`)
 */
export function modelAlias(
  model: AssetDef<unknown>,
  alias: string,
  options: ModelAliasOptions = {},
): SourceDef<AliasTarget | null> {
  const key = options.key ?? `${model.key}.${alias}`
  if (model.model === undefined)
    throw invalidSpec(
      'source',
      key,
      [
        {
          path: 'model',
          problem: `'${model.key}' is not a registered model, so it has no aliases`,
          hint: `add model: true (or { name, gate }) to the spec of '${model.key}'.`,
        },
      ],
      new DefinitionSite().at(),
    )
  if (!/^[A-Za-z0-9_-]+$/.test(alias))
    throw invalidSpec(
      'source',
      key,
      [{ path: 'alias', problem: `'${alias}' is not a valid alias name`, hint: 'use A-Z a-z 0-9 _ -, e.g. champion.' }],
      new DefinitionSite().at(),
    )
  const modelKey = model.key
  return source({
    key,
    kinds: ['model-alias'],
    description: options.description ?? `The version alias '${alias}' of model '${modelKey}' names`,
    ...(options.group === undefined
      ? model.group === undefined
        ? {}
        : { group: model.group }
      : { group: options.group }),
    ...(options.tags === undefined ? {} : { tags: options.tags }),
    ...(options.owners === undefined ? {} : { owners: options.owners }),
    metadata: { model: modelKey, alias },
    observe: async (ctx) => {
      const target = await ctx.models.alias(modelKey, alias)
      if (target === null) return { dataVersion: NO_VERSION, metadata: { alias, version: null } }
      return {
        dataVersion: `v${target.version}:${target.dataVersion}`,
        metadata: { alias, version: target.version, movedAt: target.movedAt },
      }
    },
    load: (ctx) => ctx.models.alias(modelKey, alias),
  }) as SourceDef<AliasTarget | null>
}
