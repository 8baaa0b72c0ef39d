/**
 * Copies an embedded SQLite store (`rivers.db`) into a PostgreSQL store, every table, ids kept
 * (records are referenced by id from inputs, metrics, params, checks, latest and pins), then moves the
 * PostgreSQL identity sequences past the copied ids.
 *
 * The SQLite side is read in one snapshot (one read transaction); the PostgreSQL side is written in one
 * transaction, its tables locked against writers, with one multi-row statement per batch (`unnest` of
 * one array per column). A row whose key the target already holds is skipped when it is the same row
 * (a second migration copies nothing) and refused when it differs: the transaction rolls back and
 * nothing is written. What "the same" means per table, and which rows are copied only with their
 * record, run or tick (so that a second migration undoes no wipe or unpin), is in migrate-rules.ts. A SQLite table or column this code does not know stops the migration, naming it:
 * data is never dropped silently. Storage files (outputs) are not moved: the records keep their paths.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'
import { Db, type Queryable } from './db.js'
import { migrate } from './migrations.js'
import { COMPARED, MIGRATED_TABLES, NATURAL_KEYS, PARENT_KEYS, PARENTS, UPSERT_IF_NEWER } from './migrate-rules.js'
import {
  sqliteStoreMissing,
  sqliteVersionMismatch,
  targetHoldsOtherData,
  unhandledColumn,
  unhandledTable,
} from './migrate-errors.js'

/** What one table contributed. */
export interface TableCopy {
  table: string
  /** Rows in the SQLite store. */
  rows: number
  /**
   * Rows written to PostgreSQL by this migration; the others were there already (the same rows), or
   * belong to a record, run or tick an earlier migration copied (the target may have deleted them since).
   */
  copied: number
}

/** The outcome of `migrateFromSqlite`. */
export interface SqliteMigration {
  /** The schema version of both stores. */
  schemaVersion: number
  /** Per table, in the order copied (`store_counters` last). */
  tables: TableCopy[]
  /** Rows written in all (0: the target already held everything). */
  copied: number
}

/** Options of `migrateFromSqlite`. */
export interface MigrateOptions {
  /** Rows per INSERT statement (default 1,000). */
  batch?: number
}

/** A PostgreSQL column of a copied table. */
interface PgColumn {
  name: string
  type: string
  identity: boolean
  pk: boolean
}

/** better-sqlite3, resolved from the Rivers package that depends on it (this package does not). */
function openSqlite(file: string): BetterSqlite3.Database {
  const require = createRequire(import.meta.url)
  const rivers = createRequire(require.resolve('@rivers-orchestrator/rivers/package.json'))
  const Database = rivers('better-sqlite3') as typeof BetterSqlite3
  return new Database(file, { readonly: true, fileMustExist: true })
}

/**
 * Copies the SQLite store file `sqliteFile` into the PostgreSQL store at `url` (migrated to the
 * current schema first), in one transaction. Running it again copies nothing; a target holding other
 * rows under the same keys is refused (`RIVERS_MIGRATE_CONFLICT`) with nothing written.
 *
 * @example
 * const done = await migrateFromSqlite('.rivers/rivers.db', 'postgres://rivers@db.internal/team')
 * for (const t of done.tables) console.log(`${t.table}: ${t.copied} of ${t.rows}`)
 */
export async function migrateFromSqlite(
  sqliteFile: string,
  url: string,
  options: MigrateOptions = {},
): Promise<SqliteMigration> {
  if (!existsSync(sqliteFile)) throw sqliteStoreMissing(sqliteFile)
  const batch = Math.max(1, options.batch ?? 1000)
  const sqlite = openSqlite(sqliteFile)
  const db = new Db(url, { max: 1 })
  // One snapshot of the SQLite side for the whole copy: a deferred transaction holds its first read
  // (the schema version, just below) until COMMIT; a run writing meanwhile does not show through.
  sqlite.exec('BEGIN')
  try {
    const version = sqlite.pragma('user_version', { simple: true }) as number
    const names = (
      sqlite.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as {
        name: string
      }[]
    ).map((r) => r.name)
    for (const name of names) {
      if (!MIGRATED_TABLES.includes(name) && name !== 'store_counters') throw unhandledTable(sqliteFile, name)
    }
    const pgVersion = await migrate(db)
    if (version !== pgVersion) throw sqliteVersionMismatch(sqliteFile, version, pgVersion)
    const pgColumns = await columnsOf(db)
    const tables = await db.tx(async (c) => {
      await c.query(`LOCK TABLE ${[...MIGRATED_TABLES, 'store_counters'].join(', ')} IN SHARE ROW EXCLUSIVE MODE`)
      const out: TableCopy[] = []
      const copiedKeys = new Map<string, Set<unknown>>()
      for (const table of MIGRATED_TABLES) {
        if (!names.includes(table)) continue
        const pg = pgColumns.get(table) ?? []
        out.push(await copyTable(c, sqlite, { file: sqliteFile, url, table, pg, batch, copiedKeys }))
      }
      if (names.includes('store_counters')) out.push(await mergeCounters(c, sqlite))
      await advanceSequences(c, pgColumns)
      return out
    }, 'the migration from SQLite')
    return { schemaVersion: pgVersion, tables, copied: tables.reduce((n, t) => n + t.copied, 0) }
  } finally {
    sqlite.exec('COMMIT')
    sqlite.close()
    await db.end()
  }
}

/** The columns of the store's tables in the current schema, with their types, identities and keys. */
async function columnsOf(db: Queryable): Promise<Map<string, PgColumn[]>> {
  const { rows } = await db.query<{ tbl: string; name: string; type: string; identity: string; pk: boolean }>(
    `SELECT c.relname AS tbl, a.attname AS name, format_type(a.atttypid, NULL) AS type,
            a.attidentity AS identity, coalesce(a.attnum = ANY (i.indkey), false) AS pk
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
        AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
  )
  const out = new Map<string, PgColumn[]>()
  for (const r of rows) {
    const list = out.get(r.tbl) ?? []
    list.push({ name: r.name, type: r.type, identity: r.identity !== '', pk: r.pk })
    out.set(r.tbl, list)
  }
  return out
}

/** What `copyTable` copies where, and the keys of the parent rows copied so far (filled by it). */
interface CopyJob {
  file: string
  url: string
  table: string
  pg: readonly PgColumn[]
  batch: number
  copiedKeys: Map<string, Set<unknown>>
}

/** Copies one table in batches; checks first that the rows the target holds under the same keys are the same. */
async function copyTable(c: Queryable, sqlite: BetterSqlite3.Database, job: CopyJob): Promise<TableCopy> {
  const { table, pg } = job
  const info = sqlite.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as { name: string }[]
  const columns: PgColumn[] = info.map(({ name }) => {
    const col = pg.find((p) => p.name === name)
    if (col === undefined) throw unhandledColumn(job.file, table, name)
    return col
  })
  const pk = pg.filter((p) => p.pk).map((p) => p.name)
  const natural = pk.length === 0
  const key = natural ? (NATURAL_KEYS[table] ?? []) : pk
  if (key.length === 0) throw unhandledTable(job.file, table)
  const withoutRowid = /WITHOUT\s+ROWID/i.test(
    (sqlite.prepare(`SELECT sql FROM sqlite_schema WHERE name = ?`).get(table) as { sql: string }).sql,
  )
  const list = columns.map((col) => `"${col.name}"`).join(', ')
  // Rowid order keeps the order of insertion (runs get their `seq` in it); metrics by record, so that
  // the rows of one record never straddle two batches (their key is checked against the target).
  const order = table === 'metrics' ? ' ORDER BY materialization_id, rowid' : withoutRowid ? '' : ' ORDER BY rowid'
  const statement = sqlite.prepare(`SELECT ${list} FROM "${table}"${order}`).raw(true)
  const source = `unnest(${columns.map((col, i) => `$${i + 1}::${col.type}[]`).join(', ')}) AS u(${list})`
  const match = key
    .map((k) => (natural ? `t."${k}" IS NOT DISTINCT FROM u."${k}"` : `t."${k}" = u."${k}"`))
    .join(' AND ')
  const compared = COMPARED[table] ?? columns.map((col) => col.name)
  const conflict =
    compared.length === 0
      ? undefined
      : `SELECT ${key.map((k) => `u."${k}"`).join(', ')} FROM ${source} JOIN "${table}" t ON ${match}
          WHERE (${compared.map((n) => `t."${n}"`).join(', ')}) IS DISTINCT FROM (${compared.map((n) => `u."${n}"`).join(', ')})
          LIMIT 1`
  const overriding = columns.some((col) => col.identity) ? ' OVERRIDING SYSTEM VALUE' : ''
  const newer = UPSERT_IF_NEWER[table]
  const onConflict =
    newer === undefined
      ? 'DO NOTHING'
      : `DO UPDATE SET (${list}) = (${columns.map((col) => `excluded."${col.name}"`).join(', ')})
          WHERE "${table}"."${newer}" < excluded."${newer}"`
  const parentKey = PARENT_KEYS[table]
  const insert = natural
    ? `INSERT INTO "${table}" (${list})${overriding} SELECT * FROM ${source}
        WHERE NOT EXISTS (SELECT 1 FROM "${table}" t WHERE ${match})`
    : `INSERT INTO "${table}" (${list})${overriding} SELECT * FROM ${source}
        ON CONFLICT (${pk.map((k) => `"${k}"`).join(', ')}) ${onConflict}${parentKey === undefined ? '' : ` RETURNING "${parentKey}" AS k`}`
  const copiedHere = new Set<unknown>()
  if (parentKey !== undefined) job.copiedKeys.set(table, copiedHere)
  const parent = PARENTS[table]
  const parentAt = parent === undefined ? -1 : columns.findIndex((col) => col.name === parent[0])
  const parentCopied = parent === undefined ? undefined : (job.copiedKeys.get(parent[1]) ?? new Set<unknown>())
  const booleans = columns.map((col) => col.type === 'boolean')
  let rows = 0
  let copied = 0
  let pending: unknown[][] = []
  const flush = async () => {
    if (pending.length === 0) return
    const arrays = columns.map((_, i) => pending.map((row) => (booleans[i] && row[i] !== null ? row[i] !== 0 : row[i])))
    const clash = conflict === undefined ? undefined : await c.query(conflict, arrays)
    if (clash !== undefined && clash.rows.length > 0) {
      throw targetHoldsOtherData(job.url, table, key, Object.values(clash.rows[0]!))
    }
    const done = await c.query<{ k: unknown }>(insert, arrays)
    copied += done.rowCount ?? 0
    for (const r of done.rows) copiedHere.add(r.k)
    pending = []
  }
  const group = table === 'metrics' ? columns.findIndex((col) => col.name === 'materialization_id') : -1
  for (const row of statement.iterate() as IterableIterator<unknown[]>) {
    rows++
    if (parentCopied !== undefined && !parentCopied.has(row[parentAt])) continue
    if (pending.length >= job.batch && (group < 0 || pending[pending.length - 1]![group] !== row[group])) await flush()
    pending.push(row)
  }
  await flush()
  return { table, rows, copied }
}

/** Merges the deletion counters: the target keeps the larger count of each (a cursor never goes back). */
async function mergeCounters(c: Queryable, sqlite: BetterSqlite3.Database): Promise<TableCopy> {
  const counters = sqlite.prepare('SELECT name, n FROM store_counters ORDER BY name').all() as {
    name: string
    n: number
  }[]
  const { rowCount } = await c.query(
    `INSERT INTO store_counters (name, n) SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT (name) DO UPDATE SET n = excluded.n WHERE store_counters.n < excluded.n`,
    [counters.map((r) => r.name), counters.map((r) => r.n)],
  )
  return { table: 'store_counters', rows: counters.length, copied: rowCount ?? 0 }
}

/** Moves each identity sequence past the largest id of its table (never back). */
async function advanceSequences(c: Queryable, pgColumns: ReadonlyMap<string, PgColumn[]>): Promise<void> {
  for (const table of MIGRATED_TABLES) {
    for (const col of pgColumns.get(table) ?? []) {
      if (!col.identity) continue
      await c.query(
        `SELECT setval(s.seq, m.top)
           FROM (SELECT pg_get_serial_sequence($1, $2)::regclass AS seq) s,
                (SELECT max("${col.name}") AS top FROM "${table}") m
          WHERE m.top IS NOT NULL AND m.top > coalesce(pg_sequence_last_value(s.seq), 0)`,
        [`"${table}"`, col.name],
      )
    }
  }
}
