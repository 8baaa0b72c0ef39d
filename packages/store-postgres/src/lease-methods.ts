/**
 * The lease methods of `PostgresStore` (a base class between `PostgresReads` and it): whole-asset and
 * batched partition leases, their holders, and the unexpired leases the tick engine reads. Each call
 * is one statement (see leases.ts for how a take decides between two runs).
 */
import type { Lease } from '@rivers-orchestrator/rivers/plugin'
import * as leases from './leases.js'
import { PostgresReads } from './reads.js'

/**
 * Lease methods of the PostgreSQL store (see `PostgresStore`).
 *
 * @example
 * const store = await PostgresStore.open(url)
 * if (await store.tryAcquireLease('model', runId, 60_000)) await store.releaseLease('model', runId)
 */
export class PostgresLeases extends PostgresReads {
  /**
   * Takes an asset's lease for `ttlMs` if free, expired or already this run's (one statement).
   *
   * @example
   * if (!(await store.tryAcquireLease('model', runId, 60_000))) console.log('another run builds model')
   */
  async tryAcquireLease(key: string, runId: string, ttlMs: number, partition = ''): Promise<boolean> {
    const [ok] = await leases.takeLeases(this.db, key, [partition], runId, ttlMs)
    return ok === true
  }

  /**
   * Extends a lease this run holds; false if another run took it or it was released.
   *
   * @example
   * await store.renewLease('model', runId, 60_000)
   */
  async renewLease(key: string, runId: string, ttlMs: number, partition = ''): Promise<boolean> {
    return (await leases.renewLeases(this.db, key, [partition], runId, ttlMs)) > 0
  }

  /**
   * Gives up a lease; false if this run did not hold it.
   *
   * @example
   * await store.releaseLease('model', runId)
   */
  async releaseLease(key: string, runId: string, partition = ''): Promise<boolean> {
    return (await leases.releaseLeases(this.db, key, [partition], runId)) > 0
  }

  /**
   * Takes the leases of many partitions in one statement; per partition whether this run holds it.
   *
   * @example
   * const taken = await store.tryAcquirePartitionLeases('events', days, runId, 60_000)
   */
  async tryAcquirePartitionLeases(
    key: string,
    partitions: readonly string[],
    runId: string,
    ttlMs: number,
  ): Promise<boolean[]> {
    return leases.takeLeases(this.db, key, leases.checkPartitions(key, partitions), runId, ttlMs)
  }

  /**
   * Extends this run's leases among `partitions`; returns how many it still holds.
   *
   * @example
   * await store.renewPartitionLeases('events', days, runId, 60_000)
   */
  async renewPartitionLeases(
    key: string,
    partitions: readonly string[],
    runId: string,
    ttlMs: number,
  ): Promise<number> {
    return leases.renewLeases(this.db, key, leases.checkPartitions(key, partitions), runId, ttlMs)
  }

  /**
   * Gives up this run's leases among `partitions`; returns how many.
   *
   * @example
   * await store.releasePartitionLeases('events', days, runId)
   */
  async releasePartitionLeases(key: string, partitions: readonly string[], runId: string): Promise<number> {
    return leases.releaseLeases(this.db, key, leases.checkPartitions(key, partitions), runId)
  }

  /**
   * Gives up every lease a run holds; returns how many.
   *
   * @example
   * await store.releaseRunLeases(runId)
   */
  async releaseRunLeases(runId: string): Promise<number> {
    return leases.releaseRun(this.db, runId)
  }

  /**
   * The holders (possibly expired) of partitions' leases, in order.
   *
   * @example
   * const [holder] = await store.partitionLeaseHolders('events', ['2024-01-01'])
   */
  async partitionLeaseHolders(key: string, partitions: readonly string[]): Promise<(Lease | undefined)[]> {
    return leases.leaseHolders(this.db, key, leases.checkPartitions(key, partitions))
  }

  /**
   * The current holder of an asset's lease (possibly expired), or undefined.
   *
   * @example
   * const lease = await store.getLease('model')
   */
  async getLease(key: string, partition = ''): Promise<Lease | undefined> {
    const [lease] = await leases.leaseHolders(this.db, key, [partition])
    return lease
  }

  /**
   * Every lease not expired at `now` (default: the server's clock), in one query.
   *
   * @example
   * const running = await store.activeLeases()
   */
  async activeLeases(now?: number): Promise<Lease[]> {
    return leases.activeLeases(this.db, now)
  }
}
