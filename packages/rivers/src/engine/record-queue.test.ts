import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { SqliteStore } from '../store/sqlite-store.js'
import type { Store } from '../store/store.js'
import type { NewRecord } from '../store/types.js'
import { RecordQueue } from './record-queue.js'

let dir: string
let store: SqliteStore
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-record-queue-'))
  store = SqliteStore.open(dir)
  await store.beginRun({ id: 'r1', selection: ['*'], force: false, config: {}, argv: [] })
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const hash = (n: number): Buffer => Buffer.alloc(16, n)
const row = (key: string, inputs: string[] = []): NewRecord => ({
  runId: 'r1',
  key,
  codeVersion: hash(1),
  configHash: hash(2),
  dataVersion: hash(3),
  inputs: inputs.map((k) => ({ key: k, dataVersion: hash(3) })),
  startedAt: new Date(),
  finishedAt: new Date(),
})

/** A store whose batch write (or single write, without the batch) fails for `failKey`. */
function failingStore(failKey: string, batch: boolean): Store & { calls: string[][] } {
  const calls: string[][] = []
  let next = 1
  const one = async (r: NewRecord): Promise<number> => {
    if (r.key === failKey) throw new Error(`disk full while writing ${r.key}`)
    return next++
  }
  return {
    calls,
    recordMaterialization: async (r: NewRecord) => {
      calls.push([r.key])
      return one(r)
    },
    ...(batch
      ? {
          recordMaterializations: async (rs: readonly NewRecord[]) => {
            calls.push(rs.map((r) => r.key))
            if (rs.some((r) => r.key === failKey)) throw new Error('disk full')
            return rs.map(() => next++)
          },
        }
      : {}),
  } as unknown as Store & { calls: string[][] }
}

describe('RecordQueue', () => {
  it('commits the records queued together in one transaction, in order, visible once flushed', async () => {
    const queue = new RecordQueue(store)
    const ids = Promise.all([queue.add(row('raw')), queue.add(row('clean', ['raw'])), queue.add(row('report'))])
    expect(queue.pending).toBe(3)
    await queue.flush()
    expect(queue.commits).toBe(1)
    const [raw, clean, report] = await ids
    expect(raw! < clean! && clean! < report!).toBe(true)
    expect((await store.latestRecords()).keys.sort()).toEqual(['clean', 'raw', 'report'])
  })

  it('commits on its own, shortly after the first record, and at once when the batch is full', async () => {
    const queue = new RecordQueue(store, 2)
    const a = queue.add(row('a'))
    expect(queue.commits).toBe(0)
    expect(await a).toBeGreaterThan(0) // the timer committed it
    expect(queue.commits).toBe(1)
    const full = Promise.all([queue.add(row('b')), queue.add(row('c'))])
    expect(queue.pending).toBe(0) // the second record filled the batch: committing already
    await full
    expect(queue.commits).toBe(2)
  })

  it('refuses every record after a failed commit, naming the asset and the first failure', async () => {
    const s = failingStore('clean', true)
    const queue = new RecordQueue(s)
    const first = [queue.add(row('raw')), queue.add(row('clean', ['raw']))].map((p) => p.catch((e: Error) => e))
    await queue.flush()
    // The transaction failed as a whole: its first record gets the store's error, the others say why.
    const [raw, clean] = await Promise.all(first)
    expect((raw as Error).message).toBe('disk full')
    expect((clean as Error).message).toMatch(
      /asset "clean" was built but not recorded: the store could not record "raw"/,
    )
    const later = await queue.add(row('report', ['clean'])).catch((e: Error) => e)
    expect(later).toMatchObject({ code: 'RIVERS_NOT_RECORDED' })
    expect((later as Error).message).toMatch(/"report" was built but not recorded.*"raw" \(disk full\)/)
    expect(s.calls).toEqual([['raw', 'clean']]) // nothing was written after the failure
  })

  it('without a batch write, records one by one in order and stops at the first failure', async () => {
    const s = failingStore('clean', false)
    const queue = new RecordQueue(s)
    const results = [queue.add(row('raw')), queue.add(row('clean')), queue.add(row('report'))].map((p) =>
      p.catch((e: Error) => e),
    )
    await queue.flush()
    const [raw, clean, report] = await Promise.all(results)
    expect(raw).toBe(1) // committed before the failure: kept
    expect((clean as Error).message).toBe('disk full while writing clean')
    expect((report as Error).message).toMatch(/"report" was built but not recorded/)
    expect(s.calls).toEqual([['raw'], ['clean']])
  })
})
