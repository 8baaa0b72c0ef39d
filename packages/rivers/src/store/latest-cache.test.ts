import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { tempDir as testRoot } from '@rivers-orchestrator/conformance'
import { LatestCache } from './latest-cache.js'
import { compareKeys } from './latest-packed.js'
import { migrate } from './migrations.js'
import { RecordsTable } from './records.js'
import { SqliteStore } from './sqlite-store.js'
import type { PackedLatestRecords } from './types.js'

const h = (n: number): Buffer => Buffer.alloc(16, n & 255)
/** A fresh folder per test, under one removed after the file. */
const root = testRoot('rivers-latest-cache-')
const tempDir = (): string => mkdtempSync(path.join(root(), 'case-'))

/** A tiny deterministic generator (the sequence is the test's, so a failure replays). */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s % n
  }
}

/** Plain values of a packed result, for comparisons. */
function plain(p: PackedLatestRecords): unknown {
  return {
    ...p,
    inputCounts: [...p.inputCounts],
    codeVersions: p.codeVersions.toString('hex'),
    configHashes: p.configHashes.toString('hex'),
    dataVersions: p.dataVersions.toString('hex'),
    inputVersions: p.inputVersions.toString('hex'),
  }
}

interface Db {
  db: Database.Database
  cached: RecordsTable
  scan: RecordsTable
}

/** `chunkRows` also bounds the changes merged into the file (more: a scan). */
function openDb(file: string, cacheDir: string, chunkRows?: number): Db {
  const db = new Database(file)
  migrate(db)
  return {
    db,
    cached: new RecordsTable(db, file, { cache: new LatestCache(cacheDir), cacheMinRows: 1, chunkRows }),
    scan: new RecordsTable(db, file),
  }
}

function record(d: Db, run: string, key: string, at: number, inputs: string[]): void {
  d.db.transaction(() => {
    d.db
      .prepare("INSERT OR IGNORE INTO runs (id, started_at, status, selection) VALUES (?, '', 'running', '[]')")
      .run(run)
    d.cached.insert({
      runId: run,
      key,
      codeVersion: h(at),
      configHash: h(at + 1),
      dataVersion: h(at + 2),
      inputs: inputs.map((k, j) => ({ key: k, dataVersion: h(at + j) })),
      startedAt: new Date(at),
      finishedAt: new Date(at),
    })
  })()
}

describe('the latest-records cache', () => {
  it('reads what a scan reads, through records, wipes, reopening and a backup put back and written again', () => {
    const dir = tempDir()
    const file = path.join(dir, 'rivers.db')
    const backup = path.join(dir, 'backup.db')
    const cacheDir = path.join(dir, 'cache')
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`)
    for (const seed of [1, 2, 3]) {
      rmSync(file, { force: true })
      rmSync(backup, { force: true })
      rmSync(cacheDir, { recursive: true, force: true })
      const next = rng(seed)
      // Up to 4 records since the file are merged into it, more are read by a scan.
      let d = openDb(file, cacheDir, 5)
      let timeline = 0
      let at = 1
      const sources = new Set<string | undefined>()
      for (let step = 0; step < 300; step++) {
        const op = next(20)
        if (op < 12) {
          const inputs = keys.filter(() => next(4) === 0)
          record(d, `run-${seed}-${timeline}-${next(3)}`, keys[next(keys.length)]!, at++, inputs)
        } else if (op < 14) d.db.transaction(() => d.cached.wipe([keys[next(keys.length)]!]))()
        else if (op < 15) {
          rmSync(backup, { force: true })
          d.db.exec(`VACUUM INTO '${backup}'`)
        } else if (op < 16 && existsSync(backup)) {
          // The database is put back from the backup; the cache file stays as the later state left it.
          d.db.close()
          copyFileSync(backup, file)
          rmSync(`${file}-wal`, { force: true })
          rmSync(`${file}-shm`, { force: true })
          d = openDb(file, cacheDir, 5)
          timeline++
        } else if (op < 17) {
          d.db.close()
          d = openDb(file, cacheDir, 5)
        } else {
          const got = d.cached.latestPacked()
          sources.add(d.cached.latestSource)
          const again = d.cached.latestPacked()
          sources.add(d.cached.latestSource)
          expect(plain(got)).toEqual(plain(d.scan.latestPacked()))
          expect(plain(again)).toEqual(plain(got))
        }
      }
      d.db.close()
      // The sequence read the file as it was and merged records into it, not only scanned (else this
      // test would prove nothing).
      expect([...sources].sort()).toEqual(['cache', 'merged', 'scan'])
    }
  })

  it('merges new keys in the order SQLite reads them (UTF-8 bytes, not UTF-16 units)', () => {
    const alphabet = ['a', 'B', '/', 'é', '\uE000', '\uFFFD', '\u{1F600}', '\u{10000}', '0']
    const next = rng(7)
    const word = () => Array.from({ length: 1 + next(3) }, () => alphabet[next(alphabet.length)]).join('')
    for (let i = 0; i < 2000; i++) {
      const [a, b] = [word(), word()]
      expect(Math.sign(compareKeys(a, b)), `${a} vs ${b}`).toBe(
        Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
      )
    }
    const dir = tempDir()
    const d = openDb(path.join(dir, 'rivers.db'), path.join(dir, 'cache'))
    let at = 1
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 8; i++) record(d, `r${round}`, word(), at++, next(2) === 0 ? [word()] : [])
      expect(plain(d.cached.latestPacked())).toEqual(plain(d.scan.latestPacked()))
      if (round > 0) expect(d.cached.latestSource).toBe('merged')
    }
    d.db.close()
  })

  it('is what a read returns while the store stands where it was written', () => {
    const dir = tempDir()
    const d = openDb(path.join(dir, 'rivers.db'), path.join(dir, 'cache'))
    record(d, 'r1', 'raw', 1, [])
    record(d, 'r1', 'total', 2, ['raw'])
    expect(d.cached.latestPacked().keys).toBe('raw\ntotal')
    // Change a key in the file, keeping its length: the next read shows it, so it came from the file.
    const cacheFile = path.join(dir, 'cache', 'latest-records.bin')
    const bytes = readFileSync(cacheFile)
    const header = bytes.indexOf(10, bytes.indexOf(10) + 1) + 1
    bytes.write('RAW', header, 'latin1')
    writeFileSync(cacheFile, bytes)
    expect(d.cached.latestPacked().keys).toBe('RAW\ntotal')
    expect(d.cached.latestSource).toBe('cache')
    // A record since: the file is read with it merged in (the tampered row stays: the file is trusted
    // for the store's past), and written again at the new stamp.
    record(d, 'r2', 'raw', 3, [])
    expect(d.cached.latestPacked().keys).toBe('RAW\nraw\ntotal')
    expect(d.cached.latestSource).toBe('merged')
    expect(d.cached.latestPacked().keys).toBe('RAW\nraw\ntotal')
    expect(d.cached.latestSource).toBe('cache')
    // A wipe since: the file is not used, and is written again from the table.
    d.db.transaction(() => d.cached.wipe(['total']))()
    expect(d.cached.latestPacked().keys).toBe('raw')
    expect(d.cached.latestSource).toBe('scan')
    expect(readFileSync(cacheFile).includes('RAW')).toBe(false)
    d.db.close()
  })

  it('ignores a file cut short or of another format, and writes none below the row threshold', () => {
    const dir = tempDir()
    const cacheDir = path.join(dir, 'cache')
    const d = openDb(path.join(dir, 'rivers.db'), cacheDir)
    record(d, 'r1', 'raw', 1, [])
    record(d, 'r1', 'total', 2, ['raw'])
    const expected = plain(d.scan.latestPacked())
    d.cached.latestPacked()
    const cacheFile = path.join(cacheDir, 'latest-records.bin')
    truncateSync(cacheFile, readFileSync(cacheFile).length - 1)
    expect(plain(d.cached.latestPacked())).toEqual(expected)
    writeFileSync(cacheFile, `something else\n${readFileSync(cacheFile).toString('latin1')}`, 'latin1')
    expect(plain(d.cached.latestPacked())).toEqual(expected)
    const small = path.join(dir, 'small-cache')
    new RecordsTable(d.db, 'x', { cache: new LatestCache(small), cacheMinRows: 3 }).latestPacked()
    expect(existsSync(small)).toBe(false)
    d.db.close()
  })

  it('is kept by the SQLite store from 4096 latest records, and a reopened store reads it', async () => {
    const dir = tempDir()
    const store = SqliteStore.open(dir)
    await store.beginRun({ id: 'r1', selection: ['*'], force: false })
    const at = new Date(0)
    for (let i = 0; i < 4100; i++)
      await store.recordMaterialization({
        runId: 'r1',
        key: `a/${i}`,
        codeVersion: h(i),
        configHash: h(0),
        dataVersion: h(i + 7),
        inputs: i > 0 ? [{ key: `a/${i - 1}`, dataVersion: h(i + 6) }] : [],
        startedAt: at,
        finishedAt: at,
      })
    const first = await store.latestRecordsSince()
    expect(existsSync(path.join(dir, 'cache', 'latest-records.bin'))).toBe(true)
    await store.close()
    const reopened = SqliteStore.open(dir)
    const second = await reopened.latestRecordsSince()
    expect(second.cursor).toEqual(first.cursor)
    expect(plain(second.packed)).toEqual(plain(first.packed))
    await reopened.recordMaterialization({
      runId: 'r1',
      key: 'a/0',
      codeVersion: h(1),
      configHash: h(0),
      dataVersion: h(99),
      inputs: [],
      startedAt: at,
      finishedAt: at,
    })
    const third = await reopened.latestRecordsSince()
    expect(third.packed.dataVersions.subarray(0, 16).equals(h(99))).toBe(true)
    // One more record, not read by this store: the file stays a step behind.
    await reopened.recordMaterialization({
      runId: 'r1',
      key: 'a/0',
      codeVersion: h(1),
      configHash: h(0),
      dataVersion: h(100),
      inputs: [],
      startedAt: at,
      finishedAt: at,
    })
    await reopened.close()
    // A store opened read-only writes nothing: it reads the file a step behind with the record since
    // merged in, and leaves the file as it was.
    const file = path.join(dir, 'cache', 'latest-records.bin')
    const before = readFileSync(file)
    const readonly = SqliteStore.open(dir, { readonly: true })
    const fourth = await readonly.latestRecordsSince()
    expect(fourth.packed.dataVersions.subarray(0, 16).equals(h(100))).toBe(true)
    expect(readFileSync(file).equals(before)).toBe(true)
    await readonly.close()
  })
})
