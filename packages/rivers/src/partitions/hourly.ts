/**
 * Hourly partitions: consecutive 60-minute windows of real time from `start`, keyed by their local
 * start time in the time zone.
 *
 * Clock changes (decided here, tested in hourly.test.ts):
 * - spring forward (Europe/Berlin, 2024-03-31): the skipped hour has no partition. `…T01:00` is
 *   followed by `…T03:00`; `indexOf('2024-03-31T02:00')` fails and suggests `'2024-03-31T03:00'`.
 * - fall back (2024-10-27): the repeated hour has two partitions. The first keeps the plain key
 *   `'2024-10-27T02:00'`, the second carries its offset: `'2024-10-27T02:00+01:00'`. Every key is
 *   unique and `keyAt(indexOf(k)) === k`.
 * - zones whose clocks move by 30 minutes (Australia/Lord_Howe) keep 60-minute windows, so keys
 *   after such a change end in `:30`.
 *
 * Index ↔ instant is arithmetic (`start + i hours`); the local time of an instant is a lookup in
 * the zone's cached offsets. O(1) for `keyAt` and `indexOf`.
 */
import { clampWall, daysInMonth, exactMinute, HOUR, minuteKey, offsetText, parseDateParts } from './calendar.js'
import { TimeWindowBase, type TimeWindowOptions, type TimeWindowPartitions } from './time-base.js'

class HourlyWindows extends TimeWindowBase {
  readonly kind = 'hourly' as const
  readonly origin: number
  protected readonly example: string
  private readonly t0: number

  constructor(options: TimeWindowOptions) {
    super('hourly partitions', options)
    this.t0 = this.start.getTime()
    this.origin = this.t0 / HOUR
    this.example = `'${minuteKey(this.startWall)}' (YYYY-MM-DDTHH:MM, local time in ${this.timezone})`
    this.checkEnd('hourly partitions')
  }

  startMs(i: number): number {
    return this.t0 + i * HOUR
  }

  indexAt(instant: Date | number): number {
    const t = typeof instant === 'number' ? instant : instant.getTime()
    return Math.floor((t - this.t0) / HOUR)
  }

  protected keyOf(i: number): string {
    const t = this.t0 + i * HOUR
    const stable = this.zone.stableOffset(t)
    if (!Number.isNaN(stable)) return minuteKey(t + stable)
    const offset = this.zone.offsetAt(t)
    const wall = t + offset
    const at = this.zone.instantsOf(wall)
    const key = minuteKey(wall)
    return at.kind === 'twice' && at.later === t ? key + offsetText(offset) : key
  }

  protected parse(key: string): number | { reason: string; near: number | undefined } {
    const wall = exactMinute(key)
    if (!Number.isNaN(wall)) {
      const stable = this.zone.stableOffset(wall)
      const i = (wall - stable - this.t0) / HOUR
      if (Number.isInteger(i)) return i
    }
    const p = parseDateParts(key)
    const shape = 'a local date-time YYYY-MM-DDTHH:MM'
    if (p === undefined || p.d === undefined) return { reason: `it is not ${shape}`, near: undefined }
    const near = clampWall(p)
    if (p.m < 1 || p.m > 12) return { reason: `month ${p.m} does not exist`, near }
    if (p.d < 1 || p.d > daysInMonth(p.y, p.m)) return { reason: `day ${p.d} does not exist in that month`, near }
    if (p.hour === undefined || p.minute === undefined) return { reason: 'hourly keys have a time of day', near }
    if (p.hour > 23 || p.minute > 59) return { reason: `${p.hour}:${p.minute} is not a time of day`, near }
    let t: number
    if (p.offset !== undefined) {
      t = near - p.offset
      if (this.zone.offsetAt(t) !== p.offset)
        return { reason: `the offset ${offsetText(p.offset)} is not in force then in ${this.timezone}`, near }
    } else {
      const at = this.zone.instantsOf(near)
      if (at.kind === 'gap') {
        const after = minuteKey(this.zone.wallOf(at.gapEnd))
        return {
          reason: `clocks skip this time in ${this.timezone} (they move on to ${after.slice(11)})`,
          near: at.gapEnd + this.zone.offsetAt(at.gapEnd),
        }
      }
      t = at.kind === 'once' ? at.at : at.earlier
    }
    const i = (t - this.t0) / HOUR
    if (!Number.isInteger(i)) return { reason: `hourly windows begin at :${minuteKey(this.startWall).slice(14)}`, near }
    return this.keyOf(i) === key ? i : { reason: `it is not written as the key of its hour`, near }
  }
}

/**
 * Hourly partitions: one per hour from `start`, keys `'2024-01-05T13:00'` in local time. The hour
 * skipped when clocks go forward has no partition; the second pass of the hour repeated when they go
 * back is keyed with its offset (`'2024-10-27T02:00+01:00'`).
 *
 * @example
 * const hours = hourly({ start: '2024-01-01T00:00', timezone: 'Europe/Berlin' })
 * hours.keyAt(13) // '2024-01-01T13:00'
 */
export function hourly(options: TimeWindowOptions): TimeWindowPartitions {
  return new HourlyWindows(options)
}
