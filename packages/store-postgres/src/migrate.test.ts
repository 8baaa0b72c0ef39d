/**
 * `migrateFromSqlite` against a real server (RIVERS_TEST_PG_URL): a SQLite store filled through the
 * real engine (partitions, metrics, params, a check, a pin, a tick) is copied, then read back through
 * PostgresStore: the same latest records, histories, runs, pins and ticks; the sequences continue past
 * the copied ids; a second migration copies nothing; a target holding other data, and a SQLite table
 * the migration does not know, are refused with nothing written.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { asset, check, defineProject, mapped, openWorkspace, staticPartitions, when } from '@rivers-orchestrator/rivers'
import { SqliteStore, type Store } from '@rivers-orchestrator/rivers/plugin'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { migrateFromSqlite } from './migrate-from-sqlite.js'
import { PostgresStore } from './postgres-store.js'
import { freshDatabase, pgUnavailable } from './testing.js'

const skip = pgUnavailable() !== undefined
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** raw -> day (3 regions, a metric each) -> total (every day, with a config and a check); eager. */
function project() {
  const raw = asset({ key: 'raw', checks: [check('not_empty', (v: number[]) => v.length > 0)] }, () => [1, 2, 3])
  const regions = staticPartitions(['eu', 'us', 'asia'])
  const day = asset({ key: 'day', partitions: regions, deps: { raw } }, ({ raw }, ctx) => {
    const v = raw.length * (ctx.partition!.key.length + 1)
    ctx.addMetric('size', v)
    ctx.addMetric('loss', v / 2, 1)
    ctx.addMetric('loss', v / 4, 2)
    return v
  })
  const total = asset(
    {
      key: 'total',
      deps: { days: mapped(day) },
      config: z.object({ scale: z.number().default(2) }),
      automation: when.eager(),
      model: true,
    },
    ({ days }, ctx) => Object.values(days).reduce((a, b) => a + b, 0) * ctx.config.scale,
  )
  return defineProject({ assets: [raw, total] })
}

/** A SQLite store filled through the engine: two runs, a pin, a model alias (and its pin), a stored tick. Returns its file. */
async function filledStore(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rivers-migrate-'))
  dirs.push(dir)
  const storeDir = path.join(dir, '.rivers')
  const ws = await openWorkspace(project(), { projectDir: dir, storeDir, logLevel: 'silent' })
  try {
    expect((await ws.materialize()).status).toBe('success')
    expect((await ws.materialize({ select: ['total'], force: true, config: { total: { scale: 3 } } })).status).toBe(
      'success',
    )
    await ws.pin('total', { note: 'reported' })
    await ws.models.promote('total', { alias: 'champion', version: 1, reason: 'first' })
    await ws.tick()
  } finally {
    await ws.close()
  }
  return path.join(storeDir, 'rivers.db')
}

/** What a reader sees of a store: the same on both sides of a migration. */
async function view(store: Store) {
  const latest = await store.latestRecords()
  const histories: Record<string, unknown> = {}
  for (const [key, partition] of [
    ['raw', ''],
    ['total', ''],
    ['day', 'eu'],
    ['day', 'asia'],
  ] as const) {
    histories[`${key}/${partition}`] = await store.assetHistory(key, partition === '' ? {} : { partition })
  }
  return {
    latest,
    histories,
    runs: await store.listRuns(),
    pins: await store.pins(),
    aliases: await store.modelAliasMoves?.('total'),
    ticks: (await store.automationTicks()).length,
    metrics: await store.metricHistory('day', 'loss', { partition: 'us' }),
  }
}

describe.skipIf(skip)('migrateFromSqlite', () => {
  let file: string
  beforeAll(async () => {
    file = await filledStore()
  }, 60_000)

  it('copies every table with its ids; PostgresStore then reads what SqliteStore reads; a second run copies nothing', {
    timeout: 60_000,
  }, async () => {
    const { url, drop } = await freshDatabase()
    const sqlite = SqliteStore.open(path.dirname(file))
    try {
      const first = await migrateFromSqlite(file, url, { batch: 2 })
      const byTable = Object.fromEntries(first.tables.map((t) => [t.table, t]))
      for (const t of first.tables) if (t.table !== 'store_counters') expect(t.copied, t.table).toBe(t.rows)
      expect(byTable.materializations!.rows).toBe(6) // raw, day × 3, total twice
      expect(byTable.metrics!.rows).toBe(9)
      expect(byTable.pins!.rows).toBe(2)
      expect(byTable.model_alias_moves!.rows).toBe(1)
      expect(byTable.automation_ticks!.rows).toBe(1)
      expect(byTable.materialization_params!.rows).toBeGreaterThanOrEqual(2)
      expect(byTable.check_results!.rows).toBeGreaterThanOrEqual(1)

      const again = await migrateFromSqlite(file, url)
      expect(again.copied).toBe(0)
      expect(again.tables.map((t) => t.rows)).toEqual(first.tables.map((t) => t.rows))

      const pg = await PostgresStore.open(url, { pool: { max: 2 } })
      try {
        const expected = await view(sqlite)
        expect(expected.runs.length).toBeGreaterThanOrEqual(2)
        expect(await view(pg)).toEqual(expected)
        // The sequences continue past the copied ids.
        const maxId = byTable.materializations!.rows // ids 1..n: nothing was deleted
        await pg.beginRun({ id: 'after-migration', selection: ['*'], force: false })
        const id = await pg.recordMaterialization({
          runId: 'after-migration',
          key: 'raw',
          codeVersion: Buffer.alloc(16, 1),
          configHash: Buffer.alloc(16, 2),
          dataVersion: Buffer.alloc(16, 3),
          inputs: [],
          startedAt: new Date(0),
          finishedAt: new Date(1),
        })
        expect(id).toBeGreaterThan(maxId)
        expect(await pg.appendEvent('after-migration', 'note')).toBeGreaterThan(byTable.events!.rows)
        // The team store moves on: a pin removed, an asset wiped, a run finished.
        expect(await pg.unpin('total')).toBe(2) // the note's pin and the champion's
        expect(await pg.wipe(['day'])).toBe(3)
        await pg.finishRun('after-migration', 'success', {})
      } finally {
        await pg.close()
      }

      // Migrating again copies nothing, and undoes nothing the team store did since.
      const third = await migrateFromSqlite(file, url)
      expect(third.copied).toBe(0)
      const after = await PostgresStore.open(url, { pool: { max: 1 } })
      try {
        expect(await after.pins()).toEqual([])
        expect((await after.latestRecords()).keys).toEqual(['raw', 'total'])
        expect((await after.currentRecord('raw'))?.runId).toBe('after-migration')
      } finally {
        await after.close()
      }
    } finally {
      await sqlite.close()
      await drop()
    }
  })

  it('refuses a target holding other rows under the same ids, writing nothing', { timeout: 60_000 }, async () => {
    const { url, drop } = await freshDatabase()
    try {
      const pg = await PostgresStore.open(url, { pool: { max: 1 } })
      try {
        await pg.beginRun({ id: 'elsewhere', selection: ['*'], force: false })
        await pg.recordMaterialization({
          runId: 'elsewhere',
          key: 'other',
          codeVersion: Buffer.alloc(16, 1),
          configHash: Buffer.alloc(16, 2),
          dataVersion: Buffer.alloc(16, 3),
          inputs: [],
          startedAt: new Date(0),
          finishedAt: new Date(1),
        })
      } finally {
        await pg.close()
      }
      const failure = await migrateFromSqlite(file, url).catch((e: unknown) => e as Error & { code: string })
      expect(failure).toBeInstanceOf(Error)
      expect((failure as { code: string }).code).toBe('RIVERS_MIGRATE_CONFLICT')
      expect((failure as Error).message).toContain('"materializations" under id = 1')
      expect((failure as Error).message).toContain('nothing was written')
      const after = await PostgresStore.open(url, { pool: { max: 1 } })
      try {
        expect((await after.listRuns()).map((r) => r.id)).toEqual(['elsewhere'])
        expect((await after.latestRecords()).keys).toEqual(['other'])
      } finally {
        await after.close()
      }
    } finally {
      await drop()
    }
  })

  it('refuses a SQLite table or column it does not know, or another schema version, naming it, writing nothing', {
    timeout: 30_000,
  }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rivers-migrate-extra-'))
    dirs.push(dir)
    const copy = path.join(dir, 'rivers.db')
    copyFileSync(file, copy)
    const db = new Database(copy)
    db.exec('CREATE TABLE lineage_notes (id INTEGER PRIMARY KEY, note TEXT)')
    db.close()
    const { url, drop } = await freshDatabase()
    try {
      await expect(migrateFromSqlite(copy, url)).rejects.toThrow(/table "lineage_notes" that the migration/)
      const pg = await PostgresStore.open(url, { pool: { max: 1 } })
      try {
        expect(await pg.listRuns()).toEqual([])
      } finally {
        await pg.close()
      }
      await expect(migrateFromSqlite(path.join(dir, 'missing.db'), url)).rejects.toThrow(/no SQLite store to migrate/)

      const column = path.join(dir, 'column.db')
      copyFileSync(file, column)
      const withColumn = new Database(column)
      withColumn.exec('ALTER TABLE runs ADD COLUMN labels TEXT')
      withColumn.close()
      await expect(migrateFromSqlite(column, url)).rejects.toThrow(
        /column runs\.labels that the PostgreSQL table "runs" lacks/,
      )

      const older = path.join(dir, 'older.db')
      copyFileSync(file, older)
      const old = new Database(older)
      old.pragma('user_version = 6')
      old.close()
      await expect(migrateFromSqlite(older, url)).rejects.toThrow(
        /schema version 6, and the PostgreSQL store is at version 8/,
      )
      const still = await PostgresStore.open(url, { pool: { max: 1 } })
      try {
        expect(await still.listRuns()).toEqual([])
      } finally {
        await still.close()
      }
    } finally {
      await drop()
    }
  })
})
