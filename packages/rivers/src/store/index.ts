/**
 * The store: the `Store` seam and its built-in SQLite implementation.
 *
 * @example
 * import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
 * const store = SqliteStore.open('.rivers')
 * console.log((await store.latestRecords()).keys.length)
 */
export type { Store } from './store.js'
export { SqliteStore } from './sqlite-store.js'
export { toHex, fromHex, ZERO_HASH } from './hex.js'
export { DB_FILE, BUSY_TIMEOUT_MS, type OpenOptions } from './open.js'
export { SCHEMA_VERSION } from './migrations.js'
export type * from './types.js'
