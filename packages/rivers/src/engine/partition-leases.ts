/**
 * Partition leases: "run R is materializing partitions P of asset K", taken a chunk at a time in one
 * store call, so that runs on disjoint partitions of one asset (two backfills of different years)
 * run at once, and two runs never build the same partition. A partition held by another live run
 * waits; one held by a process of this machine that died is taken over at once. After taking a
 * chunk, the partitions another run recorded since this run loaded the store are reported, so the
 * caller reloads and re-verifies them instead of building them again. With a store that cannot
 * tell what other runs recorded, the run leases the whole asset (`RunLeases`) and these are no-ops.
 */
import type { Logger } from 'pino'

import type { Store } from '../store/store.js'
import { LEASE_TTL_MS } from './leases.js'
import { holderIsGone } from './recovery.js'

/** What taking a chunk's leases gave. */
export interface TakenChunk {
  /** Partitions now held by this run. */
  taken: string[]
  /** Partitions another live run holds: try again later. */
  busy: string[]
  /** Of `taken`, those another run recorded since this run's last load of the store. */
  recordedElsewhere: string[]
}

/**
 * The partition leases one run holds on one asset, renewed together until released.
 *
 * @example
 * const leases = new PartitionLeases(store, runId, 'events', log, () => state.seenRecordId)
 * const { taken, busy } = await leases.take(['2024-01-01', '2024-01-02'])
 * await leases.release(taken)
 * await leases.close()
 */
export class PartitionLeases {
  readonly #store: Store
  readonly #runId: string
  readonly #key: string
  readonly #log: Logger
  readonly #seen: () => number | undefined
  readonly #held = new Set<string>()
  #renew: NodeJS.Timeout | undefined
  #waitingLogged = false

  constructor(store: Store, runId: string, key: string, log: Logger, seen: () => number | undefined) {
    this.#store = store
    this.#runId = runId
    this.#key = key
    this.#log = log
    this.#seen = seen
  }

  /**
   * Whether a store can lease partitions and tell what other runs recorded (otherwise the engine
   * leases the whole asset).
   *
   * @example
   * const perPartition = PartitionLeases.supported(store) // else: lease the whole asset
   */
  static supported(store: Store): boolean {
    return store.partitionsRecordedAfter !== undefined && store.lastRecordId !== undefined
  }

  /**
   * Takes the leases of `partitions` that are free (or whose holder died); reports the others as busy.
   *
   * @example
   * const { taken, busy, recordedElsewhere } = await leases.take(keys)
   */
  async take(partitions: readonly string[]): Promise<TakenChunk> {
    if (partitions.length === 0) return { taken: [], busy: [], recordedElsewhere: [] }
    // A store without per-partition support: the run holds the whole asset's lease instead.
    if (!PartitionLeases.supported(this.#store)) return { taken: [...partitions], busy: [], recordedElsewhere: [] }
    const store = this.#store
    let got = await store.tryAcquirePartitionLeases(this.#key, partitions, this.#runId, LEASE_TTL_MS)
    let busy = partitions.filter((_, i) => !got[i])
    if (busy.length > 0) {
      const holders = await store.partitionLeaseHolders(this.#key, busy)
      const dead = new Map<string, string[]>()
      holders.forEach((h, i) => {
        if (h !== undefined && holderIsGone(h)) dead.set(h.runId, [...(dead.get(h.runId) ?? []), busy[i]!])
      })
      for (const [runId, keys] of dead) {
        this.#log.warn(
          { asset: this.#key, holder: runId, partitions: keys.length },
          `taking over ${keys.length} partition(s) of ${this.#key} from run ${runId}, whose process is gone`,
        )
        await store.releasePartitionLeases(this.#key, keys, runId)
      }
      if (dead.size > 0) {
        const retry = await store.tryAcquirePartitionLeases(this.#key, busy, this.#runId, LEASE_TTL_MS)
        const again = new Map(busy.map((k, i) => [k, retry[i]!]))
        got = partitions.map((k, i) => got[i]! || again.get(k) === true)
        busy = partitions.filter((_, i) => !got[i])
      }
      if (busy.length > 0 && !this.#waitingLogged) {
        this.#waitingLogged = true
        const holder = holders.find((h) => h !== undefined && !holderIsGone(h))
        this.#log.info(
          { asset: this.#key, holder: holder?.runId, partitions: busy.length },
          `waiting for run ${holder?.runId ?? '?'} (pid ${holder?.pid ?? '?'}), which is materializing partitions of ${this.#key}`,
        )
      }
    }
    const taken = partitions.filter((_, i) => got[i])
    for (const k of taken) this.#held.add(k)
    this.#renew ??= setInterval(() => void this.#renewAll(), LEASE_TTL_MS / 3)
    const seen = this.#seen()
    const recordedElsewhere =
      taken.length === 0 || seen === undefined
        ? []
        : await store.partitionsRecordedAfter!(this.#key, taken, seen, this.#runId)
    return { taken, busy, recordedElsewhere }
  }

  /**
   * Gives up `partitions` (after their records are written, or when they were not built). A release
   * that fails is logged: the leases then expire by themselves.
   *
   * @example
   * await leases.release(['2024-01-01'])
   */
  async release(partitions: readonly string[]): Promise<void> {
    if (!PartitionLeases.supported(this.#store)) return
    const mine = partitions.filter((k) => this.#held.delete(k))
    if (mine.length === 0) return
    try {
      await this.#store.releasePartitionLeases(this.#key, mine, this.#runId)
    } catch (e) {
      this.#log.warn(
        { err: e, asset: this.#key },
        `could not release ${mine.length} partition lease(s) of ${this.#key}`,
      )
    }
  }

  /**
   * Stops renewing and releases what is still held.
   *
   * @example
   * await leases.close()
   */
  async close(): Promise<void> {
    clearInterval(this.#renew)
    this.#renew = undefined
    await this.release([...this.#held])
  }

  async #renewAll(): Promise<void> {
    if (this.#held.size === 0) return
    try {
      await this.#store.renewPartitionLeases(this.#key, [...this.#held], this.#runId, LEASE_TTL_MS)
    } catch (e) {
      this.#log.warn({ err: e, asset: this.#key }, `could not renew the partition leases of ${this.#key}`)
    }
  }
}
