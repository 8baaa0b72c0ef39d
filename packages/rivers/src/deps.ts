/**
 * pino and better-sqlite3, required on first use instead of imported: `import
 * '@rivers-orchestrator/rivers'` loads neither (pino alone is about 30 CommonJS modules), so defining
 * assets or printing `assets --help` never pays for the logger or the database driver; opening a
 * workspace or a run log does. Both packages are CommonJS, so `require` returns the very object an
 * `import` would (one module instance, shared with a user's own `import pino from 'pino'`). zod is
 * loaded the same way, by definitions/zod-module.ts.
 */
import { createRequire } from 'node:module'
import type Database from 'better-sqlite3'
import type pino from 'pino'

const require = createRequire(import.meta.url)
let pinoModule: typeof pino | undefined
let sqliteModule: typeof Database | undefined

/**
 * pino's default export (the `pino()` factory with `levels`, `destination`, `multistream`…), loaded on first use.
 *
 * @example
 * const log = pinoLib()({ level: 'silent' })
 */
export function pinoLib(): typeof pino {
  pinoModule ??= require('pino') as typeof pino
  return pinoModule
}

/**
 * better-sqlite3's `Database` class, loaded on first use.
 *
 * @example
 * const db = new (sqliteLib())(':memory:')
 */
export function sqliteLib(): typeof Database {
  sqliteModule ??= require('better-sqlite3') as typeof Database
  return sqliteModule
}
