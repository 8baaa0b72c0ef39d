/**
 * Daily, weekly and monthly partitions: windows of whole local days, weeks or months in a time zone.
 *
 * Index ↔ key is day or month arithmetic (O(1), no `Intl`); a window's instants come from the zone's
 * cached offsets, so a day in Europe/Berlin spans 23 hours on the last Sunday of March and 25 on the
 * last Sunday of October. A start with a time of day (`'2024-01-01T06:00'`) makes every window begin
 * at that local time; keys stay dates. A local start time that does not exist on some day (skipped
 * by clocks going forward) begins that day's window when the gap ends; one that occurs twice begins
 * it at the first occurrence.
 */
import {
  civilFromDays,
  clampWall,
  DAY,
  dateKey,
  daysFromCivil,
  daysInMonth,
  exactDate,
  exactMonth,
  HOUR,
  monthKey,
  parseDateParts,
  weekday,
} from './calendar.js'
import { invalidPartitions } from './errors.js'
import {
  instantOfWall,
  TimeWindowBase,
  type TimePeriod,
  type TimeWindowOptions,
  type TimeWindowPartitions,
} from './time-base.js'

/**
 * Options of `weekly`: those of every time window, and the first day of the week.
 *
 * @example
 * const opts: WeeklyOptions = { start: '2024-01-07', weekStartsOn: 0 }
 */
export interface WeeklyOptions extends TimeWindowOptions {
  /** 0 = Sunday … 6 = Saturday; default 1 (Monday, as ISO 8601). `start` must fall on this weekday. */
  readonly weekStartsOn?: 0 | 1 | 2 | 3 | 4 | 5 | 6
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

type Parts = NonNullable<ReturnType<typeof parseDateParts>>

function calendarProblem(p: Parts): string | undefined {
  if (p.m < 1 || p.m > 12) return `month ${p.m} does not exist`
  if (p.d !== undefined && (p.d < 1 || p.d > daysInMonth(p.y, p.m)))
    return `day ${p.d} does not exist in ${monthKey(p.y * 12 + p.m - 1)}`
  if (p.hour !== undefined && p.hour > 23) return `hour ${p.hour} does not exist`
  return undefined
}

class CalendarWindows extends TimeWindowBase {
  readonly kind: Exclude<TimePeriod, 'hourly'>
  readonly origin: number
  protected readonly example: string
  /** Local time of day at which windows begin, in ms. */
  private readonly timeOfDay: number
  /** Day number of window 0. */
  private readonly day0: number
  /** Month number (`year * 12 + month - 1`) of window 0 (monthly). */
  private readonly month0: number

  constructor(kind: Exclude<TimePeriod, 'hourly'>, options: WeeklyOptions) {
    const what = `${kind} partitions`
    super(what, options)
    this.kind = kind
    this.day0 = Math.floor(this.startWall / DAY)
    this.timeOfDay = this.startWall - this.day0 * DAY
    const c = civilFromDays(this.day0)
    this.month0 = c.y * 12 + c.m - 1
    if (kind === 'weekly') {
      const first = options.weekStartsOn ?? 1
      if (!Number.isInteger(first) || first < 0 || first > 6)
        throw invalidPartitions(
          what,
          `weekStartsOn ${String(first)} is not a weekday`,
          'write 0 (Sunday) to 6 (Saturday)',
        )
      const wd = weekday(this.day0)
      if (wd !== first) {
        const before = dateKey(this.day0 - ((wd - first + 7) % 7))
        throw invalidPartitions(
          what,
          `start ${dateKey(this.day0)} is a ${WEEKDAYS[wd]}, but weeks start on ${WEEKDAYS[first]}`,
          `start on '${before}', or set weekStartsOn: ${wd} to start weeks on ${WEEKDAYS[wd]}s`,
        )
      }
    }
    if (kind === 'monthly' && c.d !== 1)
      throw invalidPartitions(
        what,
        `start ${dateKey(this.day0)} is not the first day of a month`,
        `start on '${monthKey(this.month0)}-01'`,
      )
    this.origin = kind === 'monthly' ? this.month0 : kind === 'weekly' ? this.day0 / 7 : this.day0
    this.example =
      kind === 'monthly'
        ? `'${monthKey(this.month0)}' (YYYY-MM)`
        : kind === 'weekly'
          ? `'${dateKey(this.day0)}' (YYYY-MM-DD, a ${WEEKDAYS[weekday(this.day0)]})`
          : `'${dateKey(this.day0)}' (YYYY-MM-DD)`
    this.checkEnd(what)
  }

  private firstDay(i: number): number {
    if (this.kind === 'daily') return this.day0 + i
    if (this.kind === 'weekly') return this.day0 + 7 * i
    const m = this.month0 + i
    return daysFromCivil(Math.floor(m / 12), (((m % 12) + 12) % 12) + 1, 1)
  }

  private indexOfDay(day: number): number {
    if (this.kind === 'daily') return day - this.day0
    if (this.kind === 'weekly') return Math.floor((day - this.day0) / 7)
    const c = civilFromDays(day)
    return c.y * 12 + c.m - 1 - this.month0
  }

  startMs(i: number): number {
    return instantOfWall(this.zone, this.firstDay(i) * DAY + this.timeOfDay)
  }

  indexAt(instant: Date | number): number {
    const t = typeof instant === 'number' ? instant : instant.getTime()
    let i = this.indexOfDay(Math.floor((this.zone.wallOf(t) - this.timeOfDay) / DAY))
    // Around a clock change the local day and the window can differ by one.
    if (this.startMs(i) > t) i--
    else if (this.startMs(i + 1) <= t) i++
    return i
  }

  protected keyOf(i: number): string {
    return this.kind === 'monthly' ? monthKey(this.month0 + i) : dateKey(this.firstDay(i))
  }

  protected parse(key: string): number | { reason: string; near: number | undefined } {
    if (this.kind === 'monthly') {
      const month = exactMonth(key)
      if (!Number.isNaN(month)) return month - this.month0
    } else if (key.length === 10) {
      const day = exactDate(key)
      if (!Number.isNaN(day) && (this.kind === 'daily' || (day - this.day0) % 7 === 0)) return this.indexOfDay(day)
    }
    const p = parseDateParts(key)
    const shape = this.kind === 'monthly' ? 'a month YYYY-MM' : 'a date YYYY-MM-DD'
    if (p === undefined) return { reason: `it is not ${shape}`, near: undefined }
    const near = clampWall(p) - (p.hour ?? 0) * HOUR - (p.minute ?? 0) * 60_000 + this.timeOfDay
    const problem = calendarProblem(p)
    if (problem !== undefined) return { reason: problem, near }
    if (this.kind === 'monthly') {
      if (p.d !== undefined) return { reason: `${this.kind} keys name a month (YYYY-MM)`, near }
      const i = p.y * 12 + p.m - 1 - this.month0
      return this.keyOf(i) === key ? i : { reason: `it is not written as ${shape}`, near }
    }
    if (p.d === undefined) return { reason: `${this.kind} keys name a day (YYYY-MM-DD), not a month`, near }
    if (p.hour !== undefined) return { reason: `${this.kind} keys have no time of day`, near }
    const day = daysFromCivil(p.y, p.m, p.d)
    if (this.kind === 'weekly' && (((day - this.day0) % 7) + 7) % 7 !== 0)
      return { reason: `weekly keys are the first day of each week, a ${WEEKDAYS[weekday(this.day0)]}`, near }
    const i = this.indexOfDay(day)
    return this.keyOf(i) === key ? i : { reason: `it is not written as ${shape}`, near }
  }
}

/**
 * Daily partitions: one per local day in `timezone` (default UTC), keys `'2024-01-05'`. On a day
 * when clocks change, the window spans 23 or 25 hours.
 *
 * @example
 * const days = daily({ start: '2024-01-01', timezone: 'Europe/Berlin' })
 * days.keyAt(4) // '2024-01-05'
 * days.window(90) // 2024-03-31, 23 hours: { start: 2024-03-30T23:00Z, end: 2024-03-31T22:00Z }
 */
export function daily(options: TimeWindowOptions): TimeWindowPartitions {
  return new CalendarWindows('daily', options)
}

/**
 * Weekly partitions: one per local week, keyed by its first day (`'2024-01-01'`). Weeks start on
 * `weekStartsOn` (default Monday), and `start` must be such a day.
 *
 * @example
 * const weeks = weekly({ start: '2024-01-01' })
 * weeks.keyAt(1) // '2024-01-08'
 */
export function weekly(options: WeeklyOptions): TimeWindowPartitions {
  return new CalendarWindows('weekly', options)
}

/**
 * Monthly partitions: one per local calendar month, keys `'2024-01'`. `start` must be a first of the month.
 *
 * @example
 * const months = monthly({ start: '2024-01-01' })
 * months.indexOf('2025-02') // 13
 */
export function monthly(options: TimeWindowOptions): TimeWindowPartitions {
  return new CalendarWindows('monthly', options)
}
