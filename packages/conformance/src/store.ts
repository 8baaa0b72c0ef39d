/**
 * The `Store` conformance suite: what every store must do, whatever it keeps its data in. Run it
 * from the store's own tests: `storeConformance('SqliteStore', async () => ({ store, cleanup }))`.
 * Each test gets a fresh, empty store from the factory.
 */
import type { NewRecord, Store } from '@rivers-orchestrator/rivers/plugin'
import { toHex } from '@rivers-orchestrator/rivers/plugin'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { storeArtifactTests } from './store-artifacts.js'
import { storeAutomationTests } from './store-automation.js'
import { storeModelAliasTests } from './store-models.js'
import { storePartitionLeaseTests } from './store-partition-leases.js'
import { storePartitionTests } from './store-partitions.js'

/** A fresh, empty store, and how to throw it away. */
export interface StoreUnderTest {
  store: Store
  cleanup?: () => Promise<void> | void
}

/** A 16-byte hash whose bytes are all `n`. */
const h = (n: number): Buffer => Buffer.alloc(16, n)

/**
 * Registers the conformance tests of a `Store` implementation.
 *
 * @example
 * storeConformance('SqliteStore', async () => {
 *   const dir = mkdtempSync(path.join(tmpdir(), 'store-'))
 *   return { store: SqliteStore.open(dir), cleanup: () => rmSync(dir, { recursive: true }) }
 * })
 */
export function storeConformance(name: string, factory: () => Promise<StoreUnderTest>): void {
  describe(`store conformance: ${name}`, () => {
    let under: StoreUnderTest
    let store: Store
    beforeEach(async () => {
      under = await factory()
      store = under.store
    })
    afterEach(async () => {
      await store.close()
      await under.cleanup?.()
    })

    const record = (
      key: string,
      data: number,
      inputs: [string, number][] = [],
      runId = 'r1',
      extra: Partial<NewRecord> = {},
    ): Promise<number> =>
      store.recordMaterialization({
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

    describe('runs', () => {
      it('begins, finishes, lists newest first and reads back JSON columns', async () => {
        await store.beginRun({ id: 'r1', selection: ['*'], force: false, argv: ['materialize'], config: { lr: 0.1 } })
        await store.beginRun({ id: 'r2', selection: ['raw+'], force: true })
        await store.finishRun('r1', 'success', { materialized: ['raw'] })
        const r1 = await store.getRun('r1')
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
        expect(await store.getRun('r2')).toMatchObject({
          status: 'running',
          force: true,
          argv: null,
          config: null,
          summary: null,
          finishedAt: null,
        })
        expect((await store.listRuns({ limit: 10 })).map((r) => r.id)).toEqual(['r2', 'r1'])
        expect(await store.listRuns({ limit: 1 })).toHaveLength(1)
        expect(await store.getRun('nope')).toBeUndefined()
      })

      it('refuses a duplicate run id and unknown runs, naming them', async () => {
        await store.beginRun({ id: 'r1', selection: [], force: false })
        await expect(store.beginRun({ id: 'r1', selection: [], force: false })).rejects.toThrow(
          expect.objectContaining({ code: 'RIVERS_RUN_EXISTS', message: expect.stringContaining("'r1'") }),
        )
        // One at a time: a store over the network may reject a later call before an earlier one settles,
        // and a rejection nobody awaits yet is reported as unhandled.
        for (const attempt of [
          () => store.finishRun('ghost', 'success', null),
          () => store.appendEvent('ghost', 'x'),
          () => record('raw', 3, [], 'ghost'),
        ])
          await expect(attempt()).rejects.toThrow(
            expect.objectContaining({ code: 'RIVERS_RUN_NOT_FOUND', message: expect.stringContaining("'ghost'") }),
          )
      })

      it('appends and lists events in order', async () => {
        await store.beginRun({ id: 'r1', selection: [], force: false })
        await store.appendEvent('r1', 'started')
        await store.appendEvent('r1', 'skipped', 'report', { reason: 'upstream_unchanged' })
        expect((await store.runEvents('r1')).map((e) => [e.type, e.key, e.data])).toEqual([
          ['started', null, null],
          ['skipped', 'report', { reason: 'upstream_unchanged' }],
        ])
      })

      it('names the offending field when a value cannot become JSON', async () => {
        const cyclic: Record<string, unknown> = {}
        cyclic.self = cyclic
        await expect(store.beginRun({ id: 'r1', selection: [], force: false, config: cyclic })).rejects.toThrow(
          /config of run 'r1' cannot be stored as JSON/,
        )
      })
    })

    describe('records and latest', () => {
      beforeEach(async () => {
        await store.beginRun({ id: 'r1', selection: ['*'], force: false })
        await store.beginRun({ id: 'r2', selection: ['*'], force: false })
      })

      it('keeps othersVersion as it is through its own writes, and records unpartitioned batches in order', async (ctx) => {
        if (store.othersVersion === undefined) return ctx.skip()
        const before = await store.othersVersion()
        await record('raw', 1)
        const ids = await store.recordMaterializations?.([
          {
            runId: 'r1',
            key: 'clean',
            codeVersion: h(1),
            configHash: h(2),
            dataVersion: h(2),
            inputs: [{ key: 'raw', dataVersion: h(1) }],
            startedAt: new Date(),
            finishedAt: new Date(),
          },
          {
            runId: 'r1',
            key: 'report',
            codeVersion: h(1),
            configHash: h(2),
            dataVersion: h(3),
            inputs: [{ key: 'clean', dataVersion: h(2) }],
            startedAt: new Date(),
            finishedAt: new Date(),
          },
        ])
        if (ids !== undefined) expect(ids[0]!).toBeLessThan(ids[1]!)
        await store.tryAcquireLease('raw', 'r1', 60_000)
        await store.releaseLease('raw', 'r1')
        expect(await store.othersVersion()).toBe(before)
        // Reported with the changed records too, so a refresh needs no query of its own for it.
        if (store.latestRecordsSince !== undefined) {
          expect((await store.latestRecordsSince()).othersVersion).toBe(before)
          expect((await store.latestRecordsSince(undefined, { partitions: true })).othersVersion).toBe(before)
        }
      })

      it('is empty on a fresh store', async () => {
        const latest = await store.latestRecords()
        expect(latest.keys).toEqual([])
        expect(latest.depOffsets).toEqual(new Uint32Array([0]))
        expect(latest.codeVersions.length).toBe(0)
      })

      it('returns the newest record of each asset, columnar and sorted by key, with inputs in order', async () => {
        await record('raw', 10)
        await record('features', 20, [['raw', 10]])
        await record('raw', 11, [], 'r2')
        await store.recordMaterialization({
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
        await store.recordMaterialization({
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
        const l = await store.latestRecords()
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

      it('keeps partitioned records out of latestRecords', async () => {
        await record('daily', 1, [], 'r1', { partition: '2026-01-01' })
        expect((await store.latestRecords()).keys).toEqual([])
        expect((await store.assetHistory('daily'))[0]?.partition).toBe('2026-01-01')
      })

      it('writes a materialized event with the record', async () => {
        const id = await record('raw', 10)
        expect(await store.runEvents('r1')).toMatchObject([
          { type: 'materialized', key: 'raw', data: { materializationId: id, dataVersion: toHex(h(10)) } },
        ])
      })

      it('rejects a hash that is not 16 bytes and writes nothing', async () => {
        await expect(record('raw', 0, [], 'r1', { codeVersion: Buffer.alloc(15) })).rejects.toThrow(
          /codeVersion of asset 'raw' must be a 16-byte hash/,
        )
        await expect(
          record('raw', 1, [['dep', 1]], 'r1', { inputs: [{ key: 'dep', dataVersion: new Uint8Array(3) }] }),
        ).rejects.toThrow(/input 'dep' of asset 'raw'/)
        expect((await store.latestRecords()).keys).toEqual([])
        expect(await store.runEvents('r1')).toEqual([])
      })

      it('rolls the whole record back when a later part fails', async () => {
        const cyclic: Record<string, unknown> = {}
        cyclic.self = cyclic
        await expect(record('raw', 1, [], 'r1', { metadata: cyclic })).rejects.toThrow(
          /metadata of asset 'raw' cannot be stored as JSON/,
        )
        expect(await store.assetHistory('raw')).toEqual([])
      })
    })

    describe('history, metrics, checks and params', () => {
      beforeEach(async () => {
        for (const id of ['r1', 'r2', 'r3']) await store.beginRun({ id, selection: ['*'], force: false })
      })

      it('shows records newest first with inputs, metadata, metrics, checks and params', async () => {
        const first = await record('model', 1, [['features', 9]], 'r1', {
          metadata: { rows: 10 },
          metrics: [{ name: 'auc', value: 0.7 }],
          storagePath: 'model.bin',
        })
        const second = await record('model', 2, [['features', 9]], 'r2', {
          metrics: [
            { name: 'loss', value: 2, step: 0 },
            { name: 'loss', value: 1, step: 1 },
            { name: 'loss', value: Number.NaN, step: 2 },
          ],
        })
        await store.recordCheck({
          runId: 'r2',
          key: 'model',
          materializationId: second,
          name: 'auc >= 0.8',
          passed: false,
          blocking: true,
          message: 'auc 0.7',
          metadata: { auc: 0.7 },
        })
        await store.recordParams(second, { epochs: 3, token: '[redacted]' })
        const [newest, oldest] = await store.assetHistory('model')
        expect(newest).toMatchObject({
          id: second,
          runId: 'r2',
          isLatest: true,
          wipedAt: null,
          durationMs: 1500,
          dataVersion: toHex(h(2)),
          codeVersion: toHex(h(1)),
          params: { epochs: 3, token: '[redacted]' },
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
          params: null,
          metadata: { rows: 10 },
          storagePath: 'model.bin',
          metrics: [{ name: 'auc', value: 0.7 }],
        })
        expect(await store.assetHistory('model', { limit: 1 })).toHaveLength(1)
        expect(await store.assetHistory('nothing')).toEqual([])
        expect((await store.currentRecord('model'))?.params).toEqual({ epochs: 3, token: '[redacted]' })
      })

      it('replaces the params of a record, and refuses params of a record that does not exist', async () => {
        const id = await record('model', 1)
        await store.recordParams(id, { epochs: 1 })
        await store.recordParams(id, { epochs: 2 })
        expect((await store.currentRecord('model'))?.params).toEqual({ epochs: 2 })
        await expect(store.recordParams(id + 1000, { epochs: 1 })).rejects.toThrow(
          expect.objectContaining({ code: 'RIVERS_RECORD_NOT_FOUND' }),
        )
      })

      it('gives one metric value per record: the summary value, else the last step', async () => {
        await record('model', 1, [], 'r1', { metrics: [{ name: 'auc', value: 0.7 }] })
        await record('model', 2, [], 'r2', {
          metrics: [
            { name: 'auc', value: 0.5, step: 0 },
            { name: 'auc', value: 0.8, step: 3 },
          ],
        })
        await record('model', 3, [], 'r3', {
          metrics: [
            { name: 'auc', value: 0.1, step: 9 },
            { name: 'auc', value: 0.9 },
          ],
        })
        await record('other', 3, [], 'r3', { metrics: [{ name: 'auc', value: 0.2 }] })
        expect((await store.metricHistory('model', 'auc')).map((p) => [p.runId, p.value, p.step])).toEqual([
          ['r1', 0.7, null],
          ['r2', 0.8, 3],
          ['r3', 0.9, null],
        ])
        expect((await store.metricHistory('model', 'auc', { limit: 1 })).map((p) => p.runId)).toEqual(['r3'])
        expect(await store.metricHistory('model', 'nope')).toEqual([])
      })
    })

    describe('wipe', () => {
      it('forgets the latest record but keeps history, marked', async () => {
        await store.beginRun({ id: 'r1', selection: ['*'], force: false })
        await record('raw', 1)
        await record('raw', 2)
        await record('features', 3, [['raw', 2]])
        await record('daily', 4, [], 'r1', { partition: '2026-01-01' })
        expect(await store.currentRecord('raw')).toMatchObject({ dataVersion: toHex(h(2)), isLatest: true })
        expect(await store.currentRecord('daily')).toBeUndefined()
        expect((await store.currentRecord('daily', { partition: '2026-01-01' }))?.dataVersion).toBe(toHex(h(4)))
        expect(await store.wipe(['raw', 'daily', 'raw', 'unknown'])).toBe(2)
        expect(await store.currentRecord('raw')).toBeUndefined()
        expect((await store.latestRecords()).keys).toEqual(['features'])
        const history = await store.assetHistory('raw')
        expect(history).toHaveLength(2)
        expect(history.every((r) => r.wipedAt !== null && !r.isLatest)).toBe(true)
        // Materializing again makes a fresh, unwiped latest record.
        await record('raw', 5)
        expect((await store.latestRecords()).keys).toEqual(['features', 'raw'])
        expect((await store.assetHistory('raw'))[0]).toMatchObject({ isLatest: true, wipedAt: null })
        expect(await store.wipe([])).toBe(0)
      })
    })

    storeArtifactTests(() => store)
    storeAutomationTests(() => store)
    storeModelAliasTests(() => store)
    storePartitionTests(() => store)
    storePartitionLeaseTests(() => store)

    describe('leases', () => {
      beforeEach(() => store.beginRun({ id: 'r1', selection: [], force: false }))

      it('is exclusive until released or expired', async () => {
        expect(await store.tryAcquireLease('model', 'r1', 60_000)).toBe(true)
        expect(await store.tryAcquireLease('model', 'r2', 60_000)).toBe(false)
        expect(await store.tryAcquireLease('model', 'r1', 60_000)).toBe(true) // re-entrant
        expect(await store.getLease('model')).toMatchObject({ runId: 'r1', pid: process.pid })
        expect(await store.renewLease('model', 'r2', 60_000)).toBe(false)
        expect(await store.renewLease('model', 'r1', 60_000)).toBe(true)
        expect(await store.releaseLease('model', 'r2')).toBe(false)
        expect(await store.releaseLease('model', 'r1')).toBe(true)
        expect(await store.getLease('model')).toBeUndefined()
        expect(await store.tryAcquireLease('model', 'r2', 60_000)).toBe(true)
      })

      it('lets an expired lease be stolen, after which the old holder cannot renew it', async () => {
        expect(await store.tryAcquireLease('model', 'r1', 0)).toBe(true)
        await new Promise((r) => setTimeout(r, 5))
        expect(await store.tryAcquireLease('model', 'r2', 60_000)).toBe(true)
        expect(await store.renewLease('model', 'r1', 60_000)).toBe(false)
        expect((await store.getLease('model'))?.runId).toBe('r2')
      })

      it('keeps partitions apart and releases all leases of a run', async () => {
        expect(await store.tryAcquireLease('daily', 'r1', 60_000, '2026-01-01')).toBe(true)
        expect(await store.tryAcquireLease('daily', 'r2', 60_000, '2026-01-02')).toBe(true)
        expect(await store.tryAcquireLease('other', 'r1', 60_000)).toBe(true)
        expect(await store.releaseRunLeases('r1')).toBe(2)
        expect((await store.getLease('daily', '2026-01-02'))?.runId).toBe('r2')
      })

      it('refuses a bad ttl, naming the asset', async () => {
        await expect(store.tryAcquireLease('model', 'r1', -1)).rejects.toThrow(
          /Lease on asset 'model': ttlMs must be a non-negative finite number/,
        )
      })
    })

    describe('jobs', () => {
      it('records a job, its handle and states, and finds the active job of the same work', async () => {
        await store.beginRun({ id: 'r1', selection: ['*'], force: false })
        await store.beginRun({ id: 'r2', selection: ['*'], force: false })
        const id = await store.insertJob({
          runId: 'r1',
          key: 'model',
          launcher: 'slurm',
          fingerprint: 'f1',
          attempt: 2,
        })
        expect(await store.getJob(id)).toMatchObject({ runId: 'r1', key: 'model', attempt: 2, state: 'pending' })
        await store.updateJob(id, { handle: { id: '4242' }, state: 'running', startedAt: new Date(0) })
        expect((await store.activeJobs('model', 'slurm', 'f1')).map((j) => [j.id, j.handle])).toEqual([
          [id, { id: '4242' }],
        ])
        expect(await store.activeJobs('model', 'slurm', 'other')).toEqual([])
        await store.updateJob(id, { runId: 'r2', state: 'succeeded', exitCode: 0, finishedAt: new Date(1) })
        expect(await store.activeJobs('model', 'slurm', 'f1')).toEqual([])
        expect((await store.listJobs({ runId: 'r2' })).map((j) => [j.key, j.state, j.exitCode])).toEqual([
          ['model', 'succeeded', 0],
        ])
        expect(await store.listJobs({ key: 'model' })).toHaveLength(1)
        expect(await store.updateJob(id + 1000, { state: 'failed' })).toBe(false)
      })
    })
  })
}
