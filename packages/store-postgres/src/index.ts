/**
 * `@rivers-orchestrator/store-postgres`: a PostgreSQL team store for Rivers (the `Store` seam of
 * `@rivers-orchestrator/rivers/plugin`). Select it with `assets --store postgres://…`, the
 * `RIVERS_STORE_URL` variable, or pass it to `openWorkspace(project, { store })`.
 *
 * @example
 * import { PostgresStore } from '@rivers-orchestrator/store-postgres'
 * const store = await PostgresStore.open('postgres://rivers@db.internal/team', { pool: { max: 5 } })
 */
export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js'
export type { PoolOptions } from './db.js'
export type { CommitWatch, CommitWatchOptions } from './commit-watch.js'
export { PG_MIGRATIONS, PG_SCHEMA_VERSION, type Migration } from './migrations.js'
export { redactUrl } from './errors.js'
export {
  migrateFromSqlite,
  type SqliteMigration,
  type TableCopy,
  type MigrateOptions,
} from './migrate-from-sqlite.js'
export { MIGRATED_TABLES } from './migrate-rules.js'
