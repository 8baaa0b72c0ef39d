/**
 * Opening the SQLite file of a store: folder and file creation with private permissions, pragmas,
 * migrations, and the translation of SQLite/file-system failures into clear `RiversError`s.
 */
import { closeSync, existsSync, openSync, constants as fsc } from 'node:fs'
import { join, resolve } from 'node:path'
import type Database from 'better-sqlite3'
import { sqliteLib } from '../deps.js'
import { RiversError } from '../errors.js'
import {
  storeCannotOpen,
  storeCorrupt,
  storeMissing,
  storeNeedsMigration,
  storeBusy,
  storeReadOnly,
  storeTooNew,
} from './errors.js'
import { makeStoreDir } from './mkdir.js'
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion, type Migration } from './migrations.js'

/**
 * Name of the database file inside the store folder.
 *
 * @example
 * import { join } from 'node:path'
 * join('.rivers', DB_FILE) // '.rivers/rivers.db'
 */
export const DB_FILE = 'rivers.db'

/**
 * How long a connection waits for another process's write lock before failing, by default.
 *
 * @example
 * SqliteStore.open('.rivers', { busyTimeoutMs: BUSY_TIMEOUT_MS * 6 }) // wait a minute
 */
export const BUSY_TIMEOUT_MS = 10_000

/** Options of {@link openDatabase}. */
export interface OpenOptions {
  /** Open without writing anything: no folder/file creation, no migrations. The file must exist. */
  readonly?: boolean
  /** How long to wait for another process's write lock before failing (default {@link BUSY_TIMEOUT_MS}). */
  busyTimeoutMs?: number
  /** Migrations to apply (tests use this to simulate older or newer schemas). */
  migrations?: readonly Migration[]
}

/**
 * Opens (creating if needed) `dir/rivers.db`: folder mode 0700, file mode 0600, WAL journal,
 * `synchronous=NORMAL`, a 10 s busy timeout, foreign keys on, schema migrated.
 *
 * @example
 * const { db, file } = openDatabase('.rivers')
 */
export function openDatabase(
  dir: string,
  options: OpenOptions = {},
): { db: Database.Database; file: string; busyTimeoutMs: number } {
  const absDir = resolve(dir)
  const file = join(absDir, DB_FILE)
  const readonly = options.readonly === true
  const migrations = options.migrations ?? MIGRATIONS
  const supported = migrations[migrations.length - 1]?.version ?? SCHEMA_VERSION
  const busyMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? BUSY_TIMEOUT_MS))

  if (readonly) {
    if (!existsSync(file)) throw storeMissing(file)
  } else {
    makeStoreDir(absDir) // not Node's recursive mkdir: it spins forever below /proc/<pid>
    createPrivateFile(file)
  }

  let db: Database.Database
  try {
    db = new (sqliteLib())(file, { readonly, fileMustExist: true, timeout: busyMs })
  } catch (e) {
    throw translateSqliteError(file, e, busyMs)
  }
  try {
    db.pragma(`busy_timeout = ${busyMs}`)
    // Reading the version is the first real read: a garbage file fails here with SQLITE_NOTADB.
    const found = schemaVersion(db)
    if (found > supported) throw storeTooNew(file, found, supported)
    if (!readonly) {
      enableWal(db, busyMs)
      db.pragma('synchronous = NORMAL')
    }
    db.pragma('foreign_keys = ON')
    if (readonly) {
      if (found < supported) throw storeNeedsMigration(file, found, supported)
    } else {
      migrate(db, migrations)
    }
    // Touch the schema so a damaged page surfaces now rather than in the middle of a run.
    db.prepare('SELECT count(*) FROM sqlite_schema').get()
  } catch (e) {
    db.close()
    throw translateSqliteError(file, e, busyMs)
  }
  return { db, file, busyTimeoutMs: busyMs }
}

/** Creates the database file with mode 0600 if it does not exist (SQLite gives -wal/-shm the same mode). */
function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, fsc.O_CREAT | fsc.O_RDWR, 0o600))
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      // An existing read-only file: opening read-only works; SQLite will report the first write.
      if (code !== 'EROFS' && existsSync(file)) return
      throw storeReadOnly(file, e)
    }
    throw storeCannotOpen(file, e)
  }
}

/**
 * Puts the database in WAL mode unless it already is. Switching needs an exclusive lock, and SQLite
 * answers SQLITE_BUSY at once (without its busy handler) while another process holds one, e.g. a
 * process creating and migrating the same new store: the switch is retried until `busyMs` runs out.
 */
function enableWal(db: Database.Database, busyMs: number): void {
  const deadline = Date.now() + busyMs
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    try {
      if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal') return
      db.pragma('journal_mode = WAL')
      return
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw e
      Atomics.wait(pause, 0, 0, 20)
    }
  }
}

/**
 * Maps a SQLite or file-system error met while using the store file to a `RiversError` that names the
 * file; other errors (already `RiversError`, programming errors) pass through unchanged.
 *
 * @example
 * try { db.exec(sql) } catch (e) { throw translateSqliteError(file, e) }
 */
export function translateSqliteError(file: string, e: unknown, busyTimeoutMs: number = BUSY_TIMEOUT_MS): unknown {
  if (e instanceof RiversError) return e
  const code = (e as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return e
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return storeCorrupt(file, e)
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return storeReadOnly(file, e)
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return storeBusy(file, busyTimeoutMs, e)
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_PERM')
    return storeCannotOpen(file, e)
  return e
}
