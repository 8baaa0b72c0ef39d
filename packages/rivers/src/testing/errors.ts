/** Every error of `@rivers-orchestrator/rivers/testing`, one constructor per kind. */
import { RiversError } from '../errors.js'

/**
 * `runAsset` was not given one of the asset's inputs.
 *
 * @example
 * throw missingTestInput('daily', 'parsed', 'orders/parsed')
 */
export function missingTestInput(asset: string, name: string, depKey: string): RiversError {
  return new RiversError(
    'RIVERS_TEST_INPUT_MISSING',
    `runAsset(${asset}): input "${name}" (from "${depKey}") is not given: pass it as inputs: { ${name}: … }`,
  )
}

/**
 * `runAsset` was given an input the asset does not have.
 *
 * @example
 * throw unexpectedTestInput('daily', 'parsd', ['parsed'])
 */
export function unexpectedTestInput(asset: string, name: string, expected: readonly string[]): RiversError {
  return new RiversError(
    'RIVERS_TEST_INPUT_UNKNOWN',
    `runAsset(${asset}): "${name}" is not an input of this asset; its inputs are ${list(expected)}: remove it, or add it to the asset's deps`,
  )
}

/**
 * `runAssets` needs the value of an upstream asset outside the selection.
 *
 * @example
 * throw missingTestValue('features', 'raw')
 */
export function missingTestValue(consumer: string, depKey: string): RiversError {
  return new RiversError(
    'RIVERS_TEST_VALUE_MISSING',
    `runAssets: "${consumer}" needs "${depKey}", which is neither selected nor given: add it to select, or pass values: { '${depKey}': … }`,
  )
}

/**
 * `runAssets` was given a value nothing in the selection consumes.
 *
 * @example
 * throw unexpectedTestValue('raw', ['features'])
 */
export function unexpectedTestValue(key: string, selected: readonly string[]): RiversError {
  return new RiversError(
    'RIVERS_TEST_VALUE_UNUSED',
    `runAssets: a value is given for "${key}", but no asset of the selection (${list(selected)}) takes it as an input, or it is selected itself: remove it`,
  )
}

/**
 * `runAssets` was asked for a key that is not an asset of the project.
 *
 * @example
 * throw unknownTestAsset('featurs', 'features')
 */
export function unknownTestAsset(key: string, closest: string | undefined): RiversError {
  return new RiversError(
    'RIVERS_TEST_UNKNOWN_ASSET',
    `runAssets: no asset "${key}" in this project${closest === undefined ? '' : ` (did you mean "${closest}"?)`}`,
  )
}

/**
 * `RunAssetsResult.get` of an asset that was not selected.
 *
 * @example
 * throw notSelected('stats', ['features', 'model'])
 */
export function notSelected(key: string, selected: readonly string[]): RiversError {
  return new RiversError(
    'RIVERS_TEST_NOT_SELECTED',
    `runAssets: "${key}" was not selected (${list(selected)}), so it has no result: add it to select`,
  )
}

/**
 * `runAssets` was asked to run a source (sources are observed, not run).
 *
 * @example
 * throw sourceSelected('raw/orders')
 */
export function sourceSelected(key: string): RiversError {
  return new RiversError(
    'RIVERS_TEST_SOURCE_SELECTED',
    `runAssets: "${key}" is a source, which is observed, not run: select the assets that read it, or give its value in values`,
  )
}

/**
 * The asset under test failed (its function threw, a blocking check failed, its output was refused).
 *
 * @example
 * throw assetFailedInTest('daily', 'TypeError: x is undefined')
 */
export function assetFailedInTest(key: string, error: string): RiversError {
  return new RiversError('RIVERS_TEST_ASSET_FAILED', `asset "${key}" failed: ${error}`, { exitCode: 1 })
}

/**
 * The asset under test did not run (an upstream asset of the selection failed, or the run was cancelled).
 *
 * @example
 * throw assetNotRunInTest('report', 'upstream_failed')
 */
export function assetNotRunInTest(key: string, reason: string): RiversError {
  return new RiversError('RIVERS_TEST_ASSET_SKIPPED', `asset "${key}" did not run (${reason})`, { exitCode: 1 })
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.map((n) => `"${n}"`).join(', ')
}
