/**
 * The part of the `Store` conformance suite about partitions: partitioned records (per (asset,
 * partition) latest rows, inputs with their partitions, kept out of the unpartitioned reads), many
 * records in one transaction, dynamic partition sets and backfills. These methods are optional on
 * `Store`: a test is skipped for a store without the method it covers.
 */
import type { NewRecord, Store } from '@rivers-orchestrator/rivers/plugin'
import { describe, expect, it } from 'vitest'

const h = (n: number): Buffer => Buffer.alloc(16, n)

/** A record of `key` in run r1 (begun by the test) with data version `data`. */
function rec(key: string, data: number, extra: Partial<NewRecord> = {}): NewRecord {
  return {
    runId: 'r1',
    key,
    codeVersion: h(1),
    configHash: h(2),
    dataVersion: h(data),
    inputs: [],
    startedAt: new Date('2026-01-01T00:00:00.000Z'),
    finishedAt: new Date('2026-01-01T00:00:01.000Z'),
    ...extra,
  }
}

/**
 * Registers the partition tests inside a store's conformance suite; `store()` is the fresh store of
 * the running test.
 *
 * @example
 * storePartitionTests(() => store)
 */
export function storePartitionTests(store: () => Store): void {
  describe('partitions', () => {
    it('hands the partitioned rows recorded since a cursor with the unpartitioned ones', async (ctx) => {
      const s = store()
      if (s.latestRecordsSince === undefined || s.latestPartitionRecords === undefined) return ctx.skip()
      await s.beginRun({ id: 'r1', selection: ['*'], force: false })
      await s.recordMaterialization(rec('events', 1, { partition: '2024-01-01' }))
      const { cursor } = await s.latestRecordsSince()
      const none = await s.latestRecordsSince(cursor, { partitions: true })
      expect(none.all).toBe(false)
      if (none.partitions === undefined) return ctx.skip() // a store that leaves them out: readers reload
      expect(none.partitions.count).toBe(0)
      await s.recordMaterialization(rec('raw', 2))
      await s.recordMaterialization(
        rec('events', 3, { partition: '2024-01-02', inputs: [{ key: 'raw', dataVersion: h(2) }] }),
      )
      await s.recordMaterialization(rec('events', 4, { partition: '2024-01-01' }))
      const since = await s.latestRecordsSince(cursor, { partitions: true })
      expect(since.all).toBe(false)
      expect(since.packed.keys).toBe('raw')
      const p = since.partitions!
      expect(p.count).toBe(2)
      expect(p.keys.split('\n')).toEqual(['events', 'events'])
      expect(p.partitions.split('\n').sort()).toEqual(['2024-01-01', '2024-01-02'])
      expect([...p.inputCounts].sort()).toEqual([0, 1])
      const again = await s.latestRecordsSince(since.cursor, { partitions: true })
      expect([again.packed.count, again.partitions?.count]).toEqual([0, 0])
    })

    it('tells which partitions another run recorded after a record id (the watermark of a load)', async (ctx) => {
      const s = store()
      if (s.partitionsRecordedAfter === undefined || s.lastRecordId === undefined) return ctx.skip()
      expect(await s.lastRecordId()).toBe(0)
      await s.beginRun({ id: 'r1', selection: ['*'], force: false })
      await s.beginRun({ id: 'r2', selection: ['*'], force: false })
      await s.recordMaterialization(rec('events', 1, { partition: '2024-01-01' }))
      const seen = await s.lastRecordId()
      expect(seen).toBeGreaterThan(0)
      const days = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04']
      expect(await s.partitionsRecordedAfter('events', days, seen, 'r1')).toEqual([])
      // r2 builds two days after the watermark; r1's own later record is not "another run's".
      await s.recordMaterialization(rec('events', 2, { partition: '2024-01-02', runId: 'r2' }))
      await s.recordMaterialization(rec('events', 3, { partition: '2024-01-04', runId: 'r2' }))
      await s.recordMaterialization(rec('events', 4, { partition: '2024-01-03' }))
      await s.recordMaterialization(rec('other', 5, { partition: '2024-01-01', runId: 'r2' }))
      expect((await s.partitionsRecordedAfter('events', days, seen, 'r1')).sort()).toEqual(['2024-01-02', '2024-01-04'])
      expect(await s.partitionsRecordedAfter('events', days, await s.lastRecordId(), 'r1')).toEqual([])
      // A newer record of r1 replaces r2's: the partition's latest record is r1's again.
      await s.recordMaterialization(rec('events', 6, { partition: '2024-01-02' }))
      expect(await s.partitionsRecordedAfter('events', days, seen, 'r1')).toEqual(['2024-01-04'])
      expect(await s.partitionsRecordedAfter('events', [], seen, 'r1')).toEqual([])
    })

    it('keeps the latest record per (asset, partition) with its inputs, apart from unpartitioned ones', async (ctx) => {
      const s = store()
      if (s.latestPartitionRecords === undefined) return ctx.skip()
      await s.beginRun({ id: 'r1', selection: ['*'], force: false })
      await s.recordMaterialization(rec('raw', 1))
      await s.recordMaterialization(
        rec('events', 10, { partition: '2024-01-05', inputs: [{ key: 'raw', dataVersion: h(1) }] }),
      )
      await s.recordMaterialization(rec('events', 11, { partition: '2024-01-06' }))
      await s.recordMaterialization(
        rec('events', 12, { partition: '2024-01-05', inputs: [{ key: 'raw', dataVersion: h(1) }] }),
      )
      const rolling = await s.recordMaterialization(
        rec('weekly', 20, {
          partition: '2024-01-07',
          inputs: [
            { key: 'events', partition: '2024-01-01...2024-01-07', dataVersion: h(12) },
            { key: 'raw', dataVersion: h(1) },
          ],
        }),
      )

      const packed = await s.latestRecordsPacked?.()
      if (packed !== undefined) expect(packed.keys).toBe('raw')
      expect((await s.latestRecords()).keys).toEqual(['raw'])

      const p = await s.latestPartitionRecords(['weekly', 'events', 'raw', 'events'])
      expect(p.count).toBe(3)
      expect(p.keys.split('\n')).toEqual(['weekly', 'events', 'events'])
      expect(p.partitions.split('\n')).toEqual(['2024-01-07', '2024-01-05', '2024-01-06'])
      expect(p.dataVersions.equals(Buffer.concat([h(20), h(12), h(11)]))).toBe(true)
      expect([...p.inputCounts]).toEqual([2, 1, 0])
      expect(p.inputKeys.split('\n')).toEqual(['events', 'raw', 'raw'])
      expect(p.inputPartitions.split('\n')).toEqual(['2024-01-01...2024-01-07', '', ''])
      expect(p.inputVersions.equals(Buffer.concat([h(12), h(1), h(1)]))).toBe(true)
      expect(p.kinds.split('\n')).toEqual(['materialization', 'materialization', 'materialization'])

      const current = await s.currentRecord('weekly', { partition: '2024-01-07' })
      expect(current).toMatchObject({ id: rolling, partition: '2024-01-07', isLatest: true })
      expect(current?.inputs.map((i) => [i.key, i.partition])).toEqual([
        ['events', '2024-01-01...2024-01-07'],
        ['raw', ''],
      ])
      expect(await s.currentRecord('weekly')).toBeUndefined()
      expect((await s.currentRecord('events', { partition: '2024-01-05' }))?.dataVersion).toBe(h(12).toString('hex'))
      expect((await s.latestPartitionRecords([])).count).toBe(0)
    })

    it('records many partitions in one call, all or none', async (ctx) => {
      const s = store()
      if (s.recordMaterializations === undefined || s.latestPartitionRecords === undefined) return ctx.skip()
      await s.beginRun({ id: 'r1', selection: ['*'], force: false })
      const days = ['2024-01-01', '2024-01-02', '2024-01-03']
      const ids = await s.recordMaterializations(days.map((day, i) => rec('events', i, { partition: day })))
      expect(ids).toHaveLength(3)
      expect(new Set(ids).size).toBe(3)
      expect((await s.latestPartitionRecords(['events'])).partitions.split('\n')).toEqual(days)
      const bad = [
        rec('events', 9, { partition: '2024-01-04' }),
        rec('events', 9, { partition: '2024-01-05', runId: 'nope' }),
      ]
      await expect(s.recordMaterializations(bad)).rejects.toThrow(/nope/)
      expect((await s.latestPartitionRecords(['events'])).count).toBe(3)
    })

    it('keeps dynamic partition sets by position, holes for removed keys', async (ctx) => {
      const s = store()
      if (s.addDynamicPartitions === undefined || s.removeDynamicPartitions === undefined) return ctx.skip()
      const slots = (set: string) => s.dynamicPartitionSlots!(set)
      expect(await slots('customers')).toEqual([])
      expect(await s.addDynamicPartitions('customers', ['acme', 'globex', 'acme'])).toBe(2)
      expect(await s.addDynamicPartitions('customers', ['globex', 'initech'])).toBe(1)
      expect(await slots('customers')).toEqual(['acme', 'globex', 'initech'])
      expect(await s.removeDynamicPartitions('customers', ['acme', 'initech'])).toBe(2)
      expect(await slots('customers')).toEqual([null, 'globex', null])
      expect(await s.addDynamicPartitions('customers', ['acme'])).toBe(1)
      expect(await slots('customers')).toEqual([null, 'globex', null, 'acme'])
      expect(await slots('regions')).toEqual([])
      await expect(s.removeDynamicPartitions('customers', ['globex', 'globx'])).rejects.toThrow(
        /customers.*'globx'.*Did you mean 'globex'/,
      )
      expect(await slots('customers')).toEqual([null, 'globex', null, 'acme'])
      await expect(s.removeDynamicPartitions('customers', ['initech'])).rejects.toThrow(/initech/)
    })

    it('stores backfills with progress per asset, newest first, and names unknown ids', async (ctx) => {
      const s = store()
      if (s.createBackfill === undefined || s.backfill === undefined) return ctx.skip()
      const ranges = { events: [['2024-01-01', '2024-01-31']] as [string, string][] }
      await s.createBackfill({
        id: 'bf-1',
        selection: ['events+'],
        ranges,
        batch: 10,
        planned: { events: 31, weekly: 5 },
        createdAt: new Date('2026-01-01T00:00:00.000Z'),
      })
      await s.createBackfill({
        id: 'bf-2',
        selection: ['events'],
        ranges,
        batch: 1,
        planned: { events: 31 },
        createdAt: new Date('2026-01-02T00:00:00.000Z'),
      })
      await expect(s.createBackfill({ id: 'bf-1', selection: [], ranges: {}, batch: 1, planned: {} })).rejects.toThrow(
        /bf-1/,
      )
      await s.updateBackfillProgress!('bf-1', [{ key: 'events', done: 10, failed: 1 }], { runId: 'run-a' })
      await s.updateBackfillProgress!(
        'bf-1',
        [
          { key: 'events', done: 30, failed: 1 },
          { key: 'weekly', done: 5, failed: 0 },
        ],
        {
          runId: 'run-b',
        },
      )
      await s.updateBackfillProgress!('bf-1', [], { runId: 'run-b' })
      await s.finishBackfill!('bf-1', 'interrupted')

      const b = await s.backfill('bf-1')
      expect(b).toMatchObject({
        id: 'bf-1',
        selection: ['events+'],
        ranges,
        batch: 10,
        status: 'interrupted',
        runIds: ['run-a', 'run-b'],
        createdAt: '2026-01-01T00:00:00.000Z',
      })
      expect(b.progress).toEqual([
        { key: 'events', planned: 31, done: 30, failed: 1 },
        { key: 'weekly', planned: 5, done: 5, failed: 0 },
      ])
      expect((await s.backfills!()).map((x) => [x.id, x.status])).toEqual([
        ['bf-2', 'running'],
        ['bf-1', 'interrupted'],
      ])
      expect((await s.backfills!({ limit: 1 })).map((x) => x.id)).toEqual(['bf-2'])
      await expect(s.backfill('bf-3')).rejects.toThrow(/'bf-3'.*bf-2, bf-1/)
      await expect(s.finishBackfill!('bf-3', 'done')).rejects.toThrow(/'bf-3'/)
      await expect(s.updateBackfillProgress!('bf-3', [])).rejects.toThrow(/'bf-3'/)
    })
  })
}
