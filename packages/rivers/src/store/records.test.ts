import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate } from './migrations.js'
import { RecordsTable } from './records.js'

const h = (n: number): Buffer => Buffer.alloc(16, n)

describe('RecordsTable.latest', () => {
  it.each([1, 2, 3, 100])('reads in chunks of %i rows and stitches them in order', (chunk) => {
    const db = new Database(':memory:')
    migrate(db)
    db.prepare("INSERT INTO runs (id, started_at, status, selection) VALUES ('r', '', 'running', '[]')").run()
    const records = new RecordsTable(db, ':memory:', chunk)
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g']
    keys.forEach((key, i) =>
      records.insert({
        runId: 'r',
        key,
        codeVersion: h(i),
        configHash: h(0),
        dataVersion: h(100 + i),
        inputs: keys.slice(0, i % 3).map((dep, j) => ({ key: dep, dataVersion: h(200 + j) })),
        startedAt: new Date(0),
        finishedAt: new Date(0),
      }),
    )
    const l = records.latest()
    expect(l.keys).toEqual(keys)
    expect([...l.depOffsets]).toEqual([0, 0, 1, 3, 3, 4, 6, 6])
    expect(l.depKeys).toEqual(['a', 'a', 'b', 'a', 'a', 'b'])
    expect(l.dataVersions.equals(Buffer.concat(keys.map((_, i) => h(100 + i))))).toBe(true)
    expect(l.codeVersions.equals(Buffer.concat(keys.map((_, i) => h(i))))).toBe(true)
    expect(l.depVersions.equals(Buffer.concat([200, 200, 201, 200, 200, 201].map(h)))).toBe(true)
    expect(l.runIds).toEqual(keys.map(() => 'r'))
    db.close()
  })

  it('refuses keys the packed columns cannot hold', () => {
    const db = new Database(':memory:')
    migrate(db)
    db.prepare("INSERT INTO runs (id, started_at, status, selection) VALUES ('r', '', 'running', '[]')").run()
    const records = new RecordsTable(db, ':memory:')
    const rec = {
      runId: 'r',
      codeVersion: h(0),
      configHash: h(0),
      dataVersion: h(0),
      startedAt: new Date(0),
      finishedAt: new Date(0),
    }
    expect(() => records.insert({ ...rec, key: 'a\nb', inputs: [] })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset key must be a non-empty string without newlines or NUL characters, got "a\\nb". Asset keys are segments of A-Z a-z 0-9 _ - . joined by /.]`,
    )
    expect(() => records.insert({ ...rec, key: 'x', inputs: [{ key: '', dataVersion: h(0) }] })).toThrow(
      /Input key of asset 'x' must be a non-empty string/,
    )
    db.close()
  })
})
