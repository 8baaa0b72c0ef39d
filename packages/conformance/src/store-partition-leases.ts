/**
 * The part of the `Store` conformance suite about batched partition leases: a backfill leases the
 * partitions it builds many at a time, so that two backfills of overlapping ranges of one asset never
 * build the same partition twice. Each call is one transaction; the per-partition answers must be the
 * ones `tryAcquireLease` would give, one partition at a time.
 */
import type { Store } from '@rivers-orchestrator/rivers/plugin'
import { describe, expect, it } from 'vitest'

const days = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `2024-01-${String(from + i).padStart(2, '0')}`)

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Registers the partition-lease tests inside a store's conformance suite; `store()` is the fresh
 * store of the running test.
 *
 * @example
 * storePartitionLeaseTests(() => store)
 */
export function storePartitionLeaseTests(store: () => Store): void {
  describe('partition leases', () => {
    it('takes many partitions in one call; another run gets only the free ones, in the same call', async () => {
      const s = store()
      expect(await s.tryAcquirePartitionLeases('events', days(1, 10), 'r1', 60_000)).toEqual(
        days(1, 10).map(() => true),
      )
      const taken = await s.tryAcquirePartitionLeases('events', days(8, 12), 'r2', 60_000)
      expect(taken).toEqual([false, false, false, true, true])
      const holders = await s.partitionLeaseHolders('events', days(9, 13))
      expect(holders.map((l) => l?.runId)).toEqual(['r1', 'r1', 'r2', 'r2', undefined])
      // Other assets, and the single-partition calls, see the same leases.
      expect(await s.tryAcquirePartitionLeases('other', days(1, 2), 'r2', 60_000)).toEqual([true, true])
      expect((await s.getLease('events', '2024-01-05'))?.runId).toBe('r1')
      expect(await s.tryAcquireLease('events', 'r2', 60_000, '2024-01-05')).toBe(false)
      expect(await s.tryAcquireLease('events', 'r1', 60_000, '2024-01-13')).toBe(true)
      expect(await s.tryAcquirePartitionLeases('events', days(12, 14), 'r1', 60_000)).toEqual([false, true, true])
      expect(await s.tryAcquirePartitionLeases('events', [], 'r1', 60_000)).toEqual([])
    })

    it('is re-entrant: the same run takes its partitions again, keeping acquiredAt and extending the expiry', async () => {
      const s = store()
      await s.tryAcquirePartitionLeases('events', days(1, 3), 'r1', 1_000)
      const [first] = await s.partitionLeaseHolders('events', ['2024-01-02'])
      await sleep(5)
      const before = Date.now()
      expect(await s.tryAcquirePartitionLeases('events', days(2, 4), 'r1', 60_000)).toEqual([true, true, true])
      const after = Date.now()
      const [again, fresh] = await s.partitionLeaseHolders('events', ['2024-01-02', '2024-01-04'])
      expect(again?.acquiredAt).toBe(first?.acquiredAt)
      expect(again?.expiresAt).toBeGreaterThanOrEqual(before + 60_000)
      expect(again?.expiresAt).toBeLessThanOrEqual(after + 60_000)
      expect(fresh?.acquiredAt).toBeGreaterThanOrEqual(before)
    })

    it('lets expired partition leases be taken over; the old holder then renews only what it still holds', async () => {
      const s = store()
      expect(await s.tryAcquirePartitionLeases('events', days(1, 4), 'r1', 1)).toEqual([true, true, true, true])
      await sleep(10)
      expect(await s.tryAcquirePartitionLeases('events', days(3, 5), 'r2', 60_000)).toEqual([true, true, true])
      expect(await s.renewPartitionLeases('events', days(1, 5), 'r1', 60_000)).toBe(2) // expired, but not taken
      expect(await s.renewPartitionLeases('events', days(1, 5), 'r2', 60_000)).toBe(3)
      expect(await s.renewPartitionLeases('events', days(6, 9), 'r2', 60_000)).toBe(0)
      expect((await s.partitionLeaseHolders('events', days(1, 5))).map((l) => l?.runId)).toEqual([
        'r1',
        'r1',
        'r2',
        'r2',
        'r2',
      ])
      // A re-entrant take after the run's own lease expired starts a fresh lease.
      const [old] = await s.partitionLeaseHolders('events', ['2024-01-01'])
      await s.tryAcquirePartitionLeases('events', ['2024-01-01'], 'r1', 1)
      await sleep(10)
      const before = Date.now()
      await s.tryAcquirePartitionLeases('events', ['2024-01-01'], 'r1', 60_000)
      const [renewed] = await s.partitionLeaseHolders('events', ['2024-01-01'])
      expect(renewed?.acquiredAt).toBeGreaterThan(old?.acquiredAt ?? Number.POSITIVE_INFINITY)
      expect(renewed?.acquiredAt).toBeGreaterThanOrEqual(before)
    })

    it('releases only this run’s leases and counts them; releaseRunLeases releases every partition', async () => {
      const s = store()
      await s.tryAcquirePartitionLeases('events', days(1, 6), 'r1', 60_000)
      await s.tryAcquirePartitionLeases('events', days(7, 8), 'r2', 60_000)
      await s.tryAcquireLease('model', 'r1', 60_000)
      expect(await s.releasePartitionLeases('events', days(1, 8), 'r2')).toBe(2)
      expect(await s.releasePartitionLeases('events', days(1, 2), 'r3')).toBe(0)
      expect(await s.releasePartitionLeases('events', ['2024-01-01', '2024-01-01', '2024-01-09'], 'r1')).toBe(1)
      expect((await s.partitionLeaseHolders('events', days(1, 3))).map((l) => l?.runId)).toEqual([
        undefined,
        'r1',
        'r1',
      ])
      expect(await s.releaseRunLeases('r1')).toBe(6) // partitions 2 to 6, and model
      expect(await s.partitionLeaseHolders('events', days(1, 8))).toEqual(days(1, 8).map(() => undefined))
      expect(await s.tryAcquirePartitionLeases('events', days(1, 8), 'r2', 60_000)).toEqual(days(1, 8).map(() => true))
    })

    it('reports each holder with its run, process, host and expiry, in the order asked', async () => {
      const s = store()
      const before = Date.now()
      await s.tryAcquirePartitionLeases('events', ['2024-01-02', '2024-01-01'], 'r1', 30_000)
      const after = Date.now()
      const holders = await s.partitionLeaseHolders('events', ['2024-01-03', '2024-01-01', '2024-01-02', '2024-01-01'])
      expect(holders.map((l) => l?.partition)).toEqual([undefined, '2024-01-01', '2024-01-02', '2024-01-01'])
      const lease = holders[1]
      expect(lease).toMatchObject({ key: 'events', partition: '2024-01-01', runId: 'r1', pid: process.pid })
      expect(typeof lease?.host).toBe('string')
      expect(lease?.host).not.toBe('')
      expect(lease?.acquiredAt).toBeGreaterThanOrEqual(before)
      expect(lease?.expiresAt).toBe((lease?.acquiredAt ?? 0) + 30_000)
      expect(lease?.expiresAt).toBeLessThanOrEqual(after + 30_000)
      expect(await s.partitionLeaseHolders('events', [])).toEqual([])
    })

    it('refuses the whole-asset partition, an empty key and a bad ttl, naming the asset, and takes nothing', async () => {
      const s = store()
      await expect(s.tryAcquirePartitionLeases('events', ['2024-01-01', ''], 'r1', 60_000)).rejects.toThrow(
        /Partition lease of asset 'events': '' is the whole-asset lease.*tryAcquireLease\('events'/,
      )
      await expect(s.releasePartitionLeases('events', [''], 'r1')).rejects.toThrow(/asset 'events'.*whole-asset/)
      await expect(s.renewPartitionLeases('events', ['a\nb'], 'r1', 60_000)).rejects.toThrow(/asset 'events'.*"a\\nb"/)
      await expect(s.partitionLeaseHolders('', ['2024-01-01'])).rejects.toThrow(/asset key.*non-empty/)
      await expect(s.tryAcquirePartitionLeases('', ['2024-01-01'], 'r1', 60_000)).rejects.toThrow(/non-empty/)
      await expect(s.tryAcquirePartitionLeases('events', ['2024-01-01'], 'r1', -1)).rejects.toThrow(
        /Lease on asset 'events': ttlMs must be a non-negative finite number/,
      )
      await expect(s.renewPartitionLeases('events', ['2024-01-01'], 'r1', Number.NaN)).rejects.toThrow(
        /Lease on asset 'events': ttlMs/,
      )
      expect(await s.partitionLeaseHolders('events', ['2024-01-01'])).toEqual([undefined])
    })
  })
}
