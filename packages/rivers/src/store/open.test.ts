import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RiversError } from '../errors.js'
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js'
import { SqliteStore } from './sqlite-store.js'

let tmp: string
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rivers-open-'))
})
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true })
})

/** Replaces the temp folder in messages so snapshots are stable. */
const scrub =
  (f: () => unknown): (() => unknown) =>
  () => {
    try {
      return f()
    } catch (e) {
      if (e instanceof RiversError) {
        const clean = new RiversError(e.code, e.message.split(tmp).join('<tmp>'))
        throw clean
      }
      throw e
    }
  }

/** The same for a rejected promise. */
const scrubbed = <T>(p: Promise<T>): Promise<T> =>
  p.catch((e: unknown) => {
    throw e instanceof RiversError ? new RiversError(e.code, e.message.split(tmp).join('<tmp>')) : e
  })

const isRoot = process.getuid?.() === 0

describe('Store.open', () => {
  it('creates the folder (0700) and the file (0600), in WAL mode, at the current schema version', () => {
    const dir = join(tmp, 'a', '.rivers')
    const store = SqliteStore.open(dir)
    expect(store.file).toBe(join(dir, 'rivers.db'))
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(store.file).mode & 0o777).toBe(0o600)
    // The WAL and shared-memory files inherit the database file's mode.
    expect(statSync(`${store.file}-wal`).mode & 0o777).toBe(0o600)
    store.close()
    const db = new Database(join(dir, 'rivers.db'), { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all()
    expect(tables).toEqual([
      'automation_decisions',
      'automation_state',
      'automation_ticks',
      'backfill_progress',
      'backfills',
      'check_results',
      'dynamic_partitions',
      'events',
      'jobs',
      'latest',
      'leases',
      'materialization_inputs',
      'materialization_params',
      'materializations',
      'metrics',
      'model_alias_moves',
      'pins',
      'runs',
      'store_counters',
    ])
    db.close()
  })

  it('reopens idempotently and keeps data', async () => {
    const dir = join(tmp, '.rivers')
    const a = SqliteStore.open(dir)
    await a.beginRun({ id: 'r1', selection: [], force: false })
    await a.close()
    const b = SqliteStore.open(dir)
    expect((await b.getRun('r1'))?.id).toBe('r1')
    await b.close()
    const c = SqliteStore.open(dir, { readonly: true })
    expect(await c.listRuns()).toHaveLength(1)
    await c.close()
  })

  it('applies only the migrations above the file version, each once', () => {
    const dir = join(tmp, '.rivers')
    const first = MIGRATIONS.slice(0, 1)
    SqliteStore.open(dir, { migrations: first }).close()
    const extra = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, name: 'test', sql: 'CREATE TABLE extra (x INTEGER) STRICT;' },
    ]
    SqliteStore.open(dir, { migrations: extra }).close()
    SqliteStore.open(dir, { migrations: extra }).close() // would fail "table extra already exists" if re-applied
    const db = new Database(join(dir, 'rivers.db'))
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1)
    db.close()
  })

  it('rolls back a failing migration together with its version bump', () => {
    const dir = join(tmp, '.rivers')
    const bad = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, name: 'bad', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;' },
    ]
    expect(() => SqliteStore.open(dir, { migrations: bad })).toThrow(/no such table/)
    const db = new Database(join(dir, 'rivers.db'))
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half'").pluck().get()).toBe(0)
    db.close()
  })

  it('refuses a store written by a newer Rivers', () => {
    const dir = join(tmp, '.rivers')
    SqliteStore.open(dir).close()
    const db = new Database(join(dir, 'rivers.db'))
    db.pragma('user_version = 99')
    db.close()
    expect(scrub(() => SqliteStore.open(dir))).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: The store <tmp>/.rivers/rivers.db was written by a newer Rivers (schema version 99; this Rivers knows up to 8). Upgrade rivers, or point --store elsewhere.]`,
    )
    expect(() => SqliteStore.open(dir)).toThrow(expect.objectContaining({ code: 'RIVERS_STORE_TOO_NEW', exitCode: 2 }))
  })

  it.each([
    ['garbage', Buffer.from('this is not a database, just some text that is long enough to fill a header '.repeat(20))],
    ['a short file', Buffer.from('oops')],
  ])('refuses a corrupt file (%s) and says to move it aside', (_name, bytes) => {
    const dir = join(tmp, '.rivers')
    mkdirSync(dir)
    writeFileSync(join(dir, 'rivers.db'), bytes)
    expect(scrub(() => SqliteStore.open(dir))).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: The store <tmp>/.rivers/rivers.db is not a valid Rivers database (SQLITE_NOTADB: file is not a database). Move it aside (for example \`mv rivers.db rivers.db.broken\`); records will be rebuilt by the next materialization.]`,
    )
  })

  it('reports a folder that cannot be created', () => {
    writeFileSync(join(tmp, 'file'), 'x')
    expect(scrub(() => SqliteStore.open(join(tmp, 'file', '.rivers')))).toThrow(
      /^The store folder <tmp>\/file\/\.rivers cannot be created: a parent of it is a file\. Point --store/,
    )
    expect(scrub(() => SqliteStore.open(join(tmp, 'file')))).toThrow(
      /^The store folder <tmp>\/file cannot be created: a file with that name exists\./,
    )
    expect(() => SqliteStore.open(join(tmp, 'file', '.rivers'))).toThrow(
      expect.objectContaining({ code: 'RIVERS_STORE_DIR', exitCode: 2 }),
    )
  })

  it('opens read-only without creating anything, and refuses writes with a clear error', async () => {
    const dir = join(tmp, '.rivers')
    expect(scrub(() => SqliteStore.open(dir, { readonly: true }))).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: No store at <tmp>/.rivers/rivers.db. Run \`assets materialize\` once to create it, or point --store at an existing store.]`,
    )
    SqliteStore.open(dir).close()
    const ro = SqliteStore.open(dir, { readonly: true })
    await expect(scrubbed(ro.beginRun({ id: 'r1', selection: [], force: false }))).rejects.toThrow(
      /^Cannot write the store <tmp>\/\.rivers\/rivers\.db \(SQLITE_READONLY: attempt to write a readonly database\)\. Make the file and its folder writable/,
    )
    await ro.close()
  })

  it('refuses a read-only open of an older schema (it cannot migrate)', () => {
    const dir = join(tmp, '.rivers')
    SqliteStore.open(dir).close()
    const db = new Database(join(dir, 'rivers.db'))
    db.pragma('user_version = 0')
    db.close()
    expect(() => SqliteStore.open(dir, { readonly: true })).toThrow(
      expect.objectContaining({ code: 'RIVERS_STORE_NEEDS_MIGRATION' }),
    )
  })

  // Root ignores permission bits, so these run only as an ordinary user. As root the read-only path is
  // covered above through `readonly: true`, which reaches the same SQLITE_READONLY translation.
  it.skipIf(isRoot)('names the path when the store file is read-only (non-root only)', async () => {
    const dir = join(tmp, '.rivers')
    SqliteStore.open(dir).close()
    chmodSync(join(dir, 'rivers.db'), 0o400)
    try {
      await expect(
        (async () => {
          const s = SqliteStore.open(dir)
          try {
            await s.beginRun({ id: 'r1', selection: [], force: false })
          } finally {
            await s.close()
          }
        })(),
      ).rejects.toThrow(
        expect.objectContaining({
          code: 'RIVERS_STORE_READONLY',
          message: expect.stringContaining(join(dir, 'rivers.db')),
        }),
      )
    } finally {
      chmodSync(join(dir, 'rivers.db'), 0o600)
    }
  })

  it.skipIf(isRoot)('names the path when the parent folder is read-only (non-root only)', () => {
    chmodSync(tmp, 0o500)
    try {
      expect(() => SqliteStore.open(join(tmp, '.rivers'))).toThrow(
        expect.objectContaining({ code: 'RIVERS_STORE_DIR', message: expect.stringContaining(join(tmp, '.rivers')) }),
      )
    } finally {
      chmodSync(tmp, 0o700)
    }
  })
})

describe('a store locked by another connection', () => {
  it('waits for the busy timeout, then names the store and what to do instead of "database is locked"', async () => {
    const dir = join(tmp, '.rivers')
    const store = SqliteStore.open(dir, { busyTimeoutMs: 300 })
    const blocker = new Database(join(dir, 'rivers.db'))
    blocker.exec('BEGIN IMMEDIATE')
    try {
      const started = Date.now()
      await expect(
        scrubbed(store.beginRun({ id: 'r1', selection: [], force: false })),
      ).rejects.toThrowErrorMatchingInlineSnapshot(
        `[RiversError: The store <tmp>/.rivers/rivers.db stayed locked by another process for more than 300 ms. Wait for the other \`assets\` command to finish (or stop it), then run again.]`,
      )
      expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    } finally {
      blocker.exec('ROLLBACK')
      blocker.close()
    }
    await store.beginRun({ id: 'r1', selection: [], force: false }) // fine once the lock is gone
    await store.close()
  })
})
