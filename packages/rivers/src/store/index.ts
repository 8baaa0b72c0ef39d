/**
 * The store: SQLite records of runs, materializations, checks, events, metrics and leases.
 *
 * @example
 * import { Store, toHex } from './store/index.js'
 * const store = Store.open('.rivers')
 * console.log(store.latestRecords().keys.length)
 */
export { Store } from './store.js'
export { toHex, fromHex, ZERO_HASH } from './hex.js'
export { DB_FILE, BUSY_TIMEOUT_MS, type OpenOptions } from './open.js'
export { SCHEMA_VERSION } from './migrations.js'
export type * from './types.js'
