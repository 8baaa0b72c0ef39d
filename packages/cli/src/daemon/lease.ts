/**
 * The daemon's single-instance lease: one row of the store's `leases` table under the reserved key
 * `@daemon` (not a valid asset key), holding the daemon's id, pid, host and start time. A second
 * daemon reads who holds it; a daemon whose process died (kill -9) on this machine is taken over at
 * once, one elsewhere when its lease expires (3 intervals, at least 15 s, without renewal).
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Lease, Store } from '@rivers-orchestrator/rivers/plugin'

/** The reserved lease key of the daemon. */
export const DAEMON_LEASE_KEY = '@daemon'

/** The lease operations of a store the daemon uses. */
export type LeaseStore = Pick<Store, 'tryAcquireLease' | 'renewLease' | 'releaseLease' | 'getLease'>

/** The outcome of one try to take the lease. */
export type LeaseTry =
  | {
      acquired: true /** The previous holder, when the lease was taken over from a dead or expired daemon. */
      previous?: Lease
    }
  | { acquired: false; holder: Lease }

const HOST = hostname()

/**
 * @example
 * const lease = new DaemonLease(store, 15_000)
 * const got = await lease.tryAcquire()
 * if (!got.acquired) console.log(`held by pid ${got.holder.pid}`)
 */
export class DaemonLease {
  /** The id this daemon holds the lease under (the `run_id` column). */
  readonly id: string

  constructor(
    private readonly store: LeaseStore,
    /** How long the lease lasts without renewal (ms). */
    readonly ttlMs: number,
    id = `daemon-${process.pid}-${randomBytes(4).toString('hex')}`,
  ) {
    this.id = id
  }

  /** Takes the lease if it is free, expired, ours, or held by a process of this machine that is gone. */
  async tryAcquire(): Promise<LeaseTry> {
    const before = await this.store.getLease(DAEMON_LEASE_KEY)
    if (await this.store.tryAcquireLease(DAEMON_LEASE_KEY, this.id, this.ttlMs)) {
      return before === undefined || before.runId === this.id
        ? { acquired: true }
        : { acquired: true, previous: before }
    }
    const holder = await this.store.getLease(DAEMON_LEASE_KEY)
    if (holder === undefined) return this.tryAcquire() // released in between
    if (processGone(holder)) {
      await this.store.releaseLease(DAEMON_LEASE_KEY, holder.runId)
      if (await this.store.tryAcquireLease(DAEMON_LEASE_KEY, this.id, this.ttlMs))
        return { acquired: true, previous: holder }
      const now = await this.store.getLease(DAEMON_LEASE_KEY)
      if (now !== undefined) return { acquired: false, holder: now }
      return this.tryAcquire()
    }
    return { acquired: false, holder }
  }

  /**
   * Takes the lease, polling every `pollMs` while another daemon holds it (`onWaiting` hears of each
   * new holder once). Resolves `undefined` when `signal` aborts first.
   *
   * @example
   * const got = await lease.waitFor(signal, 1000, (h) => console.log(`waiting for pid ${h.pid}`))
   */
  async waitFor(
    signal: AbortSignal,
    pollMs: number,
    onWaiting: (holder: Lease) => void,
  ): Promise<Extract<LeaseTry, { acquired: true }> | undefined> {
    let told: string | undefined
    for (;;) {
      if (signal.aborted) return undefined
      const got = await this.tryAcquire()
      if (got.acquired) return got
      if (got.holder.runId !== told) {
        told = got.holder.runId
        onWaiting(got.holder)
      }
      await sleep(pollMs, signal)
    }
  }

  /** Extends the lease; false when another daemon took it meanwhile (or it was released). */
  renew(): Promise<boolean> {
    return this.store.renewLease(DAEMON_LEASE_KEY, this.id, this.ttlMs)
  }

  /** The current holder (possibly expired), or undefined. */
  holder(): Promise<Lease | undefined> {
    return this.store.getLease(DAEMON_LEASE_KEY)
  }

  /** Gives the lease up (a no-op when another daemon holds it). */
  async release(): Promise<void> {
    await this.store.releaseLease(DAEMON_LEASE_KEY, this.id)
  }
}

/** Whether a holder is a process of this machine (not this one) that no longer exists. */
function processGone(lease: Lease): boolean {
  if (lease.host !== HOST || lease.pid === process.pid) return false
  try {
    process.kill(lease.pid, 0)
    return false
  } catch (e) {
    return (e as { code?: unknown }).code === 'ESRCH'
  }
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts.
 *
 * @example
 * await sleep(1000, stop.signal)
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
