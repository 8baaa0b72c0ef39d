/**
 * Time-zone offsets and wall-clock arithmetic with `Intl` only.
 *
 * An offset is `wall - instant` in milliseconds (Europe/Berlin in winter: +3,600,000). Offsets are
 * read with `Intl.DateTimeFormat` once per bucket of 2^30 ms (about 12.4 days) and cached; a bucket
 * whose two ends differ holds one transition, found by bisection to the second. This assumes that a
 * zone changes its offset at most once in 12 days, which holds for every zone in the tz database
 * since 1900. After the first visit of a bucket, `offsetAt` is a map lookup.
 */
import { wallClock } from '../definitions/cron.js'

const BUCKET = 2 ** 30
const DENSE = 8192
const HOUR = 3_600_000
/** Offsets stay within -16h..+16h; an instant this far before a wall time surely shows an earlier one. */
const MARGIN = 16 * HOUR

/** One bucket: a constant offset, or one transition at `at` (the first instant of the new offset). */
type Bucket = number | { readonly before: number; readonly after: number; readonly at: number }

/**
 * Where a wall-clock time falls: one instant; two (the repeated hour when clocks go back: `earlier`
 * and `later`); or none (the skipped hour when clocks go forward: `gapEnd` is the instant the gap
 * ends, whose wall time is past `wall`).
 *
 * @example
 * const w: WallInstants = zoneOf('Europe/Berlin').instantsOf(Date.UTC(2024, 9, 27, 2, 30))
 * // { kind: 'twice', earlier: …, later: … }
 */
export type WallInstants =
  | { readonly kind: 'once'; readonly at: number }
  | { readonly kind: 'twice'; readonly earlier: number; readonly later: number }
  | { readonly kind: 'gap'; readonly gapEnd: number }

/**
 * A time zone's offsets, cached.
 *
 * @example
 * const z = zoneOf('America/New_York')
 * z.offsetAt(Date.UTC(2024, 0, 1)) // -18000000
 */
export interface Zone {
  readonly name: string
  /** `wall - instant` at an instant, in ms. */
  offsetAt(instant: number): number
  /** Wall-clock ms (a UTC-epoch number that reads as the local time) of an instant. */
  wallOf(instant: number): number
  /** The instants at which a wall-clock time occurs. */
  instantsOf(wall: number): WallInstants
  /** The offset when it is the same from 16 hours before to 16 hours after an instant, else NaN (the fast path). */
  stableOffset(instant: number): number
}

function rawOffsetReader(tz: string): (t: number) => number {
  const wall = wallClock(tz)
  return (t) => wall(t) - Math.floor(t / 1000) * 1000
}

class CachedZone implements Zone {
  private readonly buckets = new Map<number, Bucket>()
  private readonly raw: (t: number) => number

  constructor(readonly name: string) {
    this.raw = name === 'UTC' ? () => 0 : rawOffsetReader(name)
  }

  /** Buckets from 1692 to 2248 (index `b + DENSE`) in an array, the rest in the map. */
  private readonly dense: (Bucket | undefined)[] = new Array(2 * DENSE).fill(undefined)

  private bucket(b: number): Bucket {
    const inDense = b >= -DENSE && b < DENSE
    let e = inDense ? this.dense[b + DENSE] : this.buckets.get(b)
    if (e !== undefined) return e
    const lo = b * BUCKET
    const before = this.raw(lo)
    const after = this.raw(lo + BUCKET)
    if (before === after) e = before
    else {
      // The first second (from lo) whose offset is `after`.
      let l = lo / 1000
      let h = (lo + BUCKET) / 1000
      while (h - l > 1) {
        const m = Math.floor((l + h) / 2)
        if (this.raw(m * 1000) === after) h = m
        else l = m
      }
      e = { before, after, at: h * 1000 }
    }
    if (inDense) this.dense[b + DENSE] = e
    else this.buckets.set(b, e)
    return e
  }

  private lastIndex = Number.NaN
  private lastBucket: Bucket = 0

  private bucketOf(instant: number): Bucket {
    const b = Math.floor(instant / BUCKET)
    if (b !== this.lastIndex) {
      this.lastBucket = this.bucket(b)
      this.lastIndex = b
    }
    return this.lastBucket
  }

  stableOffset(instant: number): number {
    const lo = instant - MARGIN
    const hi = instant + MARGIN
    const b = Math.floor(lo / BUCKET)
    if (b === Math.floor(hi / BUCKET)) {
      const e = this.bucket(b)
      if (typeof e === 'number') return e
      return hi < e.at ? e.before : lo >= e.at ? e.after : Number.NaN
    }
    // Equal offsets at both ends mean no change between them: changes are more than 12 days apart.
    const a = this.offsetAt(lo)
    return a === this.offsetAt(hi) ? a : Number.NaN
  }

  offsetAt(instant: number): number {
    const e = this.bucketOf(instant)
    return typeof e === 'number' ? e : instant < e.at ? e.before : e.after
  }

  wallOf(instant: number): number {
    return instant + this.offsetAt(instant)
  }

  instantsOf(wall: number): WallInstants {
    const oa = this.offsetAt(wall - MARGIN)
    const ob = this.offsetAt(wall + MARGIN)
    if (oa === ob) return { kind: 'once', at: wall - oa }
    const a = wall - oa
    const b = wall - ob
    const aOk = this.offsetAt(a) === oa
    const bOk = this.offsetAt(b) === ob
    if (aOk && bOk) return { kind: 'twice', earlier: Math.min(a, b), later: Math.max(a, b) }
    if (aOk) return { kind: 'once', at: a }
    if (bOk) return { kind: 'once', at: b }
    return { kind: 'gap', gapEnd: this.transitionAfter(wall - MARGIN) }
  }

  /** The first transition at or after an instant (within the next two buckets). */
  private transitionAfter(t: number): number {
    const b = Math.floor(t / BUCKET)
    for (const k of [b, b + 1, b + 2]) {
      const e = this.bucket(k)
      if (typeof e !== 'number' && e.at >= t) return e.at
    }
    return t
  }
}

const ZONES = new Map<string, Zone>()

/**
 * The cached zone of a canonical IANA name (validate user input with `checkTimeZone` first).
 *
 * @example
 * const berlin = zoneOf('Europe/Berlin')
 */
export function zoneOf(tz: string): Zone {
  let z = ZONES.get(tz)
  if (z === undefined) {
    z = new CachedZone(tz)
    ZONES.set(tz, z)
  }
  return z
}
