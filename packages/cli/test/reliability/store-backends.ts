/**
 * The store backends the reliability suites (crash, concurrent runs) run on: the embedded SQLite
 * store always, and a PostgreSQL team store when RIVERS_TEST_PG_URL names a server (a fresh database
 * per project; required in CI, see `pgUnavailable`). Each gives the environment of the project's
 * `assets` processes and reads the store straight from its tables (no Rivers code involved) into the
 * same snapshot that `checkStore` checks.
 */
import path from 'node:path'
import pg from 'pg'
import { freshDatabase, pgUnavailable } from '../../../store-postgres/src/testing.js'
import { readStore, type StoreSnapshot, type StoredRecord } from './store-check.js'

/** One project's store on a backend. */
export interface BackendStore {
  /** Environment of the project's `assets` processes (selects the store). */
  env: Record<string, string>
  /** Reads the whole store. */
  read(): Promise<StoreSnapshot>
  /** Drops what the backend made for the project (the PostgreSQL database). */
  drop(): Promise<void>
}

/** A backend of the suites. */
export interface StoreBackend {
  name: 'sqlite' | 'postgres'
  /** The store of the project in `dir` (its outputs stay in `dir/.rivers/storage` either way). */
  open(dir: string): Promise<BackendStore>
}

const sqlite: StoreBackend = {
  name: 'sqlite',
  async open(dir) {
    return { env: {}, read: async () => readStore(path.join(dir, '.rivers')), drop: async () => {} }
  },
}

const postgres: StoreBackend = {
  name: 'postgres',
  async open() {
    const { url, drop } = await freshDatabase('rivers_reliability')
    return { env: { RIVERS_STORE_URL: url }, read: () => readPgStore(url), drop }
  },
}

/**
 * SQLite, and PostgreSQL when a test server is set (in CI it must be: `pgUnavailable` throws there).
 *
 * @example
 * describe.each(storeBackends())('$name', (backend) => { … })
 */
export function storeBackends(): StoreBackend[] {
  return pgUnavailable() === undefined ? [sqlite, postgres] : [sqlite]
}

const parse = (text: unknown): unknown => (text === null ? null : JSON.parse(text as string))

/**
 * The snapshot of a PostgreSQL store, read in one REPEATABLE READ transaction.
 *
 * @example
 * const snap = await readPgStore(url)
 */
export async function readPgStore(url: string): Promise<StoreSnapshot> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const q = async (sql: string) => (await c.query(sql)).rows as Record<string, unknown>[]
    const rows = await q(`SELECT id::int AS id, asset_key, kind, run_id, encode(data_version, 'hex') AS dv, storage_path
      FROM materializations ORDER BY id`)
    const inputs = await q(`SELECT materialization_id::int AS id, dep_key, encode(data_version, 'hex') AS dv
      FROM materialization_inputs ORDER BY materialization_id, position`)
    const byId = new Map<number, StoredRecord>()
    const records = rows.map((r) => {
      const rec: StoredRecord = {
        id: r.id as number,
        key: r.asset_key as string,
        kind: r.kind as StoredRecord['kind'],
        runId: r.run_id as string,
        dataVersion: r.dv as string,
        storagePath: (r.storage_path as string | null) ?? null,
        inputs: [],
      }
      byId.set(rec.id, rec)
      return rec
    })
    for (const i of inputs)
      byId.get(i.id as number)?.inputs.push({ key: i.dep_key as string, dataVersion: i.dv as string })
    const latest = new Map<string, StoredRecord>()
    for (const l of await q(`SELECT asset_key, materialization_id::int AS id FROM latest WHERE partition = ''`))
      latest.set(l.asset_key as string, byId.get(l.id as number)!)
    const runs = (
      await q('SELECT id, status, summary, started_at, finished_at FROM runs ORDER BY started_at, seq')
    ).map((r) => ({
      id: r.id as string,
      status: r.status as string,
      summary: parse(r.summary),
      startedAt: r.started_at as string,
      finishedAt: (r.finished_at as string | null) ?? null,
    }))
    const leases = (await q('SELECT asset_key, run_id FROM leases')).map((r) => ({
      key: r.asset_key as string,
      runId: r.run_id as string,
    }))
    const events = (await q('SELECT run_id, type, asset_key, data FROM events ORDER BY id')).map((r) => ({
      runId: r.run_id as string,
      type: r.type as string,
      key: (r.asset_key as string | null) ?? null,
      data: parse(r.data),
    }))
    await c.query('COMMIT')
    return { records, latest, runs, leases, events }
  } finally {
    await c.end()
  }
}
