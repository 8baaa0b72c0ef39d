/**
 * The text of causes, root causes and engine errors: built here, one function per kind.
 */
import { RiversError } from '../errors.js'
import type { CauseView, RootCauseView } from './types.js'

/** Cause kind codes of the core, in order. */
export const CAUSE_KINDS = [
  'code_changed',
  'config_changed',
  'dep_added',
  'dep_removed',
  'upstream_data_changed',
  'new_data_version',
  'source_changed',
  'missing',
] as const

/**
 * Message of a cause. `detail` says what changed in a `code_changed` (files, packages).
 *
 * @example
 * causeMessage('upstream_data_changed', 'features', 'raw', false) // 'raw has a new data version'
 * causeMessage('code_changed', 'raw', undefined, false, 'code changed: src/lib.ts')
 * // 'raw has a new code version (code changed: src/lib.ts)'
 */
export function causeMessage(
  kind: CauseView['kind'],
  key: string,
  dep: string | undefined,
  depMissing: boolean,
  detail?: string,
): string {
  switch (kind) {
    case 'code_changed':
      return detail === undefined ? `${key} has a new code version` : `${key} has a new code version (${detail})`
    case 'config_changed':
      return `${key} has a new config`
    case 'dep_added':
      return `${dep} was added as a dependency of ${key}`
    case 'dep_removed':
      return `${dep} is no longer a dependency of ${key}`
    case 'upstream_data_changed':
      return depMissing ? `${dep} has no data version (never materialized, or wiped)` : `${dep} has a new data version`
  }
}

/**
 * Message of a root cause.
 *
 * @example
 * rootCauseMessage('source_changed', 'raw/penguins') // 'source raw/penguins has new data'
 */
export function rootCauseMessage(kind: RootCauseView['kind'], key: string, dep?: string, detail?: string): string {
  switch (kind) {
    case 'new_data_version':
      return `${key} has a new data version`
    case 'source_changed':
      return `source ${key} has new data`
    case 'missing':
      return `${key} has never been materialized`
    default:
      return causeMessage(kind, key, dep, false, detail)
  }
}

/**
 * A selection that matched no asset.
 *
 * @example
 * throw emptySelection(['tag:nightly'])
 */
export function emptySelection(exprs: readonly string[]): RiversError {
  return new RiversError(
    'RIVERS_EMPTY_SELECTION',
    `selection ${exprs.map((e) => JSON.stringify(e)).join(' ')} matches no asset: nothing to do. Run \`assets list\` to see the keys, or widen the selection (e.g. "*")`,
  )
}

/**
 * A planned asset whose input was never materialized and is not selected.
 *
 * @example
 * throw missingInput('features', 'raw')
 */
export function missingInput(asset: string, input: string): RiversError {
  return new RiversError(
    'RIVERS_MISSING_INPUT',
    `asset "${asset}" needs "${input}", which has never been materialized and is not selected: select it too with "+${asset}", or materialize "${input}" first`,
  )
}

/**
 * An asset key that is not in the project (for `show`).
 *
 * @example
 * throw unknownAsset('raw/order', 'raw/orders')
 */
export function unknownAsset(key: string, closest: string | undefined): RiversError {
  return new RiversError(
    'RIVERS_UNKNOWN_ASSET',
    `no asset "${key}" in this project${closest === undefined ? '' : ` (did you mean "${closest}"?)`}: run \`assets list\` to see the keys`,
  )
}

/**
 * The run config names a key that is not an asset of the project.
 *
 * @example
 * throw unknownConfigKey('modle', 'model')
 */
export function unknownConfigKey(key: string, closest: string | undefined): RiversError {
  return new RiversError(
    'RIVERS_INVALID_CONFIG',
    `--config names "${key}", which is not an asset of this project${closest === undefined ? '' : ` (did you mean "${closest}"?)`}.\n` +
      `Fix: the run config maps asset keys to their config, e.g. --config '{"${closest ?? 'model'}": {…}}'; run \`assets list\` to see the keys.`,
  )
}

/**
 * The run config gives config to a source asset (sources are observed, not built: they take none).
 *
 * @example
 * throw configForSource('raw/orders')
 */
export function configForSource(key: string): RiversError {
  return new RiversError(
    'RIVERS_INVALID_CONFIG',
    `--config gives config to "${key}", which is a source: sources are observed, not built, and take no config.\n` +
      `Fix: remove "${key}" from the run config.`,
  )
}
