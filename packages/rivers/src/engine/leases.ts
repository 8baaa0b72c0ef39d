/**
 * Asset leases: "run R is materializing asset K", so that two runs (two processes, or two machines
 * sharing a store) never build the same asset at once. A run waits for another live run's lease,
 * takes over at once the lease of a process of this machine that died, and renews what it holds.
 */
import type { Logger } from 'pino'

import type { Store } from '../store/store.js'
import { holderIsGone } from './recovery.js'

/** How long an asset lease lasts without renewal: a crashed holder blocks others at most this long. */
export const LEASE_TTL_MS = 30_000

/** How a lease was taken. */
export type Acquired =
  /** At once. */
  | 'free'
  /** After waiting for another run (or taking over from a dead one): the store may have changed. */
  | 'waited'
  /** The run was cancelled while waiting. */
  | 'cancelled'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Leases taken ahead at most, with the one a visit asks for (see `RunLeases.acquire`). */
export const LEASES_AHEAD = 32

/**
 * The leases of one run. A visit's `acquire` also takes, in the same transaction, the free leases
 * of assets about to be visited (`ahead`): most visits then find theirs already held and cost the
 * store nothing. One timer renews every lease held.
 *
 * @example
 * const leases = new RunLeases(store, runId, log, signal)
 * if ((await leases.acquire('model')) !== 'cancelled') {
 *   const release = leases.hold('model')
 *   try { await materializeAsset(run, id, retry) } finally { await release() }
 * }
 */
export class RunLeases {
  readonly #store: Store
  readonly #runId: string
  readonly #log: Logger
  readonly #signal: AbortSignal
  readonly #pollMs: number
  /** Keys whose lease this run holds (taken, and not released yet). */
  readonly #held = new Set<string>()
  /** Keys being taken ahead by another visit's acquire (not asked for again meanwhile). */
  readonly #taking = new Set<string>()
  /** Keys held because they were taken ahead, whose own visit has not asked for them yet. */
  readonly #ahead = new Set<string>()
  /** Keys whose own visit asked for their lease (never counted as taken ahead from then on). */
  readonly #claimed = new Set<string>()
  /**
   * Releases on their way to the store, by key: a take of the same key waits for its release first
   * (on a store that runs calls at once, such as PostgreSQL's pool, the release could otherwise land
   * after the take and free a lease this run believes it holds).
   */
  readonly #releasing = new Map<string, Promise<void>>()
  #renewer: NodeJS.Timeout | undefined

  constructor(store: Store, runId: string, log: Logger, signal: AbortSignal, pollMs = 100) {
    this.#store = store
    this.#runId = runId
    this.#log = log
    this.#signal = signal
    this.#pollMs = pollMs
  }

  /**
   * Takes the lease of `key`, waiting while another live run holds it. `ahead` names assets about
   * to be visited: their leases are taken with this one when free (a key already held costs nothing).
   *
   * @example
   * const how = await leases.acquire('model', () => ['report']) // 'free' | 'waited' | 'cancelled'
   */
  async acquire(key: string, ahead?: () => readonly string[]): Promise<Acquired> {
    this.#claimed.add(key)
    if (this.#held.has(key)) {
      this.#ahead.delete(key)
      return 'free'
    }
    await this.#releasing.get(key)
    const keys = [key]
    for (const k of ahead?.() ?? [])
      if (k !== key && !this.#held.has(k) && !this.#taking.has(k) && !this.#releasing.has(k)) keys.push(k)
    for (const k of keys) this.#taking.add(k)
    // Queued together: one transaction for all of them.
    let taken: boolean[]
    try {
      taken = await Promise.all(keys.map((k) => this.#store.tryAcquireLease(k, this.#runId, LEASE_TTL_MS)))
    } finally {
      for (const k of keys) this.#taking.delete(k)
    }
    for (const [i, k] of keys.entries()) {
      if (!taken[i]) continue
      this.#taken(k)
      // A visit may have claimed it while it was being taken (then it is that visit's, not ahead).
      if (i > 0 && !this.#claimed.has(k)) this.#ahead.add(k)
    }
    if (taken[0]) return 'free'
    return this.#wait(key)
  }

  /** The lease of `key` is held by another run: wait for it (or take it over from a dead one). */
  async #wait(key: string): Promise<Acquired> {
    // Leases taken ahead go back before waiting: held while this run waits for another run that
    // waits for them, they would deadlock both (8 runs of 1,000 independent assets did).
    await Promise.all([...this.#ahead].map((k) => this.release(k)))
    let waited = false
    while (!(await this.#store.tryAcquireLease(key, this.#runId, LEASE_TTL_MS))) {
      const holder = await this.#store.getLease(key)
      if (holderIsGone(holder)) {
        // Its process died (kill -9): no need to wait for the lease to expire.
        this.#log.warn(
          { asset: key, holder: holder!.runId, pid: holder!.pid },
          `taking over ${key} from run ${holder!.runId}, whose process (pid ${holder!.pid}) is gone`,
        )
        await this.#store.releaseLease(key, holder!.runId)
        waited = true
        continue
      }
      if (!waited) {
        this.#log.info(
          { asset: key, holder: holder?.runId },
          `waiting for run ${holder?.runId ?? '?'} (pid ${holder?.pid ?? '?'}), which is materializing ${key}`,
        )
        waited = true
      }
      if (this.#signal.aborted) return 'cancelled'
      await sleep(this.#pollMs)
    }
    this.#taken(key)
    return 'waited'
  }

  #taken(key: string): void {
    this.#held.add(key)
    // One timer renews every lease held; it stops when none is.
    this.#renewer ??= setInterval(() => this.#renewAll(), LEASE_TTL_MS / 3)
  }

  #renewAll(): void {
    if (this.#held.size === 0) {
      clearInterval(this.#renewer)
      this.#renewer = undefined
      return
    }
    for (const key of this.#held)
      this.#store.renewLease(key, this.#runId, LEASE_TTL_MS).catch((e: unknown) => {
        this.#log.warn({ err: e, asset: key }, `could not renew the lease of ${key}`)
      })
  }

  /**
   * Keeps the lease of `key` renewed until the returned function releases it (a release that fails
   * is logged: the lease then expires by itself).
   *
   * @example
   * const release = leases.hold('model')
   * await release()
   */
  hold(key: string): () => Promise<void> {
    this.#taken(key)
    return () => this.release(key)
  }

  /**
   * Releases the lease of `key` if this run holds it (a lease taken ahead for an asset that was
   * then skipped, for one); nothing otherwise.
   *
   * @example
   * await leases.release('report')
   */
  async release(key: string): Promise<void> {
    this.#ahead.delete(key)
    if (!this.#held.delete(key)) return
    if (this.#held.size === 0 && this.#renewer !== undefined) {
      clearInterval(this.#renewer)
      this.#renewer = undefined
    }
    const released = this.#store.releaseLease(key, this.#runId).then(() => undefined)
    const settled = released.catch(() => undefined)
    this.#releasing.set(key, settled)
    try {
      await released
    } catch (e) {
      this.#log.warn({ err: e, asset: key }, `could not release the lease of ${key}; it expires by itself`)
    } finally {
      if (this.#releasing.get(key) === settled) this.#releasing.delete(key)
    }
  }

  /**
   * Stops renewing (the run is over; its leases are released with `Store.releaseRunLeases`).
   *
   * @example
   * leases.dispose()
   */
  dispose(): void {
    clearInterval(this.#renewer)
    this.#renewer = undefined
    this.#held.clear()
  }
}
