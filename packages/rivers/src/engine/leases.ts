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

/**
 * The leases of one run.
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

  constructor(store: Store, runId: string, log: Logger, signal: AbortSignal, pollMs = 100) {
    this.#store = store
    this.#runId = runId
    this.#log = log
    this.#signal = signal
    this.#pollMs = pollMs
  }

  /**
   * Takes the lease of `key`, waiting while another live run holds it.
   *
   * @example
   * const how = await leases.acquire('model') // 'free' | 'waited' | 'cancelled'
   */
  async acquire(key: string): Promise<Acquired> {
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
    return waited ? 'waited' : 'free'
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
    const renew = setInterval(() => {
      this.#store.renewLease(key, this.#runId, LEASE_TTL_MS).catch((e: unknown) => {
        this.#log.warn({ err: e, asset: key }, `could not renew the lease of ${key}`)
      })
    }, LEASE_TTL_MS / 3)
    return async () => {
      clearInterval(renew)
      try {
        await this.#store.releaseLease(key, this.#runId)
      } catch (e) {
        this.#log.warn({ err: e, asset: key }, `could not release the lease of ${key}; it expires by itself`)
      }
    }
  }
}
