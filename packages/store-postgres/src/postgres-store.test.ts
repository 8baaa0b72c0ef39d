/**
 * The PostgreSQL store against a real server (RIVERS_TEST_PG_URL; `.ci/run` starts one): the whole
 * `Store` conformance suite (runs, records, history, wipe, artifacts, automation, partitions,
 * partition leases, leases, jobs) on a fresh database per test, and what is particular to this store:
 * query and connection counts, migrations under concurrency, error messages.
 */
import { storeConformance } from '@rivers-orchestrator/conformance'
import { describe, expect, it } from 'vitest'
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from './migrations.js'
import { PostgresStore } from './postgres-store.js'
import { freshDatabase, pgUnavailable } from './testing.js'

const skip = pgUnavailable() !== undefined
const h = (n: number): Buffer => Buffer.alloc(16, n)

describe.skipIf(skip)('PostgresStore', () => {
  storeConformance('PostgresStore', async () => {
    const { url, drop } = await freshDatabase()
    return { store: await PostgresStore.open(url), cleanup: drop }
  })

  it('reads every latest record in ONE query, and writes a record, or a batch of them, in one', async () => {
    const { url, drop } = await freshDatabase()
    const store = await PostgresStore.open(url)
    try {
      await store.beginRun({ id: 'r1', selection: ['*'], force: false })
      const n = 300
      const base = store.stats().queries
      await store.recordMaterializations(
        Array.from({ length: n }, (_, i) => ({
          runId: 'r1',
          key: `asset_${String(i).padStart(4, '0')}`,
          codeVersion: h(1),
          configHash: h(2),
          dataVersion: h(i % 256),
          inputs: i === 0 ? [] : [{ key: `asset_${String(i - 1).padStart(4, '0')}`, dataVersion: h((i - 1) % 256) }],
          startedAt: new Date(0),
          finishedAt: new Date(1),
        })),
      )
      expect(store.stats().queries - base).toBe(4) // BEGIN, the runs check, ONE insert statement, COMMIT
      const before = store.stats().queries
      await store.recordMaterialization({
        runId: 'r1',
        key: 'one_more',
        codeVersion: h(1),
        configHash: h(2),
        dataVersion: h(3),
        inputs: [],
        startedAt: new Date(0),
        finishedAt: new Date(1),
      })
      expect(store.stats().queries - before).toBe(1)
      const reads = store.stats().queries
      const latest = await store.latestRecords()
      expect(store.stats().queries - reads).toBe(1)
      expect(latest.keys).toHaveLength(n + 1)
      expect(latest.depKeys).toHaveLength(n - 1)
      await store.latestRecordsPacked()
      expect(store.stats().queries - reads).toBe(2)
    } finally {
      await store.close()
      await drop()
    }
  })

  it('writes a batch in order: ids ascending, inputs and metrics on their records, the last of an asset latest', async () => {
    const { url, drop } = await freshDatabase()
    const store = await PostgresStore.open(url)
    try {
      await store.beginRun({ id: 'r1', selection: ['*'], force: false })
      await store.beginRun({ id: 'r2', selection: ['*'], force: false })
      const single = await store.recordMaterialization({
        runId: 'r1',
        key: 'raw',
        codeVersion: h(1),
        configHash: h(2),
        dataVersion: h(1),
        inputs: [],
        startedAt: new Date(0),
        finishedAt: new Date(1),
      })
      const rec = (key: string, data: number, runId: string, inputs: [string, number][], metric: number) => ({
        runId,
        key,
        codeVersion: h(1),
        configHash: h(2),
        dataVersion: h(data),
        inputs: inputs.map(([k, v]) => ({ key: k, dataVersion: h(v) })),
        startedAt: new Date(0),
        finishedAt: new Date(1),
        metrics: [
          { name: 'rows', value: metric },
          { name: 'loss', value: Number.NaN, step: 1 },
        ],
      })
      const ids = await store.recordMaterializations([
        rec('a', 10, 'r1', [['raw', 1]], 100),
        rec('b', 20, 'r2', [], 200),
        rec(
          'a',
          11,
          'r2',
          [
            ['raw', 1],
            ['b', 20],
          ],
          101,
        ),
      ])
      expect(ids).toEqual([single + 1, single + 2, single + 3])
      const latest = await store.latestRecords()
      expect(latest.keys).toEqual(['a', 'b', 'raw'])
      expect(latest.runIds).toEqual(['r2', 'r2', 'r1'])
      expect(latest.depKeys).toEqual(['raw', 'b'])
      expect(latest.dataVersions.subarray(0, 16).equals(h(11))).toBe(true)
      const [newest, oldest] = await store.assetHistory('a')
      expect(newest).toMatchObject({ id: ids[2], isLatest: true, inputs: [{ key: 'raw' }, { key: 'b' }] })
      expect(newest?.metrics.map((m) => [m.name, m.value])).toEqual([
        ['loss', Number.NaN],
        ['rows', 101],
      ])
      expect(oldest).toMatchObject({ id: ids[0], isLatest: false, inputs: [{ key: 'raw' }] })
      expect(
        (await store.runEvents('r2')).map((e) => [e.key, (e.data as { materializationId: number }).materializationId]),
      ).toEqual([
        ['b', ids[1]],
        ['a', ids[2]],
      ])
      // A later single record still gets a higher id than the batch.
      expect(await store.recordMaterialization({ ...rec('c', 1, 'r1', [], 1), metrics: [] })).toBe(single + 4)
    } finally {
      await store.close()
      await drop()
    }
  })

  it('never holds more connections than its pool bound, however many calls are in flight', async () => {
    const { url, drop } = await freshDatabase()
    const store = await PostgresStore.open(url, { pool: { max: 3 } })
    try {
      await store.beginRun({ id: 'r1', selection: [], force: false })
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          store.tryAcquireLease(`a${i}`, 'r1', 60_000).then(() => store.latestRecords()),
        ),
      )
      expect(store.stats()).toMatchObject({ maxConnections: 3 })
      expect(store.stats().peakConnections).toBeLessThanOrEqual(3)
      expect(store.stats().peakConnections).toBeGreaterThan(0)
      expect((await store.activeLeases()).length).toBe(60)
    } finally {
      await store.close()
      await drop()
    }
  })

  it('migrates a fresh database once when several processes open it at the same time', async () => {
    const { url, drop } = await freshDatabase()
    try {
      const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresStore.open(url, { pool: { max: 1 } })))
      await Promise.all(stores.map((s) => s.close()))
      const check = await PostgresStore.open(url, { pool: { max: 1 } })
      // An up-to-date database is opened with one query (the version check).
      expect(check.stats().queries).toBe(1)
      await check.close()
      const pg = (await import('pg')).default
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      const { rows } = await c.query('SELECT version FROM rivers_schema_migrations ORDER BY version')
      await c.end()
      // Each migration once, in order.
      expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version))
      expect(rows.at(-1)?.version).toBe(PG_SCHEMA_VERSION)
    } finally {
      await drop()
    }
  })

  it('refuses a database migrated by a newer Rivers, and names an unreachable server without its password', async () => {
    const { url, drop } = await freshDatabase()
    try {
      const store = await PostgresStore.open(url)
      await store.close()
      const pg = (await import('pg')).default
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query(`INSERT INTO rivers_schema_migrations (version, name) VALUES (${PG_SCHEMA_VERSION + 1}, 'future')`)
      await c.end()
      await expect(PostgresStore.open(url)).rejects.toThrow(
        expect.objectContaining({
          code: 'RIVERS_STORE_TOO_NEW',
          message: expect.stringMatching(/newer Rivers.*Upgrade/),
        }),
      )
    } finally {
      await drop()
    }
    const err = await PostgresStore.open('postgres://rivers:s3cret@127.0.0.1:1/team', {
      pool: { connectionTimeoutMillis: 2_000 },
    }).then(
      () => new Error('opened'),
      (e: unknown) => e as Error,
    )
    expect(err).toMatchObject({ code: 'RIVERS_STORE_UNREACHABLE' })
    expect(err.message).toContain('postgres://rivers:***@127.0.0.1:1/team')
    expect(err.message).not.toContain('s3cret')
  })
})

describe.skipIf(!skip)('PostgresStore without a server', () => {
  it('is skipped here because RIVERS_TEST_PG_URL is unset (CI fails instead)', () => {
    expect(pgUnavailable()).toMatch(/RIVERS_TEST_PG_URL/)
  })
})
