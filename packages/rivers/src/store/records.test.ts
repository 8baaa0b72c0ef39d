import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate } from './migrations.js'
import { packLatest, stitchChunks, unpackLatest } from './latest-packed.js'
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

describe('RecordsTable.latestPacked', () => {
  it.each([1, 3, 1000])('hands hashes over byte for byte (NUL and non-UTF-8 bytes included), chunks of %i', (chunk) => {
    const db = new Database(':memory:')
    migrate(db)
    db.prepare("INSERT INTO runs (id, started_at, status, selection) VALUES ('r', '', 'running', '[]')").run()
    const records = new RecordsTable(db, ':memory:', chunk)
    // Bytes a text round trip would mangle: NULs, lone continuation bytes, surrogate encodings, 0xff.
    const odd = (i: number): Buffer =>
      Buffer.from([0, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xff, i, 0, 0, 0x80, 0xfe, 0, i, 0, 0])
    const keys = ['a', 'b', 'c', 'd', 'e']
    keys.forEach((key, i) =>
      records.insert({
        runId: 'r',
        key,
        kind: i === 0 ? 'observation' : 'materialization',
        codeVersion: odd(i),
        configHash: h(0),
        dataVersion: odd(100 + i),
        inputs: keys.slice(0, i % 3).map((dep, j) => ({ key: dep, dataVersion: odd(200 + j) })),
        startedAt: new Date(0),
        finishedAt: new Date(i * 1000),
      }),
    )
    const p = records.latestPacked()
    expect(p.count).toBe(5)
    expect(p.keys).toBe('a\nb\nc\nd\ne')
    expect([...p.inputCounts]).toEqual([0, 1, 2, 0, 1])
    expect(p.inputKeys).toBe('a\na\nb\na')
    expect(p.codeVersions.equals(Buffer.concat(keys.map((_, i) => odd(i))))).toBe(true)
    expect(p.dataVersions.equals(Buffer.concat(keys.map((_, i) => odd(100 + i))))).toBe(true)
    expect(p.inputVersions.equals(Buffer.concat([200, 200, 201, 200].map(odd)))).toBe(true)
    expect(p.kinds.split('\n')).toEqual([
      'observation',
      'materialization',
      'materialization',
      'materialization',
      'materialization',
    ])
    expect(p.finishedAt.split('\n')[4]).toBe('1970-01-01T00:00:04.000Z')
    db.close()
  })

  it('reads an empty table as no records', () => {
    const db = new Database(':memory:')
    migrate(db)
    const p = new RecordsTable(db, ':memory:').latestPacked()
    expect(p.count).toBe(0)
    expect(p.keys).toBe('')
    expect(p.codeVersions.length).toBe(0)
    expect(new RecordsTable(db, ':memory:').latest().keys).toEqual([])
    db.close()
  })
})

describe('stitchChunks', () => {
  it('names what does not line up', () => {
    const chunk = {
      count: 2,
      keys: 'a\nb',
      codeVersions: Buffer.alloc(32),
      configHashes: Buffer.alloc(32),
      dataVersions: Buffer.alloc(32),
      inputCounts: '0,2',
      inputKeys: 'a',
      inputVersions: Buffer.alloc(32),
      runIds: 'r\nr',
      finishedAt: 't\nt',
      kinds: 'materialization\nmaterialization',
    }
    expect(stitchChunks([chunk])).toBe(
      'the latest table does not decode: 2 keys, 2 inputs expected, 1 input keys found',
    )
    const ok = stitchChunks([{ ...chunk, inputKeys: 'a\nb' }])
    expect(typeof ok === 'string' ? ok : unpackLatest(ok).depKeys).toEqual(['a', 'b'])
    expect(typeof ok === 'string' ? ok : packLatest(unpackLatest(ok))).toEqual(ok)
  })
})

describe('RecordsTable.latestSince', () => {
  const setup = (chunk = 65_536) => {
    const db = new Database(':memory:')
    migrate(db)
    db.prepare("INSERT INTO runs (id, started_at, status, selection) VALUES ('r', '', 'running', '[]')").run()
    const records = new RecordsTable(db, ':memory:', chunk)
    const put = (key: string, data: number, inputs: string[] = []) =>
      records.insert({
        runId: 'r',
        key,
        codeVersion: h(1),
        configHash: h(2),
        dataVersion: h(data),
        inputs: inputs.map((dep) => ({ key: dep, dataVersion: h(9) })),
        startedAt: new Date(0),
        finishedAt: new Date(0),
      })
    return { db, records, put }
  }

  it('reads every record without a cursor, then only the records made since', () => {
    const { db, records, put } = setup()
    put('a', 1)
    put('b', 2, ['a'])
    const first = records.latestSince(undefined)
    expect(first.all).toBe(true)
    expect(unpackLatest(first.packed).keys).toEqual(['a', 'b'])
    expect(records.latestSince(first.cursor)).toMatchObject({ all: false, packed: { count: 0 }, cursor: first.cursor })

    put('b', 3, ['a'])
    put('c', 4, ['a', 'b'])
    const since = records.latestSince(first.cursor)
    expect(since.all).toBe(false)
    const l = unpackLatest(since.packed)
    expect(l.keys).toEqual(['b', 'c'])
    expect(l.dataVersions.equals(Buffer.concat([h(3), h(4)]))).toBe(true)
    expect(l.depKeys).toEqual(['a', 'a', 'b'])
    expect(since.cursor.record).toBeGreaterThan(first.cursor.record)
    db.close()
  })

  it('reads everything again after a wipe, or when more than a chunk changed', () => {
    const { db, records, put } = setup(2)
    put('a', 1)
    put('b', 2)
    const { cursor } = records.latestSince(undefined)
    db.transaction(() => records.wipe(['a']))()
    const afterWipe = records.latestSince(cursor)
    expect(afterWipe.all).toBe(true)
    expect(unpackLatest(afterWipe.packed).keys).toEqual(['b'])
    expect(afterWipe.cursor.deletes).toBe(cursor.deletes + 1)

    for (const [i, key] of ['c', 'd', 'e'].entries()) put(key, 10 + i)
    const many = records.latestSince(afterWipe.cursor)
    expect(many.all).toBe(true)
    expect(unpackLatest(many.packed).keys).toEqual(['b', 'c', 'd', 'e'])
    db.close()
  })
})
