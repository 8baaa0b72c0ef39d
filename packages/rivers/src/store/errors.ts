/**
 * Errors raised by the store. One constructor per kind; each message names the store file or folder
 * and says how to fix the problem. All are `RiversError`s with exit code 2 (the command cannot run).
 */
import { RiversError } from '../errors.js'

/**
 * The store file was written by a newer Rivers (its schema version is above the one we know).
 *
 * @example
 * throw storeTooNew('/p/.rivers/rivers.db', 7, 3)
 */
export function storeTooNew(file: string, found: number, supported: number): RiversError {
  return new RiversError(
    'RIVERS_STORE_TOO_NEW',
    `The store ${file} was written by a newer Rivers (schema version ${found}; this Rivers knows up to ${supported}). ` +
      'Upgrade rivers, or point --store elsewhere.',
  )
}

/**
 * The store file is not a SQLite database, or is damaged.
 *
 * @example
 * throw storeCorrupt('/p/.rivers/rivers.db', err)
 */
export function storeCorrupt(file: string, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_STORE_CORRUPT',
    `The store ${file} is not a valid Rivers database (${reason(cause)}). ` +
      'Move it aside (for example `mv rivers.db rivers.db.broken`); records will be rebuilt by the next materialization.',
    { cause },
  )
}

/**
 * The store cannot be written: the file or its folder is read-only, or the store was opened read-only.
 *
 * @example
 * throw storeReadOnly('/p/.rivers/rivers.db', err)
 */
export function storeReadOnly(file: string, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_STORE_READONLY',
    `Cannot write the store ${file} (${reason(cause)}). ` +
      'Make the file and its folder writable by this user (the folder must allow creating rivers.db-wal and rivers.db-shm), or point --store elsewhere.',
    { cause },
  )
}

/**
 * The store file exists but cannot be opened (permissions, a folder in its place, I/O error).
 *
 * @example
 * throw storeCannotOpen('/p/.rivers/rivers.db', err)
 */
export function storeCannotOpen(file: string, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_STORE_CANNOT_OPEN',
    `Cannot open the store ${file} (${reason(cause)}). Check that it is a readable file in a writable folder, or point --store elsewhere.`,
    { cause },
  )
}

/**
 * The store folder cannot be created.
 *
 * @example
 * throw storeDirUnavailable('/p/.rivers', err)
 */
export function storeDirUnavailable(dir: string, cause: unknown): RiversError {
  const code = (cause as { code?: unknown } | null)?.code
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    return new RiversError(
      'RIVERS_STORE_DIR',
      `The store folder ${dir} cannot be created: ${code === 'EEXIST' ? 'a file with that name exists' : 'a parent of it is a file'}. ` +
        'Point --store (or RIVERS_HOME) at a folder, or move the file away.',
      { cause },
    )
  }
  return new RiversError(
    'RIVERS_STORE_DIR',
    `Cannot create the store folder ${dir} (${reason(cause)}). ` +
      'Create it yourself with write permission for this user, or point --store (or RIVERS_HOME) at a writable folder.',
    { cause },
  )
}

/**
 * The store folder's parent exists but refuses new folders (creating one fails with ENOENT, as on /proc).
 *
 * @example
 * throw storeDirRefused('/proc/1/store', '/proc/1')
 */
export function storeDirRefused(dir: string, parent: string): RiversError {
  return new RiversError(
    'RIVERS_STORE_DIR',
    `Cannot create the store folder ${dir}: ${parent} exists but does not accept new folders (creating one there fails with ENOENT, as on /proc). ` +
      'Point --store (or RIVERS_HOME) at a folder on a regular file system, e.g. --store .rivers.',
  )
}

/**
 * A read-only open found no store file.
 *
 * @example
 * throw storeMissing('/p/.rivers/rivers.db')
 */
export function storeMissing(file: string): RiversError {
  return new RiversError(
    'RIVERS_STORE_MISSING',
    `No store at ${file}. Run \`assets materialize\` once to create it, or point --store at an existing store.`,
  )
}

/**
 * A read-only open found a store whose schema is older than this Rivers and must be migrated first.
 *
 * @example
 * throw storeNeedsMigration('/p/.rivers/rivers.db', 1, 2)
 */
export function storeNeedsMigration(file: string, found: number, supported: number): RiversError {
  return new RiversError(
    'RIVERS_STORE_NEEDS_MIGRATION',
    `The store ${file} has schema version ${found} and this Rivers needs ${supported}; a read-only open cannot upgrade it. ` +
      'Open it read-write once (any command that writes, such as `assets materialize`, upgrades it in place).',
  )
}

/**
 * A run id given to the store does not exist.
 *
 * @example
 * throw runNotFound('/p/.rivers/rivers.db', 'r-123')
 */
export function runNotFound(file: string, runId: string): RiversError {
  return new RiversError(
    'RIVERS_RUN_NOT_FOUND',
    `Run '${runId}' does not exist in the store ${file}. Start it with beginRun() before recording into it; list runs with \`assets runs\`.`,
  )
}

/**
 * A materialization id given to the store does not exist.
 *
 * @example
 * throw recordNotFound('/p/.rivers/rivers.db', 42)
 */
export function recordNotFound(file: string, materializationId: number): RiversError {
  return new RiversError(
    'RIVERS_RECORD_NOT_FOUND',
    `Materialization ${materializationId} does not exist in the store ${file}. Pass the id recordMaterialization() returned.`,
  )
}

/**
 * A run id given to `beginRun` is already taken.
 *
 * @example
 * throw runExists('/p/.rivers/rivers.db', 'r-123')
 */
export function runExists(file: string, runId: string): RiversError {
  return new RiversError(
    'RIVERS_RUN_EXISTS',
    `Run '${runId}' already exists in the store ${file}. Use a fresh run id for every run.`,
  )
}

/**
 * A version string is not 32 hex digits, or a version buffer is not 16 bytes.
 *
 * @example
 * throw badVersion('codeVersion of asset raw', 'xyz')
 */
export function badVersion(what: string, got: string): RiversError {
  return new RiversError(
    'RIVERS_BAD_VERSION',
    `${what} must be a 16-byte hash (32 hex digits), got ${got}. Produce it with the native hasher (hashBytes / hashFields).`,
  )
}

function reason(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message
  }
  return String(cause)
}

/**
 * A value meant for a JSON column (metadata, config, summary, event data) cannot be turned into JSON.
 *
 * @example
 * throw unstorableJson('metadata of asset raw', err)
 */
export function unstorableJson(what: string, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_STORE_BAD_JSON',
    `${what} cannot be stored as JSON (${reason(cause)}). Use plain objects, arrays, strings, finite numbers, booleans and null.`,
    { cause },
  )
}

/**
 * A lease time-to-live is not a non-negative finite number of milliseconds.
 *
 * @example
 * throw badTtl('raw', -5)
 */
export function badTtl(key: string, ttlMs: number): RiversError {
  return new RiversError(
    'RIVERS_BAD_LEASE_TTL',
    `Lease on asset '${key}': ttlMs must be a non-negative finite number of milliseconds, got ${ttlMs}.`,
  )
}

/**
 * A partition given to a batched partition-lease call is `''` (the whole-asset lease), not a string,
 * or holds a newline or NUL.
 *
 * @example
 * throw badLeasePartition('events', '')
 */
export function badLeasePartition(key: string, got: string): RiversError {
  const why =
    got === ''
      ? `'' is the whole-asset lease, not a partition: take it with tryAcquireLease('${key}', runId, ttlMs)`
      : `got ${JSON.stringify(got)}, which is not a partition key (it must be a non-empty string without newlines or NUL characters)`
  return new RiversError(
    'RIVERS_BAD_LEASE_PARTITION',
    `Partition lease of asset '${key}': ${why}. Pass the partition keys as the partition definition prints them.`,
  )
}

/**
 * A key or id given to the store is empty or holds a newline or NUL (the store packs keys with
 * newlines; asset keys can never contain them).
 *
 * @example
 * throw badStoreKey('input key of asset raw', 'a\nb')
 */
export function badStoreKey(what: string, got: string): RiversError {
  return new RiversError(
    'RIVERS_STORE_BAD_KEY',
    `${what} must be a non-empty string without newlines or NUL characters, got ${JSON.stringify(got)}. Asset keys are segments of A-Z a-z 0-9 _ - . joined by /.`,
  )
}

/**
 * Another process held the store's write lock longer than the busy timeout.
 *
 * @example
 * throw storeBusy('/p/.rivers/rivers.db', 10_000, err)
 */
export function storeBusy(file: string, waitedMs: number, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_STORE_BUSY',
    `The store ${file} stayed locked by another process for more than ${waitedMs >= 1000 ? `${Math.round(waitedMs / 1000)} s` : `${waitedMs} ms`}. ` +
      'Wait for the other `assets` command to finish (or stop it), then run again.',
    { cause },
  )
}

/**
 * `pin` found no record to pin: the asset has no current record, or none from the given run.
 *
 * @example
 * throw pinNoRecord('model', '20261126T010203Z-3f9a1c')
 */
export function pinNoRecord(key: string, runId?: string): RiversError {
  return new RiversError(
    'RIVERS_PIN_NO_RECORD',
    runId === undefined
      ? `Cannot pin '${key}': it has no current record (never materialized, or wiped). Run \`assets materialize ${key}\` first, or pass --run RUN to pin a record of an earlier run (\`assets show ${key}\` lists them).`
      : `Cannot pin '${key}' of run ${runId}: that run recorded no materialization of '${key}'. Pass --run with a run that built it (\`assets show ${key}\` lists them), or leave out --run to pin the current record.`,
  )
}

/**
 * `pin` of a record whose artifact gc already deleted.
 *
 * @example
 * throw pinCollected('model', '20261126T010203Z-3f9a1c', '2026-11-27T08:00:00.000Z')
 */
export function pinCollected(key: string, runId: string, collectedAt: string): RiversError {
  return new RiversError(
    'RIVERS_PIN_COLLECTED',
    `Cannot pin '${key}' of run ${runId}: its artifact was deleted by gc at ${collectedAt}. ` +
      `Pin a record whose artifact is still stored (\`assets show ${key}\`), or rebuild it with \`assets materialize ${key} --force\` and pin that.`,
  )
}

/**
 * A partition key given to the store holds a newline or NUL (the packed reads join keys by newlines).
 *
 * @example
 * throw badStorePartition("Partition of asset 'events'", '2024-01-01\n')
 */
export function badStorePartition(what: string, got: string): RiversError {
  return new RiversError(
    'RIVERS_STORE_BAD_PARTITION',
    `${what} must be a string without newlines or NUL characters, got ${JSON.stringify(got)}. ` +
      'Pass the partition key as the partition definition prints it.',
  )
}

/**
 * A key to remove from a dynamic partition set is not in it (or was removed already).
 *
 * @example
 * throw unknownDynamicPartition('customers', 'acme', 'acme-corp')
 */
export function unknownDynamicPartition(set: string, key: string, closest: string | undefined): RiversError {
  const hint = closest === undefined ? '' : ` Did you mean '${closest}'?`
  return new RiversError(
    'RIVERS_UNKNOWN_DYNAMIC_PARTITION',
    `The dynamic partition set '${set}' has no key '${key}'.${hint} ` +
      `List its keys with \`assets partitions\` on an asset of the set; nothing was removed.`,
  )
}

/**
 * A backfill id given to the store does not exist.
 *
 * @example
 * throw backfillNotFound('/p/.rivers/rivers.db', 'bf-12', ['bf-11', 'bf-10'])
 */
export function backfillNotFound(file: string, id: string, recent: readonly string[]): RiversError {
  const known = recent.length === 0 ? 'There is no backfill yet.' : `Recent backfills: ${recent.join(', ')}.`
  return new RiversError(
    'RIVERS_BACKFILL_NOT_FOUND',
    `Backfill '${id}' does not exist in the store ${file}. ${known} Run \`assets backfills\` to list them and pass one of their ids to --resume.`,
  )
}

/**
 * A backfill id given to `createBackfill` is already taken.
 *
 * @example
 * throw backfillExists('/p/.rivers/rivers.db', 'bf-12')
 */
export function backfillExists(file: string, id: string): RiversError {
  return new RiversError(
    'RIVERS_BACKFILL_EXISTS',
    `Backfill '${id}' already exists in the store ${file}. Use a fresh id for every backfill, or resume it with \`assets backfill --resume ${id}\`.`,
  )
}

/**
 * A compare-and-set alias move found the alias moved by someone else since it was read.
 *
 * @example
 * throw aliasMovedMeanwhile('model', 'champion', 2, 3)
 */
export function aliasMovedMeanwhile(
  key: string,
  alias: string,
  expected: number | null,
  found: number | null,
): RiversError {
  const name = (v: number | null) => (v === null ? 'no version' : `version ${v}`)
  return new RiversError(
    'RIVERS_ALIAS_MOVED',
    `Alias '${alias}' of '${key}' was moved meanwhile: expected ${name(expected)}, found ${name(found)}. Nothing was changed. ` +
      `Look at \`assets models ${key}\` and run the command again.`,
  )
}

/**
 * An alias move names a record that is not a record of that asset.
 *
 * @example
 * throw aliasRecordMismatch('model', 'champion', 42)
 */
export function aliasRecordMismatch(key: string, alias: string, recordId: number): RiversError {
  return new RiversError(
    'RIVERS_ALIAS_RECORD',
    `Cannot move alias '${alias}' of '${key}' to record ${recordId}: that record is not a materialization of '${key}'. ` +
      `Pick a version listed by \`assets models ${key}\`.`,
  )
}
