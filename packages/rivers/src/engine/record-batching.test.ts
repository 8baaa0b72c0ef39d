/**
 * Group commit of a run's records (`RecordQueue`) seen from a whole run: every record is in the store
 * when the run ends, far fewer transactions than assets, a failing asset costs nobody else their
 * record, and no asset is ever stored before an input it read.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, expect, it } from 'vitest'

import { type AssetDef, asset, defineProject } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { SqliteStore } from '../store/sqlite-store.js'
import type { NewRecord } from '../store/types.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-record-batching-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** `width` chains of `depth` assets, each link reading the one before, and a final asset reading every chain's end. */
function chains(width: number, depth: number, fail?: string) {
  const ends: AssetDef<number>[] = []
  for (let c = 0; c < width; c++) {
    let prev = asset({ key: `c${c}_0` }, () => c)
    for (let d = 1; d < depth; d++) {
      const key = `c${c}_${d}`
      prev = asset({ key, deps: { prev } }, ({ prev }) => {
        if (key === fail) throw new Error(`${key} broke`)
        return prev + 1
      })
    }
    ends.push(prev)
  }
  const deps = Object.fromEntries(ends.map((e, i) => [`e${i}`, e]))
  const total = asset({ key: 'total', deps }, (xs) => Object.values(xs).reduce((a: number, b) => a + (b as number), 0))
  return defineProject({ assets: [total] })
}

/** Opens the store of `dir`, counting its batch writes. */
function countingStore(): { store: SqliteStore; batches: number[] } {
  const store = SqliteStore.open(path.join(dir, '.rivers'))
  const batches: number[] = []
  const write = store.recordMaterializations.bind(store)
  store.recordMaterializations = (rs: readonly NewRecord[]) => {
    batches.push(rs.length)
    return write(rs)
  }
  return { store, batches }
}

it('stores every record by the end of the run, in far fewer transactions than assets', async () => {
  const { store, batches } = countingStore()
  // One project for both runs (a definition's call site is part of its code version).
  const project = chains(8, 10)
  const ws = await openWorkspace(project, { storeDir: path.join(dir, '.rivers'), store, logLevel: 'silent' })
  const summary = await ws.materialize({ concurrency: 4 })
  await ws.close()
  expect(summary.status).toBe('success')
  expect(summary.materialized).toHaveLength(81)
  expect(batches.reduce((a, b) => a + b, 0)).toBe(81)
  expect(batches.length).toBeLessThan(81 / 2)
  const again = SqliteStore.open(path.join(dir, '.rivers'))
  try {
    expect((await again.latestRecords()).keys).toHaveLength(81)
  } finally {
    await again.close()
  }
  // A second run finds everything fresh: nothing was lost between the core and the store.
  const ws2 = await openWorkspace(project, { storeDir: path.join(dir, '.rivers'), logLevel: 'silent' })
  try {
    expect((await ws2.materialize()).materialized).toEqual([])
  } finally {
    await ws2.close()
  }
})

it('keeps the records of the assets batched with one that failed', async () => {
  const ws = await openWorkspace(chains(8, 4, 'c3_2'), { storeDir: path.join(dir, '.rivers'), logLevel: 'silent' })
  const summary = await ws.materialize({ concurrency: 4 })
  await ws.close()
  expect(summary.failed.map((f) => f.key)).toEqual(['c3_2'])
  expect(summary.skipped.map((s) => s.key).sort()).toEqual(['c3_3', 'total'])
  expect(summary.materialized).toHaveLength(33 - 3)
  const store = SqliteStore.open(path.join(dir, '.rivers'))
  try {
    const keys = (await store.latestRecords()).keys
    expect(keys.sort()).toEqual([...summary.materialized].sort())
  } finally {
    await store.close()
  }
})

it('never stores an asset before an input it read', async () => {
  const ws = await openWorkspace(chains(6, 8), { storeDir: path.join(dir, '.rivers'), logLevel: 'silent' })
  const summary = await ws.materialize({ concurrency: 3 })
  await ws.close()
  expect(summary.status).toBe('success')
  const store = SqliteStore.open(path.join(dir, '.rivers'))
  try {
    const idOf = new Map<string, number>()
    const records = await Promise.all(summary.materialized.map(async (key) => (await store.assetHistory(key))[0]!))
    for (const r of records) idOf.set(r.key, r.id)
    for (const r of records) for (const input of r.inputs) expect(idOf.get(input.key)!).toBeLessThan(r.id)
    expect(records.flatMap((r) => r.inputs)).toHaveLength(6 * 7 + 6)
  } finally {
    await store.close()
  }
})

it('after a batch the store refused, fails those assets and everything recorded after, and the next run rebuilds them', async () => {
  const store = SqliteStore.open(path.join(dir, '.rivers'))
  const write = store.recordMaterializations.bind(store)
  let calls = 0
  store.recordMaterializations = (rs: readonly NewRecord[]) => {
    calls++
    // The second batch of records is refused (the project has no sources: all are assets').
    return calls === 2 ? Promise.reject(new Error('disk I/O error')) : write(rs)
  }
  const project = chains(4, 6)
  const ws = await openWorkspace(project, { storeDir: path.join(dir, '.rivers'), store, logLevel: 'silent' })
  try {
    const first = await ws.materialize({ concurrency: 2 })
    expect(first.status).toBe('failed')
    expect(first.failed.length).toBeGreaterThan(0)
    expect(first.failed.some((f) => f.error.includes('disk I/O error'))).toBe(true)
    const lost = first.failed.map((f) => f.key)
    // The same workspace (its core reloaded from the store) rebuilds what was not stored, and what reads it.
    const second = await ws.materialize({ concurrency: 2 })
    expect(second.status).toBe('success')
    for (const key of lost) expect(second.materialized).toContain(key)
    expect((await ws.materialize()).materialized).toEqual([])
  } finally {
    await ws.close()
  }
})
