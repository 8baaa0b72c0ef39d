/**
 * Parsing the options of the automation commands: durations (`--interval 5s`, `--debounce 300ms`),
 * the catch-up policy (`--catch-up skip|latest|all:N`) and the lease time of the daemon. Kept free
 * of the library so that commander can call them before a project loads.
 */
import { badCatchUp, badDuration } from './errors.js'

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/

/** The daemon's lease lasts this many intervals without renewal… */
export const LEASE_INTERVALS = 3
/** …and never less than this (ms). */
export const MIN_LEASE_MS = 15_000

/**
 * A commander parser for a duration option: `250ms`, `5s`, `1.5m`, `2h` (a unit is required).
 *
 * @example
 * durationOption('--interval', '5s')('250ms') // 250
 */
export function durationOption(flag: string, example: string): (value: string) => number {
  return (value) => {
    const match = DURATION.exec(value.trim())
    const ms = match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
    if (!Number.isFinite(ms) || ms <= 0) throw badDuration(flag, value, example)
    return ms
  }
}

/** How the daemon treats cron ticks it missed while it was down (the engine's `TickOptions.catchUp`). */
export type CatchUp = 'skip' | 'latest' | { all: number }

/**
 * `skip`, `latest` or `all:N` (N ≥ 1).
 *
 * @example
 * parseCatchUp('all:10') // { all: 10 }
 */
export function parseCatchUp(value: string): CatchUp {
  const v = value.trim()
  if (v === 'skip' || v === 'latest') return v
  const m = /^all:(\d+)$/.exec(v)
  const n = m === null ? Number.NaN : Number(m[1])
  if (!Number.isSafeInteger(n) || n < 1) throw badCatchUp(value)
  return { all: n }
}

/**
 * How long the daemon's lease lasts without renewal: 3 intervals, at least 15 s.
 *
 * @example
 * leaseTtlMs(5_000) // 15000
 */
export function leaseTtlMs(intervalMs: number): number {
  return Math.max(MIN_LEASE_MS, LEASE_INTERVALS * intervalMs)
}
