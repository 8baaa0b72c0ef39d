/**
 * Errors raised by the PostgreSQL store. One constructor per kind; each message names the store (its
 * URL without the password), the run, asset or record at fault, and the fix. The messages of the
 * kinds the SQLite store shares say the same thing (the conformance suite matches on them).
 */
import { RiversError } from '@rivers-orchestrator/rivers'

/** The cause of an error as a short text (its code first when the message lacks it). */
function reason(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message
  }
  return String(cause)
}

/**
 * A connection URL without its password, for messages and logs.
 *
 * @example
 * redactUrl('postgres://rivers:s3cret@db:5432/team') // 'postgres://rivers:***@db:5432/team'
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@')
  }
}

/**
 * The server cannot be reached, refused the login, or the database does not exist.
 *
 * @example
 * throw storeUnreachable('postgres://rivers@db/team', err)
 */
export function storeUnreachable(url: string, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_STORE_UNREACHABLE',
    `Cannot connect to the PostgreSQL store ${redactUrl(url)} (${reason(cause)}). ` +
      'Check that the server runs and accepts this user from this host (pg_hba.conf), that the database exists, ' +
      'and that the URL has the form postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.',
    { cause },
  )
}

/**
 * The database was migrated by a newer Rivers.
 *
 * @example
 * throw storeTooNew('postgres://db/team', 9, 7)
 */
export function storeTooNew(url: string, found: number, supported: number): RiversError {
  return new RiversError(
    'RIVERS_STORE_TOO_NEW',
    `The store ${redactUrl(url)} was written by a newer Rivers (schema version ${found}; this Rivers knows up to ${supported}). ` +
      'Upgrade @rivers-orchestrator/store-postgres on this machine, or point --store elsewhere.',
  )
}

/**
 * A query failed for a reason that is not the caller's input (a lost connection, a full disk).
 *
 * @example
 * throw storeQueryFailed('postgres://db/team', 'recordMaterialization', err)
 */
export function storeQueryFailed(url: string, operation: string, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_STORE_QUERY_FAILED',
    `The PostgreSQL store ${redactUrl(url)} failed during ${operation} (${reason(cause)}). ` +
      'Nothing of this operation was kept (it ran in a transaction); check the server log, then run again.',
    { cause },
  )
}

/** @example throw runNotFound(url, 'r1') */
export function runNotFound(url: string, runId: string): RiversError {
  return new RiversError(
    'RIVERS_RUN_NOT_FOUND',
    `Run '${runId}' does not exist in the store ${redactUrl(url)}. Start it with beginRun() before recording into it; list runs with \`assets runs\`.`,
  )
}

/** @example throw recordNotFound(url, 42) */
export function recordNotFound(url: string, materializationId: number): RiversError {
  return new RiversError(
    'RIVERS_RECORD_NOT_FOUND',
    `Materialization ${materializationId} does not exist in the store ${redactUrl(url)}. Pass the id recordMaterialization() returned.`,
  )
}

/** @example throw runExists(url, 'r1') */
export function runExists(url: string, runId: string): RiversError {
  return new RiversError(
    'RIVERS_RUN_EXISTS',
    `Run '${runId}' already exists in the store ${redactUrl(url)}. Use a fresh run id for every run.`,
  )
}

/** @example throw badVersion("codeVersion of asset 'raw'", '15 bytes') */
export function badVersion(what: string, got: string): RiversError {
  return new RiversError(
    'RIVERS_BAD_VERSION',
    `${what} must be a 16-byte hash (32 hex digits), got ${got}. Produce it with the native hasher (hashBytes / hashFields).`,
  )
}

/** @example throw unstorableJson("metadata of asset 'raw'", err) */
export function unstorableJson(what: string, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_STORE_BAD_JSON',
    `${what} cannot be stored as JSON (${reason(cause)}). Use plain objects, arrays, strings, finite numbers, booleans and null.`,
    { cause },
  )
}

/** @example throw badTtl('model', -1) */
export function badTtl(key: string, ttlMs: number): RiversError {
  return new RiversError(
    'RIVERS_BAD_LEASE_TTL',
    `Lease on asset '${key}': ttlMs must be a non-negative finite number of milliseconds, got ${ttlMs}.`,
  )
}

/** @example throw badLeasePartition('events', '') */
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

/** @example throw badStoreKey('Asset key', '') */
export function badStoreKey(what: string, got: string): RiversError {
  return new RiversError(
    'RIVERS_STORE_BAD_KEY',
    `${what} must be a non-empty string without newlines or NUL characters, got ${JSON.stringify(got)}. Asset keys are segments of A-Z a-z 0-9 _ - . joined by /.`,
  )
}

/** @example throw badStorePartition("Partition of asset 'events'", 'a\nb') */
export function badStorePartition(what: string, got: string): RiversError {
  return new RiversError(
    'RIVERS_STORE_BAD_PARTITION',
    `${what} must be a string without newlines or NUL characters, got ${JSON.stringify(got)}. ` +
      'Pass the partition key as the partition definition prints it.',
  )
}

/** @example throw pinNoRecord('model', 'r9') */
export function pinNoRecord(key: string, runId?: string): RiversError {
  return new RiversError(
    'RIVERS_PIN_NO_RECORD',
    runId === undefined
      ? `Cannot pin '${key}': it has no current record (never materialized, or wiped). Run \`assets materialize ${key}\` first, or pass --run RUN to pin a record of an earlier run (\`assets show ${key}\` lists them).`
      : `Cannot pin '${key}' of run ${runId}: that run recorded no materialization of '${key}'. Pass --run with a run that built it (\`assets show ${key}\` lists them), or leave out --run to pin the current record.`,
  )
}

/** @example throw pinCollected('model', 'r1', '2026-01-01T00:00:00.000Z') */
export function pinCollected(key: string, runId: string, collectedAt: string): RiversError {
  return new RiversError(
    'RIVERS_PIN_COLLECTED',
    `Cannot pin '${key}' of run ${runId}: its artifact was deleted by gc at ${collectedAt}. ` +
      `Pin a record whose artifact is still stored (\`assets show ${key}\`), or rebuild it with \`assets materialize ${key} --force\` and pin that.`,
  )
}

/** @example throw unknownDynamicPartition('customers', 'globx', 'globex') */
export function unknownDynamicPartition(set: string, key: string, closest: string | undefined): RiversError {
  const hint = closest === undefined ? '' : ` Did you mean '${closest}'?`
  return new RiversError(
    'RIVERS_UNKNOWN_DYNAMIC_PARTITION',
    `The dynamic partition set '${set}' has no key '${key}'.${hint} ` +
      'List its keys with `assets partitions` on an asset of the set; nothing was removed.',
  )
}

/** @example throw backfillNotFound(url, 'bf-3', ['bf-2', 'bf-1']) */
export function backfillNotFound(url: string, id: string, recent: readonly string[]): RiversError {
  const known = recent.length === 0 ? 'There is no backfill yet.' : `Recent backfills: ${recent.join(', ')}.`
  return new RiversError(
    'RIVERS_BACKFILL_NOT_FOUND',
    `Backfill '${id}' does not exist in the store ${redactUrl(url)}. ${known} Run \`assets backfills\` to list them and pass one of their ids to --resume.`,
  )
}

/** @example throw backfillExists(url, 'bf-1') */
export function backfillExists(url: string, id: string): RiversError {
  return new RiversError(
    'RIVERS_BACKFILL_EXISTS',
    `Backfill '${id}' already exists in the store ${redactUrl(url)}. Use a fresh id for every backfill, or resume it with \`assets backfill --resume ${id}\`.`,
  )
}
