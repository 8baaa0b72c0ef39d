import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WriteBatch } from './write-batch.js'

let db: Database.Database
let batch: WriteBatch
const insert = (x: number) => () => db.prepare('INSERT INTO t (x) VALUES (?)').run(x).lastInsertRowid
const rows = () => db.prepare('SELECT x FROM t ORDER BY x').pluck().all()
const translate = (e: unknown) => new Error(`translated: ${(e as Error).message}`)

beforeEach(() => {
  db = new Database(':memory:')
  db.exec('CREATE TABLE t (x INTEGER UNIQUE)')
  batch = new WriteBatch(db, translate)
})
afterEach(() => db.close())

describe('WriteBatch', () => {
  it('commits the writes queued in one turn together, each resolving after the commit', async () => {
    const queued = [batch.later(insert(1)), batch.later(insert(2)), batch.later(insert(3))]
    expect(rows()).toEqual([]) // nothing before the turn ends
    expect(await Promise.all(queued)).toEqual([1, 2, 3])
    expect(rows()).toEqual([1, 2, 3])
    expect(batch.commits).toBe(1)
    await batch.later(insert(4))
    expect(batch.commits).toBe(2)
  })

  it('rejects a failing write alone (its savepoint rolls back) and commits the others', async () => {
    await batch.later(insert(1))
    const partial = () => {
      insert(7)()
      return insert(1)() // duplicate: the whole write, 7 included, is undone
    }
    const results = await Promise.allSettled([batch.later(insert(2)), batch.later(partial), batch.later(insert(3))])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(((results[1] as PromiseRejectedResult).reason as Error).message).toMatch(/^translated: UNIQUE constraint/)
    expect(rows()).toEqual([1, 2, 3])
  })

  it('a one-statement write (no savepoint) that fails is rejected alone, as a write with a savepoint is', async () => {
    await batch.later(insert(1))
    const one = (x: number) => () => db.prepare('INSERT INTO t (x) VALUES (?)').run(x).changes
    const results = await Promise.allSettled([
      batch.laterOne(one(2)),
      batch.laterOne(one(1)), // duplicate: SQLite undoes this statement alone
      batch.later(insert(3)),
      batch.laterOne(one(4)),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect(((results[1] as PromiseRejectedResult).reason as Error).message).toMatch(/^translated: UNIQUE constraint/)
    expect(rows()).toEqual([1, 2, 3, 4])
    expect(batch.commits).toBe(2)
  })

  it('a lone failing write is rejected, translated, and stores nothing', async () => {
    await expect(batch.later(() => db.prepare('INSERT INTO nope VALUES (1)').run())).rejects.toThrow(
      /^translated: no such table/,
    )
    expect(rows()).toEqual([])
  })

  it('commits the queue before a write that is not queued (program order) and on flush', async () => {
    const first = batch.later(insert(1))
    batch.now(() => expect(rows()).toEqual([1]))
    await first
    void batch.later(insert(2))
    batch.flush()
    expect(rows()).toEqual([1, 2])
  })

  it('fails the whole batch when the transaction cannot begin, rejecting every write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivers-batch-'))
    try {
      const file = join(dir, 'db.sqlite')
      const mine = new Database(file, { timeout: 0 })
      mine.exec('CREATE TABLE t (x INTEGER UNIQUE)')
      const other = new Database(file)
      other.exec('BEGIN IMMEDIATE') // another connection holds the write lock: BEGIN IMMEDIATE is busy
      const mineBatch = new WriteBatch(mine, translate)
      const ins = (x: number) => () => mine.prepare('INSERT INTO t (x) VALUES (?)').run(x)
      const results = await Promise.allSettled([mineBatch.later(ins(1)), mineBatch.later(ins(2))])
      other.exec('ROLLBACK')
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
      expect(((results[0] as PromiseRejectedResult).reason as Error).message).toMatch(/^translated: database is locked/)
      expect(mine.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0)
      expect(mineBatch.commits).toBe(0)
      other.close()
      mine.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
