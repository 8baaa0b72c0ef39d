/**
 * What is particular to SQLite about partitions: the chunked read of partitioned latest records
 * (chunks stitched in order, input partition lines kept aligned when they are empty), migration 7
 * on a version 6 store (input partitions filled from the inputs table) and its crash safety, and
 * the messages people read. The behaviour every store shares: conformance/src/store-partitions.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MIGRATIONS, migrate, SCHEMA_VERSION } from './migrations.js'
import { PartitionRecords } from './partition-records.js'
import { RecordsTable } from './records.js'
import { SqliteStore } from './sqlite-store.js'
import type { NewRecord } from './types.js'

const h = (n: number): Buffer => Buffer.alloc(16, n)
const T = '2026-01-01T00:00:00.000Z'

let tmp: string
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rivers-partitions-'))
})
afterEach(() => rmSync(tmp, { recursive: true, force: true }))

function memoryDb(): Database.Database {
  const db = new Database(':memory:')
  migrate(db)
  db.prepare("INSERT INTO runs (id, started_at, status, selection) VALUES ('r', '', 'running', '[]')").run()
  return db
}

const rec = (key: string, partition: string, data: number, inputs: NewRecord['inputs'] = []): NewRecord => ({
  runId: 'r',
  key,
  partition,
  codeVersion: h(1),
  configHash: h(2),
  dataVersion: h(data),
  inputs,
  startedAt: new Date(0),
  finishedAt: new Date(0),
})

describe('PartitionRecords.latest', () => {
  it.each([1, 2, 3, 100])('reads in chunks of %i rows, empty input partition lines aligned', (chunk) => {
    const db = memoryDb()
    const records = new RecordsTable(db, ':memory:')
    const days = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']
    records.insert(rec('raw', '', 1))
    days.forEach((day, i) => {
      // One unpartitioned input (an empty line alone), none, or a range and an unpartitioned input.
      const inputs = [
        [{ key: 'raw', dataVersion: h(1) }],
        [],
        [
          { key: 'events', partition: `2024-01-01...${day}`, dataVersion: h(i) },
          { key: 'raw', dataVersion: h(1) },
        ],
      ][i % 3]!
      records.insert(rec('events', day, 10 + i, inputs))
      records.insert(rec('daily', day, 20 + i, [{ key: 'raw', dataVersion: h(1) }]))
    })
    const p = new PartitionRecords(db, ':memory:', chunk).latest(['daily', 'events'])
    expect(p.count).toBe(10)
    expect(p.keys.split('\n')).toEqual([...days.map(() => 'daily'), ...days.map(() => 'events')])
    expect(p.partitions.split('\n')).toEqual([...days, ...days])
    expect([...p.inputCounts]).toEqual([1, 1, 1, 1, 1, 1, 0, 2, 1, 0])
    expect(p.inputKeys.split('\n')).toEqual(['raw', 'raw', 'raw', 'raw', 'raw', 'raw', 'events', 'raw', 'raw'])
    expect(p.inputPartitions.split('\n')).toEqual(['', '', '', '', '', '', '2024-01-01...2024-01-03', '', ''])
    expect(p.dataVersions.equals(Buffer.concat([20, 21, 22, 23, 24, 10, 11, 12, 13, 14].map(h)))).toBe(true)
    expect(p.inputVersions.equals(Buffer.concat([1, 1, 1, 1, 1, 1, 2, 1, 1].map(h)))).toBe(true)
    db.close()
  })

  it('reads one record with one unpartitioned input as one empty line, and nothing as no line', () => {
    const db = memoryDb()
    new RecordsTable(db, ':memory:').insert(rec('events', '2024-01-01', 1, [{ key: 'raw', dataVersion: h(1) }]))
    const reader = new PartitionRecords(db, ':memory:')
    const one = reader.latest(['events'])
    expect([one.count, one.inputKeys, one.inputPartitions, one.partitions]).toEqual([1, 'raw', '', '2024-01-01'])
    const none = reader.latest(['nothing'])
    expect([none.count, none.keys, none.partitions, none.inputPartitions]).toEqual([0, '', '', ''])
    db.close()
  })

  it('refuses partition keys the packed columns cannot hold', () => {
    const db = memoryDb()
    const records = new RecordsTable(db, ':memory:')
    expect(() => records.insert(rec('events', '2024\n01', 1))).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Partition of asset 'events' must be a string without newlines or NUL characters, got "2024\\n01". Pass the partition key as the partition definition prints it.]`,
    )
    expect(() => records.insert(rec('events', 'a', 1, [{ key: 'raw', partition: 'x\0', dataVersion: h(1) }]))).toThrow(
      /Partition of input 'raw' of asset 'events'/,
    )
    db.close()
  })
})

describe('RecordsTable.latestPacked beside partitioned assets', () => {
  it.each([1, 2, 3, 100])('skips every partition and keeps key order, chunks of %i', (chunk) => {
    const db = memoryDb()
    const records = new RecordsTable(db, ':memory:', chunk)
    // Partitioned assets first, last, in between, with and without an unpartitioned row of their own.
    for (const day of ['2024-01-01', '2024-01-02', '2024-01-03']) {
      for (const key of ['a', 'c', 'd', 'z']) records.insert(rec(key, day, 50))
    }
    const plain = ['b', 'bb', 'c', 'ca', 'cb', 'e', 'f', 'y']
    plain.forEach((key, i) =>
      records.insert(rec(key, '', i, [{ key: 'a', partition: '2024-01-01', dataVersion: h(50) }])),
    )
    const p = records.latestPacked()
    expect(p.keys.split('\n')).toEqual(plain)
    expect(p.dataVersions.equals(Buffer.concat(plain.map((_, i) => h(i))))).toBe(true)
    expect(p.inputKeys.split('\n')).toEqual(plain.map(() => 'a'))
    expect(new PartitionRecords(db, ':memory:', chunk).latest(['a', 'c', 'd', 'z']).count).toBe(12)
    db.close()
  })
})

/** A version 6 store file with partitioned and unpartitioned latest rows, written as Rivers 6 did. */
function version6Store(file: string): void {
  const db = new Database(file)
  migrate(
    db,
    MIGRATIONS.filter((m) => m.version <= 6),
  )
  db.prepare("INSERT INTO runs (id, started_at, status, selection) VALUES ('r', '', 'success', '[]')").run()
  // RecordsTable of version 6 wrote latest without input partitions; write the same rows by hand.
  const insert = (id: number, key: string, partition: string, inputs: [string, string][]): void => {
    db.prepare(
      `INSERT INTO materializations (id, run_id, asset_key, partition, code_version, config_hash, data_version,
         started_at, finished_at, duration_ms) VALUES (?, 'r', ?, ?, ?, ?, ?, ?, ?, 0)`,
    ).run(id, key, partition, h(1), h(2), h(id), T, T)
    inputs.forEach(([dep, depPartition], position) =>
      db
        .prepare('INSERT INTO materialization_inputs VALUES (?, ?, ?, ?, ?)')
        .run(id, position, dep, depPartition, h(9)),
    )
    db.prepare(
      `INSERT INTO latest (asset_key, partition, materialization_id, kind, code_version, config_hash, data_version,
         input_count, input_keys, input_versions, run_id, finished_at) VALUES (?, ?, ?, 'materialization', ?, ?, ?, ?, ?, ?, 'r', ?)`,
    ).run(
      key,
      partition,
      id,
      h(1),
      h(2),
      h(id),
      inputs.length,
      inputs.length === 0 ? null : inputs.map(([k]) => k).join('\n'),
      inputs.length === 0 ? null : Buffer.concat(inputs.map(() => h(9))),
      T,
    )
  }
  insert(1, 'raw', '', [])
  insert(2, 'report', '', [['raw', '']])
  insert(3, 'events', '2024-01-02', [
    ['raw', ''],
    ['events', '2024-01-01'],
  ])
  insert(4, 'model', '', [['events', '2024-01-01...2024-01-02']])
  db.close()
}

describe('migration 7', () => {
  it('migrates a version 6 store: input partitions filled, new tables usable', async () => {
    const file = join(tmp, 'rivers.db')
    version6Store(file)
    const store = SqliteStore.open(tmp)
    try {
      const db = new Database(file, { readonly: true })
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
      const rows = db.prepare('SELECT asset_key, input_partitions FROM latest ORDER BY asset_key').raw().all()
      expect(rows).toEqual([
        ['events', '\n2024-01-01'],
        ['model', '2024-01-01...2024-01-02'],
        ['raw', null],
        ['report', null],
      ])
      db.close()
      expect((await store.latestRecordsPacked()).keys).toBe('model\nraw\nreport')
      const p = await store.latestPartitionRecords(['events'])
      expect([p.count, p.partitions, p.inputKeys, p.inputPartitions]).toEqual([
        1,
        '2024-01-02',
        'raw\nevents',
        '\n2024-01-01',
      ])
      expect(await store.addDynamicPartitions('customers', ['acme'])).toBe(1)
      await store.createBackfill({ id: 'bf', selection: ['events'], ranges: {}, batch: 1, planned: { events: 2 } })
      expect((await store.backfill('bf')).progress).toEqual([{ key: 'events', planned: 2, done: 0, failed: 0 }])
    } finally {
      await store.close()
    }
  })

  it('leaves a version 6 store as it was when the migration fails half way', () => {
    const file = join(tmp, 'rivers.db')
    version6Store(file)
    const seven = MIGRATIONS.find((m) => m.version === 7)!
    const broken = [
      ...MIGRATIONS.filter((m) => m.version < 7),
      { ...seven, sql: `${seven.sql}\nSELECT * FROM nowhere;` },
    ]
    const db = new Database(file)
    expect(() => migrate(db, broken)).toThrow(/no such table: nowhere/)
    expect(db.pragma('user_version', { simple: true })).toBe(6)
    const columns = db.prepare("SELECT name FROM pragma_table_info('latest')").pluck().all()
    expect(columns).not.toContain('input_partitions')
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'backfills'").pluck().get()).toBe(0)
    migrate(db)
    expect(db.prepare("SELECT input_partitions FROM latest WHERE asset_key = 'events'").pluck().get()).toBe(
      '\n2024-01-01',
    )
    db.close()
  })
})

describe('messages', () => {
  it('names the set, the key and the nearest key; the backfill id and recent ones', async () => {
    const store = SqliteStore.open(tmp)
    const message = async (p: Promise<unknown>): Promise<string> => {
      const e = await p.then(
        () => new Error('did not throw'),
        (error: Error) => error,
      )
      return `${e.name}: ${e.message.replaceAll(tmp, '<tmp>')}`
    }
    try {
      await store.addDynamicPartitions('customers', ['acme', 'globex'])
      expect(await message(store.removeDynamicPartitions('customers', ['acmee']))).toMatchInlineSnapshot(
        `"RiversError: The dynamic partition set 'customers' has no key 'acmee'. Did you mean 'acme'? List its keys with \`assets partitions\` on an asset of the set; nothing was removed."`,
      )
      expect(await message(store.addDynamicPartitions('customers', ['']))).toMatchInlineSnapshot(
        `"RiversError: A key of the dynamic partition set 'customers' (non-empty) must be a string without newlines or NUL characters, got "". Pass the partition key as the partition definition prints it."`,
      )
      expect(await message(store.backfill('bf-9'))).toMatchInlineSnapshot(
        `"RiversError: Backfill 'bf-9' does not exist in the store <tmp>/rivers.db. There is no backfill yet. Run \`assets backfills\` to list them and pass one of their ids to --resume."`,
      )
      await store.createBackfill({ id: 'bf-1', selection: [], ranges: {}, batch: 1, planned: {} })
      expect(await message(store.backfill('bf-9'))).toMatchInlineSnapshot(
        `"RiversError: Backfill 'bf-9' does not exist in the store <tmp>/rivers.db. Recent backfills: bf-1. Run \`assets backfills\` to list them and pass one of their ids to --resume."`,
      )
      const again = store.createBackfill({ id: 'bf-1', selection: [], ranges: {}, batch: 1, planned: {} })
      expect(await message(again)).toMatchInlineSnapshot(
        `"RiversError: Backfill 'bf-1' already exists in the store <tmp>/rivers.db. Use a fresh id for every backfill, or resume it with \`assets backfill --resume bf-1\`."`,
      )
    } finally {
      await store.close()
    }
  })
})
