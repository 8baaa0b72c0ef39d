/**
 * Errors raised by the PostgreSQL store. The kinds the SQLite store has too are its own builders
 * (`storeErrors` of the plugin entry), given the URL without its password where they name the store:
 * the same codes and messages on both backends (the conformance suite matches on them). The ones
 * below them are this backend's own: the server, its queries, its schema.
 */
import { RiversError } from '@rivers-orchestrator/rivers'
import { storeErrors } from '@rivers-orchestrator/rivers/plugin'

export const {
  badVersion,
  unstorableJson,
  badTtl,
  badLeasePartition,
  badStoreKey,
  badStorePartition,
  pinNoRecord,
  pinCollected,
  unknownDynamicPartition,
} = storeErrors

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
    `Cannot connect to the PostgreSQL store ${redactUrl(url)} (${reason(cause)}).\n` +
      'Fix: check that the server runs and accepts this user from this host (pg_hba.conf), that the database exists, ' +
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
  return storeErrors.runNotFound(redactUrl(url), runId)
}

/** @example throw recordNotFound(url, 42) */
export function recordNotFound(url: string, materializationId: number): RiversError {
  return storeErrors.recordNotFound(redactUrl(url), materializationId)
}

/** @example throw runExists(url, 'r1') */
export function runExists(url: string, runId: string): RiversError {
  return storeErrors.runExists(redactUrl(url), runId)
}

/** @example throw backfillNotFound(url, 'bf-3', ['bf-2', 'bf-1']) */
export function backfillNotFound(url: string, id: string, recent: readonly string[]): RiversError {
  return storeErrors.backfillNotFound(redactUrl(url), id, recent)
}

/** @example throw backfillExists(url, 'bf-1') */
export function backfillExists(url: string, id: string): RiversError {
  return storeErrors.backfillExists(redactUrl(url), id)
}
