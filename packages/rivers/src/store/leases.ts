/**
 * Leases: "run R is building asset K until time T". A lease can be taken when nobody holds it, when
 * the same run holds it (re-entrant; the expiry is extended), or when the holder's lease has expired
 * (the holder is presumed dead). Acquisition reads and writes in one IMMEDIATE transaction, so two
 * processes can never both succeed.
 */
import { hostname } from 'node:os'
import type Database from 'better-sqlite3'
import { badTtl } from './errors.js'
import type { Lease } from './types.js'

type Obj = Record<string, unknown>

/**
 * Prepared statements and operations over `leases`. `tryAcquire` must run inside an IMMEDIATE
 * transaction (the `Store` does that).
 *
 * @example
 * const leases = new LeasesTable(db)
 * db.transaction(() => leases.tryAcquire('raw', '', 'r1', 60_000)).immediate()
 */
export class LeasesTable {
  readonly #get: Database.Statement
  readonly #put: Database.Statement
  readonly #renew: Database.Statement
  readonly #release: Database.Statement
  readonly #releaseRun: Database.Statement
  readonly #active: Database.Statement
  readonly #host = hostname()

  constructor(db: Database.Database) {
    this.#get = db.prepare('SELECT * FROM leases WHERE asset_key = ? AND partition = ?')
    this.#put = db.prepare(
      `INSERT INTO leases (asset_key, partition, run_id, pid, host, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (asset_key, partition) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid, host = excluded.host,
         acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
    )
    this.#renew = db.prepare('UPDATE leases SET expires_at = ? WHERE asset_key = ? AND partition = ? AND run_id = ?')
    this.#release = db.prepare('DELETE FROM leases WHERE asset_key = ? AND partition = ? AND run_id = ?')
    this.#releaseRun = db.prepare('DELETE FROM leases WHERE run_id = ?')
    this.#active = db.prepare('SELECT * FROM leases WHERE expires_at > ?')
  }

  /** Takes the lease if free, expired, or already ours. */
  tryAcquire(key: string, partition: string, runId: string, ttlMs: number, now: number = Date.now()): boolean {
    checkTtl(key, ttlMs)
    const held = this.get(key, partition)
    if (held !== undefined && held.runId !== runId && held.expiresAt > now) return false
    const acquiredAt = held !== undefined && held.runId === runId && held.expiresAt > now ? held.acquiredAt : now
    this.#put.run(key, partition, runId, process.pid, this.#host, acquiredAt, now + ttlMs)
    return true
  }

  /**
   * Extends a lease this run holds. True if it still holds it (even if it had expired, as long as
   * nobody took it meanwhile); false if it was taken or released.
   */
  renew(key: string, partition: string, runId: string, ttlMs: number, now: number = Date.now()): boolean {
    checkTtl(key, ttlMs)
    return this.#renew.run(now + ttlMs, key, partition, runId).changes > 0
  }

  /** Gives a lease up; false if this run did not hold it. */
  release(key: string, partition: string, runId: string): boolean {
    return this.#release.run(key, partition, runId).changes > 0
  }

  /** Gives up every lease of a run (at the end of a run, or when cleaning up after a crash). */
  releaseRun(runId: string): number {
    return this.#releaseRun.run(runId).changes
  }

  /** Every lease not expired at `now`. */
  active(now: number): Lease[] {
    return (this.#active.all(now) as Obj[]).map(leaseOf)
  }

  /** The current holder, expired or not. */
  get(key: string, partition: string): Lease | undefined {
    const row = this.#get.get(key, partition) as Obj | undefined
    return row === undefined ? undefined : leaseOf(row)
  }
}

function leaseOf(row: Obj): Lease {
  return {
    key: row.asset_key as string,
    partition: row.partition as string,
    runId: row.run_id as string,
    pid: row.pid as number,
    host: row.host as string,
    acquiredAt: row.acquired_at as number,
    expiresAt: row.expires_at as number,
  }
}

function checkTtl(key: string, ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw badTtl(key, ttlMs)
}
