/**
 * pino, better-sqlite3 and zod, required on first use instead of imported: `import
 * '@rivers-orchestrator/rivers'` loads none of them (pino is about 30 CommonJS modules, zod about 95
 * ES modules), so defining valid assets or printing `assets --help` never pays for the logger, the
 * database driver or the schema library; opening a workspace, a run log, or checking a spec the fast
 * path cannot vouch for does. pino and better-sqlite3 are CommonJS, so `require` returns the very
 * object an `import` would (one module instance, shared with a user's own `import pino from 'pino'`).
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type Database from 'better-sqlite3'
import type pino from 'pino'

const require = createRequire(import.meta.url)
let pinoModule: typeof pino | undefined
let sqliteModule: typeof Database | undefined
let zod: typeof import('zod') | undefined

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

/**
 * zod (the `zod` package's exports), loaded on first use. Where Node can `require` an ES module
 * (20.19+, 22.12+), the ES module itself: the instance `import 'zod'` gives, which a project's own
 * schemas usually come from. Else (or if that fails) zod's CommonJS build: another copy, as when a
 * project installs its own zod, which zod 4 supports (its registry and config live on `globalThis`).
 *
 * @example
 * const { z } = zodModule()
 * z.string().safeParse('x').success // true
 */
export function zodModule(): typeof import('zod') {
  zod ??= requireZod()
  return zod
}

function requireZod(): typeof import('zod') {
  const canRequireEsm = (process.features as { require_module?: boolean }).require_module === true
  if (canRequireEsm && typeof import.meta.resolve === 'function') {
    try {
      return require(fileURLToPath(import.meta.resolve('zod'))) as typeof import('zod')
    } catch {
      // e.g. zod is still being loaded by an import in progress: fall back to the CommonJS build.
    }
  }
  return require('zod') as typeof import('zod')
}
