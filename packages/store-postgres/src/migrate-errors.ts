/**
 * Errors of `migrateFromSqlite` (`assets store migrate --to postgres://…`), one constructor per kind.
 * Each names the SQLite file or the PostgreSQL store (without its password), the table at fault, and
 * the fix. Nothing was written to the target when one is raised (one transaction).
 */
import { RiversError } from '@rivers-orchestrator/rivers'
import { redactUrl } from './errors.js'

/**
 * There is no SQLite store file to migrate.
 *
 * @example
 * throw sqliteStoreMissing('/home/me/shop/.rivers/rivers.db')
 */
export function sqliteStoreMissing(file: string): RiversError {
  return new RiversError(
    'RIVERS_MIGRATE_NO_SQLITE_STORE',
    `There is no SQLite store to migrate at ${file}. ` +
      'Fix: pass the store folder that holds rivers.db with --store DIR (default: $RIVERS_HOME, else .rivers/ beside the project).',
  )
}

/**
 * The SQLite store and the PostgreSQL store are at different schema versions.
 *
 * @example
 * throw sqliteVersionMismatch('.rivers/rivers.db', 6, 7)
 */
export function sqliteVersionMismatch(file: string, found: number, target: number): RiversError {
  const fix =
    found < target
      ? 'Fix: open it once with this Rivers (e.g. `assets status --store DIR`), which upgrades it, then migrate again.'
      : 'Fix: upgrade @rivers-orchestrator/store-postgres to the version of Rivers that wrote it, then migrate again.'
  return new RiversError(
    'RIVERS_MIGRATE_VERSION_MISMATCH',
    `The SQLite store ${file} has schema version ${found}, and the PostgreSQL store is at version ${target}: ` +
      `the migration copies between stores of the same version. ${fix}`,
  )
}

/**
 * The SQLite store has a table the migration does not know: copying the rest would drop its rows.
 *
 * @example
 * throw unhandledTable('.rivers/rivers.db', 'lineage_notes')
 */
export function unhandledTable(file: string, table: string): RiversError {
  return new RiversError(
    'RIVERS_MIGRATE_UNKNOWN_TABLE',
    `The SQLite store ${file} has a table "${table}" that the migration to PostgreSQL does not copy; ` +
      'nothing was migrated (its rows would have been lost). ' +
      'Fix: upgrade @rivers-orchestrator/store-postgres to the version of Rivers that wrote this store, or drop the table if you added it yourself.',
  )
}

/**
 * A column of a SQLite table has no twin in the PostgreSQL table.
 *
 * @example
 * throw unhandledColumn('.rivers/rivers.db', 'runs', 'labels')
 */
export function unhandledColumn(file: string, table: string, column: string): RiversError {
  return new RiversError(
    'RIVERS_MIGRATE_UNKNOWN_COLUMN',
    `The SQLite store ${file} has a column ${table}.${column} that the PostgreSQL table "${table}" lacks; ` +
      'nothing was migrated (its values would have been lost). ' +
      'Fix: upgrade @rivers-orchestrator/store-postgres to the version of Rivers that wrote this store.',
  )
}

/**
 * The target holds a different row under a key the SQLite store uses: it is another store's data.
 *
 * @example
 * throw targetHoldsOtherData('postgres://rivers@db/team', 'materializations', ['id'], [42])
 */
export function targetHoldsOtherData(
  url: string,
  table: string,
  key: readonly string[],
  values: readonly unknown[],
): RiversError {
  const at = key.map((k, i) => `${k} = ${JSON.stringify(values[i] ?? null)}`).join(', ')
  return new RiversError(
    'RIVERS_MIGRATE_CONFLICT',
    `The PostgreSQL store ${redactUrl(url)} already holds another row in "${table}" under ${at} than the SQLite store; ` +
      'it holds data of another store, and nothing was written. ' +
      'Fix: migrate into an empty database (createdb, then --to postgres://…/NEW), or into the one this SQLite store was migrated to before.',
  )
}
