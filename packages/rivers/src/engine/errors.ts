/**
 * Every error the engine raises, one constructor per kind, and how a failure reads in a summary.
 * Each message names the asset, key, selection or config at fault and says how to fix it.
 */
import { inspect } from 'node:util'

import { DefinitionError, RiversError, UserCodeError } from '../errors.js'

/**
 * The message of a failure, for the summary: wrapped user errors read as what the user threw.
 *
 * @example
 * describeFailure(new Error('boom')) // 'boom'
 */
export function describeFailure(e: unknown): string {
  if (e instanceof UserCodeError) {
    const cause = e.cause
    return cause instanceof Error
      ? `${cause.name === 'Error' ? '' : `${cause.name}: `}${cause.message}`
      : nonErrorThrown(cause)
  }
  if (e instanceof Error) return e.message
  return inspect(e)
}

/**
 * What a thrown non-Error value reads as: the value, and the fix.
 *
 * @example
 * nonErrorThrown('disk on fire') // "threw a non-Error value: 'disk on fire'; throw new Error(…) instead, so the message and stack are kept"
 */
export function nonErrorThrown(value: unknown): string {
  return `threw a non-Error value: ${inspect(value, { depth: 2, breakLength: Infinity })}; throw new Error(…) instead, so the message and stack are kept`
}

/** Where user code runs, as error codes and the words of messages. */
export const USER_CODE_PHASES = {
  asset: { code: 'RIVERS_ASSET_FAILED', what: '' },
  check: { code: 'RIVERS_CHECK_THREW', what: 'its check' },
  observe: { code: 'RIVERS_OBSERVE_FAILED', what: 'its observe function' },
  load: { code: 'RIVERS_LOAD_FAILED', what: 'its load function' },
  retryOn: { code: 'RIVERS_RETRY_ON_FAILED', what: 'its retryOn function' },
  command: { code: 'RIVERS_COMMAND_FAILED', what: 'its command function' },
  config: { code: 'RIVERS_CONFIG_FAILED', what: 'its config schema (a default or a refinement)' },
  'io.read': { code: 'RIVERS_IO_READ_FAILED', what: 'the read of its IO manager' },
  'io.write': { code: 'RIVERS_IO_WRITE_FAILED', what: 'the write of its IO manager' },
} as const

/** A place where the engine calls user code. */
export type UserCodePhase = keyof typeof USER_CODE_PHASES

/**
 * What user code threw, wrapped with the asset, the run, the phase and the user's `file:line:col`.
 * Errors in config schemas refuse the run before it starts (exit 2); the others fail the asset.
 *
 * @example
 * throw userCodeFailed({ key: 'model', runId }, 'asset', thrown, 'src/model.ts:12:7')
 */
export function userCodeFailed(
  scope: { key: string; runId?: string },
  phase: UserCodePhase,
  thrown: unknown,
  location: string | undefined,
): UserCodeError {
  const { code, what } = USER_CODE_PHASES[phase]
  const threw = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : nonErrorThrown(thrown)
  const where = what === '' ? '' : ` in ${what}`
  const run = scope.runId === undefined ? '' : ` in run ${scope.runId}`
  const at = location === undefined ? '' : ` (at ${location})`
  return new UserCodeError(
    code,
    `asset "${scope.key}" failed${where}${run}: ${threw}${at}`,
    scope.key,
    scope.runId ?? '',
    thrown,
    {
      phase,
      ...(location === undefined ? {} : { location }),
      ...(phase === 'config' ? { exitCode: 2 } : {}),
    },
  )
}

/**
 * The error of an asset stopped by cancellation (Ctrl-C, SIGTERM, or `signal` aborted).
 *
 * @example
 * throw cancelled('model')
 */
export function cancelled(key: string): RiversError {
  return new RiversError('RIVERS_CANCELLED', `asset "${key}" was cancelled before it was recorded`, { exitCode: 130 })
}

/**
 * The error of an asset that ran past its `timeout`.
 *
 * @example
 * throw timedOut('model', 60_000)
 */
export function timedOut(key: string, ms: number): RiversError {
  return new RiversError(
    'RIVERS_TIMEOUT',
    `asset "${key}" timed out after ${ms} ms (its \`timeout\`); it was aborted through its signal. Raise the timeout or make the asset faster`,
    { exitCode: 1 },
  )
}

/**
 * The error of an output that failed a blocking check.
 *
 * @example
 * throw blockingCheckFailed('model/evaluation', 'quality_gate', 'accuracy 0.71 < 0.9')
 */
export function blockingCheckFailed(key: string, check: string, message: string | undefined): RiversError {
  return new RiversError(
    'RIVERS_CHECK_FAILED',
    `blocking check "${check}" of asset "${key}" failed${message === undefined ? '' : `: ${message}`}; its output is not recorded and its downstream assets are skipped`,
    { exitCode: 1 },
  )
}

/**
 * A source whose observation failed (its file, when it has one), needed by an asset of the run.
 *
 * @example
 * throw sourceUnobservable('raw/orders', new Error('ENOENT'), '/project/data/orders.csv')
 */
export function sourceUnobservable(key: string, error: unknown, file?: string): RiversError {
  const fix =
    file === undefined
      ? 'fix its observe function (or what it reads)'
      : `restore ${file} (or fix the source's path or observe function)`
  return new RiversError(
    'RIVERS_SOURCE_UNAVAILABLE',
    `source "${key}"${file === undefined ? '' : ` (${file})`} could not be observed: ${describeFailure(error)}. ` +
      `Rivers does not reuse its last observation; ${fix}, then run again`,
    { exitCode: 1, cause: error },
  )
}

/**
 * A source its consumers cannot read: no path and no `load`.
 *
 * @example
 * throw sourceUnreadable('raw/api')
 */
export function sourceUnreadable(key: string): RiversError {
  return new RiversError(
    'RIVERS_SOURCE_UNAVAILABLE',
    `source "${key}" has neither a path nor a load function, so its consumers cannot read it: give the source a \`path\` or a \`load\``,
    { exitCode: 1 },
  )
}

/**
 * A source that cannot be observed: no path and no `observe`.
 *
 * @example
 * throw sourceWithoutObservation('raw/api')
 */
export function sourceWithoutObservation(key: string): RiversError {
  return new RiversError(
    'RIVERS_SOURCE_UNAVAILABLE',
    `source "${key}" has neither a path nor an observe function: give it a \`path\` (its content is its version) or an \`observe\``,
    { exitCode: 1 },
  )
}

/**
 * An `observe` that returned no data version for a source without a file to hash.
 *
 * @example
 * throw observationWithoutVersion('raw/api')
 */
export function observationWithoutVersion(key: string): RiversError {
  return new RiversError(
    'RIVERS_SOURCE_UNAVAILABLE',
    `source "${key}": observe returned no dataVersion and the source has no path to hash; return { dataVersion } from observe`,
    { exitCode: 1 },
  )
}

/**
 * An input whose record vanished from the store during the run (another command wiped it).
 *
 * @example
 * throw inputNotRecorded('features')
 */
export function inputNotRecorded(key: string): RiversError {
  return new RiversError(
    'RIVERS_MISSING_INPUT',
    `input "${key}" has no materialization in the store (was it wiped by another command?): materialize it first`,
    { exitCode: 1 },
  )
}

/**
 * `partitions add|remove` naming a set no asset is partitioned by.
 *
 * @example
 * throw unknownDynamicSet('custmers', ['customers'], 'customers')
 */
export function unknownDynamicSet(name: string, names: readonly string[], near: string | undefined): RiversError {
  const hint = near === undefined ? '' : ` (did you mean "${near}"?)`
  const known = names.length === 0 ? 'no asset has dynamic partitions' : `the sets are: ${names.join(', ')}`
  return new RiversError(
    'RIVERS_UNKNOWN_PARTITION_SET',
    `no asset is partitioned by a dynamic set named "${name}"${hint}; ${known}. Declare one with partitions: dynamicPartitions('${name}')`,
    { exitCode: 2 },
  )
}

/**
 * Removing dynamic keys whose partitions have records.
 *
 * @example
 * throw partitionsHaveRecords('customers', [{ asset: 'orders', key: 'acme' }], false)
 */
export function partitionsHaveRecords(
  set: string,
  recorded: readonly { asset: string; key: string }[],
  wipeUnsupported: boolean,
): RiversError {
  const list = recorded
    .slice(0, 5)
    .map((r) => `${r.asset} [${r.key}]`)
    .join(', ')
  const more = recorded.length > 5 ? ` and ${recorded.length - 5} more` : ''
  const fix = wipeUnsupported
    ? 'this store cannot forget single partitions; remove the records with assets wipe first'
    : 'add --wipe to forget those records too, or keep the keys'
  return new RiversError(
    'RIVERS_PARTITIONS_HAVE_RECORDS',
    `cannot remove from dynamic set "${set}": ${list}${more} ha${recorded.length === 1 ? 's' : 've'} records; ${fix}. Nothing was removed`,
    { exitCode: 2 },
  )
}

/**
 * A store without dynamic partition sets.
 *
 * @example
 * throw dynamicPartitionsUnsupported()
 */
export function dynamicPartitionsUnsupported(): RiversError {
  return new RiversError(
    'RIVERS_UNSUPPORTED',
    'this store does not keep dynamic partition sets (it lacks addDynamicPartitions/removeDynamicPartitions): use the embedded SQLite store',
    { exitCode: 2 },
  )
}

/**
 * A backfill whose selection holds no partitioned asset.
 *
 * @example
 * throw backfillOfUnpartitioned(['model'])
 */
export function backfillOfUnpartitioned(selection: readonly string[]): RiversError {
  return new RiversError(
    'RIVERS_NOT_PARTITIONED',
    `nothing to backfill: no asset selected by ${selection.join(' ')} is partitioned; a backfill builds a range of partitions (assets backfill SELECTION --from KEY --to KEY), use assets materialize for unpartitioned assets`,
    { exitCode: 2 },
  )
}

/**
 * A new backfill without `--from` and `--to`.
 *
 * @example
 * throw backfillWithoutRange('events')
 */
export function backfillWithoutRange(key: string): RiversError {
  return new RiversError(
    'RIVERS_INVALID_ARGUMENT',
    `a backfill needs a range of partitions of "${key}": pass --from KEY and --to KEY (inclusive), or --resume ID to continue a backfill`,
    { exitCode: 2 },
  )
}

/**
 * A store without backfills.
 *
 * @example
 * throw backfillsUnsupported()
 */
export function backfillsUnsupported(): RiversError {
  return new RiversError(
    'RIVERS_UNSUPPORTED',
    'this store does not keep backfills (it lacks createBackfill/backfill/backfills): use the embedded SQLite store, or run assets materialize --partition FROM...TO instead',
    { exitCode: 2 },
  )
}

/**
 * A partition command about an asset that has no partitions.
 *
 * @example
 * throw notPartitioned('model')
 */
export function notPartitioned(key: string): RiversError {
  return new RiversError(
    'RIVERS_NOT_PARTITIONED',
    `"${key}" is not partitioned: it has one record per materialization, shown by assets status ${key}; add partitions: daily({ start }) (or another definition) to the asset to partition it`,
    { exitCode: 2 },
  )
}

/**
 * `load` of a partitioned asset without one partition key (or a range instead of a key).
 *
 * @example
 * throw partitionKeyNeeded('events', '2024-01-01')
 */
export function partitionKeyNeeded(key: string, example: string | undefined): RiversError {
  return new RiversError(
    'RIVERS_PARTITION_NEEDED',
    `"${key}" is partitioned: it has one value per partition; load one partition with { partition: '${example ?? 'KEY'}' } (a key, not a range)`,
    { exitCode: 2 },
  )
}

/**
 * `--partition` given for a selection without a partitioned asset.
 *
 * @example
 * throw partitionOfUnpartitioned(['model'], ['2024-01-05'])
 */
export function partitionOfUnpartitioned(selection: readonly string[], args: readonly string[]): RiversError {
  return new RiversError(
    'RIVERS_NOT_PARTITIONED',
    `--partition ${args.join(', ')} given, but no asset selected by ${selection.join(' ')} is partitioned: remove --partition, or select a partitioned asset (assets status shows each asset's partitions)`,
    { exitCode: 2 },
  )
}

/**
 * A partition of a partitioned input that the reading asset needs and that has no record.
 *
 * @example
 * throw inputPartitionNotRecorded('weekly', 'events', '2024-01-05')
 */
export function inputPartitionNotRecorded(reader: string, key: string, partition: string): RiversError {
  return new RiversError(
    'RIVERS_MISSING_INPUT',
    `"${reader}" reads partition ${partition} of "${key}", which has no materialization in the store: materialize it first (assets materialize ${key} --partition ${partition})`,
    { exitCode: 1 },
  )
}

/**
 * An input with no data version when the asset needing it runs.
 *
 * @example
 * throw inputWithoutVersion('features', 'raw')
 */
export function inputWithoutVersion(asset: string, input: string): RiversError {
  return new RiversError(
    'RIVERS_MISSING_INPUT',
    `asset "${asset}" needs "${input}", which has no data version: materialize "${input}" first (or select "+${asset}")`,
    { exitCode: 1 },
  )
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
 * A planned asset reads a source reported by a sensor that has reported nothing yet.
 *
 * @example
 * throw unreportedSource('counts', 'raw/events', 'warehouse')
 */
export function unreportedSource(asset: string, input: string, sensor: string): RiversError {
  return new RiversError(
    'RIVERS_MISSING_INPUT',
    `asset "${asset}" needs source "${input}", which sensor "${sensor}" has not reported yet: run \`assets tick\` (or \`assets daemon\`) so that the sensor reports its data version, then materialize "${asset}"`,
  )
}

/**
 * An asset key that is not in the project (for `show`, `runs --asset`).
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
 * An asset depends on a key that is not an asset of the project.
 *
 * @example
 * throw unknownDependency('features', 'raw/order')
 */
export function unknownDependency(asset: string, dep: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_UNKNOWN_DEP',
    `asset "${asset}" depends on "${dep}", which is not an asset of this project`,
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

/**
 * `concurrency` that is not a positive integer.
 *
 * @example
 * throw invalidConcurrency(0)
 */
export function invalidConcurrency(value: unknown): RiversError {
  return new RiversError(
    'RIVERS_INVALID_OPTION',
    `concurrency must be a positive integer, got ${String(value)}: pass e.g. --concurrency 4`,
  )
}

/**
 * Several launch requests refused before the run (each message names its asset).
 *
 * @example
 * throw launchesRefused([tooManyGpus, unknownPartition])
 */
export function launchesRefused(errors: readonly RiversError[]): RiversError {
  return new RiversError(
    errors[0]?.code ?? 'RIVERS_UNSCHEDULABLE',
    `${errors.length} assets cannot be launched:\n\n${errors.map((e) => e.message).join('\n\n')}`,
    { exitCode: 2 },
  )
}

/** Codes of errors the core raises for definitions (exit 2). */
const DEFINITION_CODES = new Set([
  'RIVERS_INVALID_KEY',
  'RIVERS_DUPLICATE_KEY',
  'RIVERS_UNKNOWN_DEP',
  'RIVERS_SELF_DEP',
  'RIVERS_CYCLE',
  'RIVERS_SOURCE_WITH_DEPS',
])

/**
 * An error thrown by the native core as a RiversError with the same code and message.
 *
 * @example
 * try { planner.select(['a and']) } catch (e) { throw fromNative(e) }
 */
export function fromNative(e: unknown): unknown {
  if (!(e instanceof Error)) return e
  const code = (e as { code?: unknown }).code
  if (typeof code !== 'string' || !code.startsWith('RIVERS_')) return e
  if (DEFINITION_CODES.has(code)) return new DefinitionError(code, e.message)
  return new RiversError(code, e.message)
}

/**
 * The store has no runs yet (`assets logs` without a run id).
 *
 * @example
 * throw noRuns()
 */
export function noRuns(): RiversError {
  return new RiversError('RIVERS_NO_RUNS', 'no runs in this store yet: run `assets materialize` first')
}

/**
 * A condition needs an older value of an asset that the store no longer has (or never had).
 *
 * @example
 * throw valueNotStored('features', '3f9a…', 'its artifact was collected by gc')
 */
export function valueNotStored(key: string, dataVersion: string, why: string): RiversError {
  return new RiversError(
    'RIVERS_VALUE_NOT_STORED',
    `no stored value of "${key}" at data version ${dataVersion.slice(0, 12)}: ${why}; ` +
      `a drift condition compares the value its asset last consumed with the current one: keep those artifacts (retention: { keep: 2 } or more, or pin them), or read an asset rather than a source`,
  )
}

/**
 * A sensor returned something else than `{ runRequests?, observations?, cursor?, skipReason? }`.
 *
 * @example
 * throw invalidSensorResult('new_batches', 'runRequests[0].select is not a non-empty array of strings')
 */
export function invalidSensorResult(name: string, problem: string): RiversError {
  return new RiversError(
    'RIVERS_INVALID_SENSOR_RESULT',
    `sensor "${name}" returned an invalid result: ${problem}; return { runRequests?: [{ select: ['key', ...], config? }], observations?: [{ key, dataVersion, metadata? }], cursor?: string, skipReason?: string }`,
  )
}

/**
 * A sensor reported a data version of an asset that is not a source naming it in `reportedBy`.
 *
 * @example
 * throw unreportableSource('new_batches', 0, 'raw/batch', 'not an asset of this project', ['raw/batches'])
 */
export function unreportableSource(
  sensor: string,
  index: number,
  key: string,
  problem: string,
  reported: readonly string[],
): RiversError {
  return new RiversError(
    'RIVERS_INVALID_SENSOR_RESULT',
    `sensor "${sensor}" reported a data version of "${key}" (observations[${index}]), which is ${problem}; ` +
      `it reports ${reported.length === 0 ? 'no source' : reported.map((k) => `"${k}"`).join(', ')}. ` +
      `Fix: give the source \`reportedBy: '${sensor}'\`, or report one of those keys. Nothing of this evaluation was recorded.`,
  )
}

/**
 * A run id that is not in the store.
 *
 * @example
 * throw unknownRun('20260101-1200', '20260101-120000-ab12')
 */
export function unknownRun(runId: string, closest: string | undefined): RiversError {
  return new RiversError(
    'RIVERS_UNKNOWN_RUN',
    `no run "${runId}" in this store${closest === undefined ? '' : ` (did you mean "${closest}"?)`}: run \`assets runs\` to see the run ids`,
  )
}

/**
 * `loadAsset` of an asset that has no stored value.
 *
 * @example
 * throw notMaterialized('features')
 */
export function notMaterialized(key: string): RiversError {
  return new RiversError(
    'RIVERS_NOT_MATERIALIZED',
    `asset "${key}" has no stored value: it was never materialized (or was wiped); run \`assets materialize ${key}\``,
  )
}

/**
 * `loadAsset` of a source: sources are read, not stored.
 *
 * @example
 * throw sourceNotStored('raw/orders')
 */
export function sourceNotStored(key: string): RiversError {
  return new RiversError(
    'RIVERS_SOURCE_NOT_STORED',
    `"${key}" is a source: Rivers observes it but stores no value of it; read its file (or call its load) directly, or load an asset built from it`,
  )
}
