/**
 * Every error the partitions module raises, one constructor per kind. Each message names the
 * definition (and the asset when known), the key, and says how to fix it; tests pin their text.
 * All exit 2 in the CLI.
 */
import { DefinitionError, RiversError } from '../errors.js'

/**
 * A partition key or selection that names no partition. `suggestion` is the nearest valid key.
 *
 * @example
 * try { daily({ start: '2024-01-01' }).indexOf('2024-13-01') } catch (e) {
 *   if (e instanceof PartitionKeyError) console.error(e.key, e.suggestion)
 * }
 */
export class PartitionKeyError extends RiversError {
  /** The key as written. */
  readonly key: string
  /** The nearest valid key, when there is one. */
  readonly suggestion: string | undefined
  /** Why the key names no partition, in a few words (`month 13 does not exist`). */
  readonly reason: string

  constructor(code: string, message: string, key: string, suggestion: string | undefined, reason = message) {
    super(code, message, { exitCode: 2 })
    this.name = 'PartitionKeyError'
    this.key = key
    this.suggestion = suggestion
    this.reason = reason
  }
}

const mean = (s: string | undefined): string => (s === undefined ? '' : ` Did you mean '${s}'?`)

/**
 * A partition definition has invalid options.
 *
 * @example
 * throw invalidPartitions('daily partitions', "start '2024-02-30' is not a date", "write a date such as '2024-01-01'")
 */
export function invalidPartitions(what: string, problem: string, fix: string): DefinitionError {
  return new DefinitionError('RIVERS_INVALID_PARTITIONS', `Invalid ${what}: ${problem}.\nFix: ${fix}.`)
}

/**
 * A static or dynamic partition key breaks the key rules.
 *
 * @example
 * throw invalidPartitionKey("static partitions ['eu', 'us']", 'e|u', "contains '|'")
 */
export function invalidPartitionKey(set: string, key: string, problem: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_INVALID_PARTITION_KEY',
    `Invalid partition key ${JSON.stringify(key)} of ${set}: it ${problem}.\n` +
      `Fix: a key is 1 to 255 characters without '|', '...', control characters or leading/trailing spaces, e.g. 'eu-west'.`,
  )
}

/**
 * A static or dynamic partition key appears twice.
 *
 * @example
 * throw duplicatePartitionKey("static partitions ['eu', 'eu']", 'eu')
 */
export function duplicatePartitionKey(set: string, key: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_DUPLICATE_PARTITION_KEY',
    `Partition key '${key}' appears twice in ${set}.\nFix: list each key once.`,
  )
}

/**
 * A key that is no partition of the definition.
 *
 * @example
 * throw unknownPartition('daily from 2024-01-01 (UTC)', '2024-13-01', 'month 13 does not exist', '2024-12-01', "'2024-01-05' (YYYY-MM-DD)")
 */
export function unknownPartition(
  subject: string,
  key: string,
  reason: string,
  suggestion: string | undefined,
  example: string,
): PartitionKeyError {
  return new PartitionKeyError(
    'RIVERS_UNKNOWN_PARTITION',
    `Unknown partition key '${key}' of ${subject}: ${reason}.${mean(suggestion)}\nFix: write a key such as ${example}.`,
    key,
    suggestion,
    reason,
  )
}

/**
 * A partition index outside the definition (a bug in the caller, or a stale index).
 *
 * @example
 * throw partitionIndexOutOfRange('static partitions [eu, us]', 5, 2)
 */
export function partitionIndexOutOfRange(subject: string, index: number, size: number | undefined): RiversError {
  const range = size === undefined ? 'an integer >= 0' : `an integer from 0 to ${size - 1}`
  return new RiversError(
    'RIVERS_PARTITION_INDEX',
    `Partition index ${index} is outside ${subject}.\nFix: pass ${range}.`,
  )
}

/**
 * An index or key of a dynamic set whose key was removed.
 *
 * @example
 * throw removedPartition("dynamic partitions 'customers'", 3)
 */
export function removedPartition(subject: string, index: number): PartitionKeyError {
  return new PartitionKeyError(
    'RIVERS_REMOVED_PARTITION',
    `Partition ${index} of ${subject} was removed.\nFix: select a key the set holds now, or add the key again (it gets a new index).`,
    String(index),
    undefined,
  )
}

/**
 * A product key with the wrong number of `|`-separated dimensions.
 *
 * @example
 * throw wrongDimensions('partitions date × region', 'eu', ['date', 'region'], '2024-01-05|eu')
 */
export function wrongDimensions(
  subject: string,
  key: string,
  dims: readonly string[],
  example: string,
): PartitionKeyError {
  const got = key.split('|').length
  return new PartitionKeyError(
    'RIVERS_PARTITION_DIMENSIONS',
    `Partition key '${key}' of ${subject} has ${got} dimension${got === 1 ? '' : 's'}; ${dims.length} expected: ${dims.join('|')}.\n` +
      `Fix: join one key per dimension with '|' in this order, e.g. '${example}'.`,
    key,
    undefined,
  )
}

/**
 * A `FROM...TO` selection whose end is before its start.
 *
 * @example
 * throw reversedRange('daily from 2024-01-01 (UTC)', '2024-01-31', '2024-01-01')
 */
export function reversedRange(subject: string, from: string, to: string): PartitionKeyError {
  return new PartitionKeyError(
    'RIVERS_REVERSED_PARTITION_RANGE',
    `Partition range '${from}...${to}' of ${subject} ends before it starts.\nFix: write '${to}...${from}' (FROM...TO, both inclusive).`,
    `${from}...${to}`,
    `${to}...${from}`,
  )
}

/**
 * A selected key that exists in the calendar but not yet (after `now`), or not at all (after the end).
 *
 * @example
 * throw partitionNotYet('daily from 2024-01-01 (UTC)', '2030-01-01', 'it is not complete yet', '2024-06-30')
 */
export function partitionNotYet(
  subject: string,
  key: string,
  reason: string,
  last: string | undefined,
): PartitionKeyError {
  const fix =
    last === undefined
      ? 'wait until the first partition is complete'
      : `select partitions up to '${last}', the latest that exists`
  return new PartitionKeyError(
    'RIVERS_PARTITION_OUT_OF_RANGE',
    `Partition '${key}' of ${subject} is outside the partitions that exist: ${reason}.\nFix: ${fix}.`,
    key,
    last,
  )
}

/**
 * A mapping that cannot join two partition definitions.
 *
 * @example
 * throw incompatibleMapping({ key: 'features', partitions: 'hourly from 2024-01-01T00:00 (UTC)' }, { key: 'raw', partitions: "static partitions [eu, us]" }, 'hourly partitions cannot read static ones', 'declare mapping: fromFunction(...)')
 */
export function incompatibleMapping(
  down: { key: string; partitions: string },
  up: { key: string; partitions: string },
  problem: string,
  fix: string,
): DefinitionError {
  return new DefinitionError(
    'RIVERS_INCOMPATIBLE_PARTITIONS',
    `Asset '${down.key}' (${down.partitions}) cannot read asset '${up.key}' (${up.partitions}): ${problem}.\nFix: ${fix}.`,
  )
}

/**
 * A mapping declared with invalid options.
 *
 * @example
 * throw invalidMapping('mapping.window({ length: 0 })', 'length must be an integer >= 1', 'write window({ length: 7 }) for the last 7 partitions')
 */
export function invalidMapping(what: string, problem: string, fix: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_INVALID_PARTITION_MAPPING',
    `${what} is not a valid partition mapping: ${problem}.\nFix: ${fix}.`,
  )
}

/**
 * A `fromFunction` mapping that threw or returned a key the upstream does not have.
 *
 * @example
 * throw mappingFunctionFailed('features', 'raw', '2024-01-05', new Error('boom'))
 */
export function mappingFunctionFailed(
  downKey: string,
  upKey: string,
  partition: string,
  cause: unknown,
): DefinitionError {
  const why =
    cause instanceof PartitionKeyError
      ? `it returned '${cause.key}', which is not a partition of '${upKey}' (${cause.reason}).${mean(cause.suggestion)}`
      : cause instanceof Error
        ? cause.message
        : String(cause)
  return new DefinitionError(
    'RIVERS_PARTITION_MAPPING_FAILED',
    `The fromFunction mapping of asset '${downKey}' from '${upKey}' failed for partition '${partition}': ${why}\n` +
      `Fix: return an array of keys of '${upKey}' for every partition of '${downKey}'.`,
    { cause },
  )
}

/**
 * A partition key error raised for an asset's partitions: the same error, naming the asset.
 *
 * @example
 * throw ofAsset('events', unknownPartition('daily from 2024-01-01 (UTC)', 'x', 'it is not a date YYYY-MM-DD', undefined, "'2024-01-05'"))
 */
export function ofAsset(asset: string, e: PartitionKeyError): PartitionKeyError {
  const message = e.message.charAt(0).toLowerCase() + e.message.slice(1)
  return new PartitionKeyError(e.code, `Asset '${asset}': ${message}`, e.key, e.suggestion, e.reason)
}

/**
 * A `mapped()` dep whose upstream is not partitioned (there are no partitions to map).
 *
 * @example
 * throw mappedWithoutPartitions({ key: 'report', partitioned: false }, 'events', 'raw/events')
 */
export function mappedWithoutPartitions(
  down: { key: string; partitioned: boolean },
  input: string,
  upKey: string,
): DefinitionError {
  const problem = down.partitioned
    ? `'${upKey}' is not partitioned, so every partition of '${down.key}' reads its one value`
    : `neither '${down.key}' nor '${upKey}' is partitioned`
  return new DefinitionError(
    'RIVERS_MAPPED_WITHOUT_PARTITIONS',
    `Asset '${down.key}': input '${input}' is declared with mapped(), but ${problem}.\n` +
      `Fix: mapped() only applies to a partitioned upstream; remove mapped() around the dep of '${input}' to receive its one value.`,
  )
}

/**
 * A plain dep (not `mapped()`) through which a partition reads several upstream partitions, so its
 * input cannot be one value. `reads` says how many (`every partition`, `7 partitions`), `per` for
 * which downstream partition (`within each of its monthly partitions`, or `''`); `dep` is how the dep
 * is written in the fix.
 *
 * @example
 * throw plainDepReadsMany({ key: 'model', partitions: 'unpartitioned' }, 'events', { key: 'events', partitions: 'daily from 2024-01-01 (UTC)' }, { reads: 'every partition', per: '' }, 'events')
 */
export function plainDepReadsMany(
  down: { key: string; partitions: string },
  input: string,
  up: { key: string; partitions: string },
  how: { reads: string; per: string },
  dep: string,
): DefinitionError {
  return new DefinitionError(
    'RIVERS_PLAIN_DEP_READS_MANY',
    `Asset '${down.key}' (${down.partitions}): input '${input}' reads ${how.reads} of '${up.key}' (${up.partitions})` +
      `${how.per === '' ? '' : ` ${how.per}`}, so it cannot be one value.\n` +
      `Fix: declare deps: { ${input}: mapped(${dep}) } to receive a Record of partition key -> value ` +
      `(or mapped(${dep}, mapping.window({ length: 7 })) for a window of the last 7 partitions of the same period).`,
  )
}
