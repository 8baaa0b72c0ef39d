import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fromHex, toHex } from './hex.js'
import { Store } from './store.js'

/** A 16-byte hash whose bytes are all `n`. */
const h = (n: number): Buffer => Buffer.alloc(16, n)

let dir: string
let store: Store

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rivers-store-'))
  store = Store.open(join(dir, '.rivers'))
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

function record(
  key: string,
  data: number,
  inputs: [string, number][] = [],
  runId = 'r1',
  extra: Partial<Parameters<Store['recordMaterialization']>[0]> = {},
): number {
  return store.recordMaterialization({
    runId,
    key,
    codeVersion: h(1),
    configHash: h(2),
    dataVersion: h(data),
    inputs: inputs.map(([k, v]) => ({ key: k, dataVersion: h(v) })),
    startedAt: new Date('2026-01-01T00:00:00.000Z'),
    finishedAt: new Date('2026-01-01T00:00:01.500Z'),
    ...extra,
  })
}

describe('runs', () => {
  it('begins, finishes, lists newest first and reads back JSON columns', () => {
    store.beginRun({ id: 'r1', selection: ['*'], force: false, argv: ['materialize'], config: { lr: 0.1 } })
    store.beginRun({ id: 'r2', selection: ['raw+'], force: true })
    store.finishRun('r1', 'success', { materialized: ['raw'] })
    const r1 = store.getRun('r1')
    expect(r1).toMatchObject({
      id: 'r1',
      status: 'success',
      selection: ['*'],
      force: false,
      argv: ['materialize'],
      config: { lr: 0.1 },
    })
    expect(r1?.summary).toEqual({ materialized: ['raw'] })
    expect(r1?.pid).toBe(process.pid)
    expect(r1?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(store.getRun('r2')).toMatchObject({
      status: 'running',
      force: true,
      argv: null,
      config: null,
      summary: null,
      finishedAt: null,
    })
    expect(store.listRuns({ limit: 10 }).map((r) => r.id)).toEqual(['r2', 'r1'])
    expect(store.listRuns({ limit: 1 })).toHaveLength(1)
    expect(store.getRun('nope')).toBeUndefined()
  })

  it('refuses a duplicate run id and unknown runs, naming them', () => {
    store.beginRun({ id: 'r1', selection: [], force: false })
    expect(() => store.beginRun({ id: 'r1', selection: [], force: false })).toThrow(/Run 'r1' already exists/)
    expect(() => store.finishRun('ghost', 'success', null)).toThrow(/Run 'ghost' does not exist/)
    expect(() => store.appendEvent('ghost', 'x')).toThrow(/Run 'ghost' does not exist/)
    expect(() => record('raw', 3, [], 'ghost')).toThrow(/Run 'ghost' does not exist/)
  })

  it('appends and lists events in order', () => {
    store.beginRun({ id: 'r1', selection: [], force: false })
    store.appendEvent('r1', 'started')
    store.appendEvent('r1', 'skipped', 'report', { reason: 'upstream_unchanged' })
    expect(store.runEvents('r1').map((e) => [e.type, e.key, e.data])).toEqual([
      ['started', null, null],
      ['skipped', 'report', { reason: 'upstream_unchanged' }],
    ])
  })

  it('names the offending column when a value cannot become JSON', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => store.beginRun({ id: 'r1', selection: [], force: false, config: cyclic })).toThrow(
      /config of run 'r1' cannot be stored as JSON/,
    )
  })
})

describe('records and latest', () => {
  beforeEach(() => {
    store.beginRun({ id: 'r1', selection: ['*'], force: false })
    store.beginRun({ id: 'r2', selection: ['*'], force: false })
  })

  it('is empty on a fresh store', () => {
    const latest = store.latestRecords()
    expect(latest.keys).toEqual([])
    expect(latest.depOffsets).toEqual(new Uint32Array([0]))
    expect(latest.codeVersions.length).toBe(0)
  })

  it('returns the newest record of each asset, columnar and sorted by key, with inputs in order', () => {
    record('raw', 10)
    record('features', 20, [['raw', 10]])
    record('raw', 11, [], 'r2')
    store.recordMaterialization({
      runId: 'r2',
      key: 'model',
      kind: 'materialization',
      codeVersion: h(5),
      configHash: h(6),
      dataVersion: h(30),
      inputs: [
        { key: 'raw', dataVersion: h(11) },
        { key: 'features', dataVersion: h(20) },
      ],
      startedAt: new Date(0),
      finishedAt: new Date(5),
    })
    store.recordMaterialization({
      runId: 'r2',
      key: 'src',
      kind: 'observation',
      codeVersion: h(0),
      configHash: h(0),
      dataVersion: h(40),
      inputs: [],
      startedAt: new Date(0),
      finishedAt: new Date(0),
    })
    const l = store.latestRecords()
    expect(l.keys).toEqual(['features', 'model', 'raw', 'src'])
    expect([...l.depOffsets]).toEqual([0, 1, 3, 3, 3])
    expect(l.depKeys).toEqual(['raw', 'raw', 'features'])
    const at = (buf: Buffer, i: number) => toHex(buf.subarray(16 * i, 16 * i + 16))
    expect([0, 1, 2].map((i) => at(l.depVersions, i))).toEqual([toHex(h(10)), toHex(h(11)), toHex(h(20))])
    expect([0, 1, 2, 3].map((i) => at(l.dataVersions, i))).toEqual([
      toHex(h(20)),
      toHex(h(30)),
      toHex(h(11)),
      toHex(h(40)),
    ])
    expect(at(l.codeVersions, 1)).toBe(toHex(h(5)))
    expect(at(l.configHashes, 1)).toBe(toHex(h(6)))
    expect(l.runIds).toEqual(['r1', 'r2', 'r2', 'r2'])
    expect(l.kinds).toEqual(['materialization', 'materialization', 'materialization', 'observation'])
    expect(l.finishedAt[0]).toBe('2026-01-01T00:00:01.500Z')
  })

  it('keeps partitioned records out of latestRecords', () => {
    record('daily', 1, [], 'r1', { partition: '2026-01-01' })
    expect(store.latestRecords().keys).toEqual([])
    expect(store.assetHistory('daily')[0]?.partition).toBe('2026-01-01')
  })

  it('writes a materialized event in the same transaction', () => {
    const id = record('raw', 10)
    expect(store.runEvents('r1')).toMatchObject([
      { type: 'materialized', key: 'raw', data: { materializationId: id, dataVersion: toHex(h(10)) } },
    ])
  })

  it('rejects a hash that is not 16 bytes and writes nothing', () => {
    expect(() =>
      store.recordMaterialization({
        runId: 'r1',
        key: 'raw',
        codeVersion: Buffer.alloc(15),
        configHash: h(0),
        dataVersion: h(0),
        inputs: [],
        startedAt: new Date(),
        finishedAt: new Date(),
      }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: codeVersion of asset 'raw' must be a 16-byte hash (32 hex digits), got 15 bytes. Produce it with the native hasher (hashBytes / hashFields).]`,
    )
    expect(() =>
      record('raw', 1, [['dep', 1]], 'r1', { inputs: [{ key: 'dep', dataVersion: new Uint8Array(3) }] }),
    ).toThrow(/input 'dep' of asset 'raw'/)
    expect(store.latestRecords().keys).toEqual([])
    expect(store.runEvents('r1')).toEqual([])
  })

  it('rolls the whole record back when a later part fails', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => record('raw', 1, [], 'r1', { metadata: cyclic })).toThrow(
      /metadata of asset 'raw' cannot be stored as JSON/,
    )
    expect(store.assetHistory('raw')).toEqual([])
  })
})

describe('history', () => {
  beforeEach(() => {
    store.beginRun({ id: 'r1', selection: ['*'], force: false })
    store.beginRun({ id: 'r2', selection: ['*'], force: false })
    store.beginRun({ id: 'r3', selection: ['*'], force: false })
  })

  it('shows records newest first with inputs, metadata, metrics and checks', () => {
    const first = record('model', 1, [['features', 9]], 'r1', {
      metadata: { rows: 10 },
      metrics: [{ name: 'auc', value: 0.7 }],
      storagePath: 'model.bin',
    })
    const second = record('model', 2, [['features', 9]], 'r2', {
      metrics: [
        { name: 'loss', value: 2, step: 0 },
        { name: 'loss', value: 1, step: 1 },
        { name: 'loss', value: Number.NaN, step: 2 },
      ],
    })
    store.recordCheck({
      runId: 'r2',
      key: 'model',
      materializationId: second,
      name: 'auc >= 0.8',
      passed: false,
      blocking: true,
      message: 'auc 0.7',
      metadata: { auc: 0.7 },
    })
    const [newest, oldest] = store.assetHistory('model')
    expect(newest).toMatchObject({
      id: second,
      runId: 'r2',
      isLatest: true,
      wipedAt: null,
      durationMs: 1500,
      dataVersion: toHex(h(2)),
      codeVersion: toHex(h(1)),
      inputs: [{ key: 'features', partition: '', dataVersion: toHex(h(9)) }],
      checks: [
        {
          name: 'auc >= 0.8',
          passed: false,
          blocking: true,
          message: 'auc 0.7',
          metadata: { auc: 0.7 },
          materializationId: second,
        },
      ],
    })
    expect(newest?.metrics.map((m) => [m.name, m.step, m.value])).toEqual([
      ['loss', 0, 2],
      ['loss', 1, 1],
      ['loss', 2, Number.NaN],
    ])
    expect(oldest).toMatchObject({
      id: first,
      isLatest: false,
      metadata: { rows: 10 },
      storagePath: 'model.bin',
      metrics: [{ name: 'auc', value: 0.7 }],
    })
    expect(store.assetHistory('model', { limit: 1 })).toHaveLength(1)
    expect(store.assetHistory('nothing')).toEqual([])
  })

  it('gives one metric value per record: the summary value, else the last step', () => {
    record('model', 1, [], 'r1', { metrics: [{ name: 'auc', value: 0.7 }] })
    record('model', 2, [], 'r2', {
      metrics: [
        { name: 'auc', value: 0.5, step: 0 },
        { name: 'auc', value: 0.8, step: 3 },
      ],
    })
    record('model', 3, [], 'r3', {
      metrics: [
        { name: 'auc', value: 0.1, step: 9 },
        { name: 'auc', value: 0.9 },
      ],
    })
    record('other', 3, [], 'r3', { metrics: [{ name: 'auc', value: 0.2 }] })
    expect(store.metricHistory('model', 'auc').map((p) => [p.runId, p.value, p.step])).toEqual([
      ['r1', 0.7, null],
      ['r2', 0.8, 3],
      ['r3', 0.9, null],
    ])
    expect(store.metricHistory('model', 'auc', { limit: 1 }).map((p) => p.runId)).toEqual(['r3'])
    expect(store.metricHistory('model', 'nope')).toEqual([])
  })
})

describe('wipe', () => {
  it('forgets the latest record but keeps history, marked', () => {
    store.beginRun({ id: 'r1', selection: ['*'], force: false })
    record('raw', 1)
    record('raw', 2)
    record('features', 3, [['raw', 2]])
    record('daily', 4, [], 'r1', { partition: '2026-01-01' })
    expect(store.currentRecord('raw')).toMatchObject({ dataVersion: toHex(h(2)), isLatest: true })
    expect(store.currentRecord('daily')).toBeUndefined()
    expect(store.currentRecord('daily', { partition: '2026-01-01' })?.dataVersion).toBe(toHex(h(4)))
    expect(store.wipe(['raw', 'daily', 'raw', 'unknown'])).toBe(2)
    expect(store.currentRecord('raw')).toBeUndefined()
    expect(store.latestRecords().keys).toEqual(['features'])
    const history = store.assetHistory('raw')
    expect(history).toHaveLength(2)
    expect(history.every((r) => r.wipedAt !== null && !r.isLatest)).toBe(true)
    // Materializing again makes a fresh, unwiped latest record.
    record('raw', 5)
    expect(store.latestRecords().keys).toEqual(['features', 'raw'])
    expect(store.assetHistory('raw')[0]).toMatchObject({ isLatest: true, wipedAt: null })
    expect(store.wipe([])).toBe(0)
  })
})

describe('leases', () => {
  beforeEach(() => store.beginRun({ id: 'r1', selection: [], force: false }))

  it('is exclusive until released or expired', () => {
    expect(store.tryAcquireLease('model', 'r1', 60_000)).toBe(true)
    expect(store.tryAcquireLease('model', 'r2', 60_000)).toBe(false)
    expect(store.tryAcquireLease('model', 'r1', 60_000)).toBe(true) // re-entrant
    expect(store.getLease('model')).toMatchObject({ runId: 'r1', pid: process.pid })
    expect(store.renewLease('model', 'r2', 60_000)).toBe(false)
    expect(store.renewLease('model', 'r1', 60_000)).toBe(true)
    expect(store.releaseLease('model', 'r2')).toBe(false)
    expect(store.releaseLease('model', 'r1')).toBe(true)
    expect(store.getLease('model')).toBeUndefined()
    expect(store.tryAcquireLease('model', 'r2', 60_000)).toBe(true)
  })

  it('lets an expired lease be stolen, after which the old holder cannot renew it', async () => {
    expect(store.tryAcquireLease('model', 'r1', 0)).toBe(true)
    await new Promise((r) => setTimeout(r, 5))
    expect(store.tryAcquireLease('model', 'r2', 60_000)).toBe(true)
    expect(store.renewLease('model', 'r1', 60_000)).toBe(false)
    expect(store.getLease('model')?.runId).toBe('r2')
  })

  it('keeps partitions apart and releases all leases of a run', () => {
    expect(store.tryAcquireLease('daily', 'r1', 60_000, '2026-01-01')).toBe(true)
    expect(store.tryAcquireLease('daily', 'r2', 60_000, '2026-01-02')).toBe(true)
    expect(store.tryAcquireLease('other', 'r1', 60_000)).toBe(true)
    expect(store.releaseRunLeases('r1')).toBe(2)
    expect(store.getLease('daily', '2026-01-02')?.runId).toBe('r2')
  })

  it('refuses a bad ttl', () => {
    expect(() => store.tryAcquireLease('model', 'r1', -1)).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Lease on asset 'model': ttlMs must be a non-negative finite number of milliseconds, got -1.]`,
    )
  })
})

describe('hex', () => {
  it('round-trips and refuses bad input', () => {
    const hex = '000102030405060708090a0b0c0d0e0f'
    expect(toHex(fromHex(hex))).toBe(hex)
    expect(toHex(fromHex(hex.toUpperCase()))).toBe(hex)
    expect(() => fromHex('abc')).toThrow(/32 hex digits/)
    expect(() => toHex(Buffer.alloc(3))).toThrow(/16-byte/)
  })
})
