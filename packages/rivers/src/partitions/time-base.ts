/**
 * What the four time-window definitions share: options, `size(now)`, range checks, iteration and
 * windows. Each period supplies the arithmetic between indices, instants and keys.
 */
import { checkTimeZone } from '../definitions/cron.js'
import { clampWall, daysInMonth, minuteKey, parseDateParts } from './calendar.js'
import { invalidPartitions, partitionIndexOutOfRange, unknownPartition } from './errors.js'
import type { PartitionDefinition, PartitionRange, PartitionWindow } from './types.js'
import { type Zone, zoneOf } from './zone.js'

/**
 * Options of `hourly`, `daily`, `weekly` and `monthly`: the first window begins at `start` (a local
 * date or date-time in `timezone`, or a `Date`); with an `end`, the last window is the one that
 * begins before it.
 *
 * @example
 * const opts: TimeWindowOptions = { start: '2024-01-01', end: '2025-01-01', timezone: 'Europe/Berlin' }
 */
export interface TimeWindowOptions {
  /** `'2024-01-01'`, `'2024-01-01T06:00'` (local time in `timezone`) or a `Date`. */
  readonly start: string | Date
  /** Optional: no window begins at or after it. */
  readonly end?: string | Date
  /** IANA time zone of the calendar (default `'UTC'`). */
  readonly timezone?: string
}

/**
 * The period of a time-window definition.
 *
 * @example
 * const p: TimePeriod = 'weekly'
 */
export type TimePeriod = 'hourly' | 'daily' | 'weekly' | 'monthly'

/**
 * A time-window partition definition (`hourly`, `daily`, `weekly`, `monthly`).
 *
 * @example
 * const days: TimeWindowPartitions = daily({ start: '2024-01-01', timezone: 'Europe/Berlin' })
 * days.window(0).start.toISOString() // '2023-12-31T23:00:00.000Z'
 */
export interface TimeWindowPartitions extends PartitionDefinition {
  readonly kind: TimePeriod
  /** The canonical IANA time zone. */
  readonly timezone: string
  /** The instant the first window begins. */
  readonly start: Date
  /** The end given, as an instant, if any. */
  readonly end: Date | undefined
  /** The window of an index: `[start, end)`. */
  window(index: number): PartitionWindow
  /** The index of the window that contains an instant (negative before the start; not bounded by the end). */
  indexAt(instant: Date | number): number
  /** The first index whose window begins at or after an instant. */
  firstIndexFrom(instant: Date | number): number
  /** The start instant (ms) of window `index`, for any integer (no range check). */
  startMs(index: number): number
  /** Index 0 on an absolute scale of the period (hours, days, or months since 1970); equal periods differ by a whole number. */
  readonly origin: number
}

/**
 * A local wall-clock time (ms on the UTC scale) of a start or end option, validated.
 *
 * @example
 * wallOfOption('daily partitions', 'start', '2024-01-01T06:00', zoneOf('UTC')) // Date.UTC(2024, 0, 1, 6)
 */
export function wallOfOption(what: string, name: string, value: unknown, zone: Zone): number {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalidPartitions(what, `${name} is an invalid Date`, 'pass a valid Date')
    return zone.wallOf(value.getTime())
  }
  const fix = `write ${name} as a local date '2024-01-01' or date-time '2024-01-01T06:00' in the time zone, or a Date`
  if (typeof value !== 'string') throw invalidPartitions(what, `${name} is ${typeof value}`, fix)
  const p = parseDateParts(value)
  if (p === undefined || p.d === undefined || p.offset !== undefined)
    throw invalidPartitions(what, `${name} '${value}' is not a local date or date-time`, fix)
  const wall = clampWall(p)
  const exact =
    p.m >= 1 && p.m <= 12 && p.d >= 1 && p.d <= daysInMonth(p.y, p.m) && (p.hour ?? 0) < 24 && (p.minute ?? 0) < 60
  if (!exact) throw invalidPartitions(what, `${name} '${value}' is not a date of the calendar`, fix)
  return wall
}

/**
 * The first instant at or after a local wall time (the earlier of a repeated time; a skipped one
 * moves to the gap's end).
 *
 * @example
 * instantOfWall(zoneOf('Europe/Berlin'), Date.UTC(2024, 2, 31, 2, 30)) // 2024-03-31T01:00Z, when 03:00 CEST begins
 */
export function instantOfWall(zone: Zone, wall: number): number {
  const w = zone.instantsOf(wall)
  return w.kind === 'once' ? w.at : w.kind === 'twice' ? w.earlier : w.gapEnd
}

/**
 * Shared parts of the four time-window definitions; `hourly`, `daily`, `weekly` and `monthly` build
 * its subclasses.
 *
 * @example
 * const days: TimeWindowBase = daily({ start: '2024-01-01' }) as TimeWindowBase
 */
export abstract class TimeWindowBase implements TimeWindowPartitions {
  abstract readonly kind: TimePeriod
  readonly timezone: string
  readonly start: Date
  readonly end: Date | undefined
  abstract readonly origin: number
  protected readonly zone: Zone
  protected readonly startWall: number
  private endCountCache: number | undefined | null = null

  constructor(what: string, options: TimeWindowOptions) {
    if (typeof options !== 'object' || options === null)
      throw invalidPartitions(what, 'options are missing', "pass { start: '2024-01-01' }")
    this.timezone = checkTimeZone(options.timezone ?? 'UTC')
    this.zone = zoneOf(this.timezone)
    this.startWall = wallOfOption(what, 'start', options.start, this.zone)
    if (this.startWall % 60_000 !== 0)
      throw invalidPartitions(what, 'start has seconds', "start windows on a whole minute, e.g. '2024-01-01T06:00'")
    this.start = new Date(instantOfWall(this.zone, this.startWall))
    this.end =
      options.end === undefined
        ? undefined
        : new Date(instantOfWall(this.zone, wallOfOption(what, 'end', options.end, this.zone)))
  }

  /** Checks the end once the subclass is set up. */
  protected checkEnd(what: string): void {
    if (this.end !== undefined && this.endCount === 0)
      throw invalidPartitions(what, 'end is not after start', 'give an end after the start, or none')
  }

  /** Start instant (ms) of window `i`, for any integer `i`. */
  abstract startMs(i: number): number
  abstract indexAt(instant: Date | number): number
  /** The key of index `i` (not range-checked). */
  protected abstract keyOf(i: number): string
  /** The index of a key, or a reason and the nearest wall time when it is not one. */
  protected abstract parse(key: string): number | { reason: string; near: number | undefined }
  /** Example keys for messages. */
  protected abstract readonly example: string

  /** How many windows begin before the end (undefined without an end). */
  get endCount(): number | undefined {
    if (this.endCountCache === null)
      this.endCountCache = this.end === undefined ? undefined : Math.max(0, this.firstIndexFrom(this.end))
    return this.endCountCache
  }

  firstIndexFrom(instant: Date | number): number {
    const t = typeof instant === 'number' ? instant : instant.getTime()
    const i = this.indexAt(t)
    return this.startMs(i) >= t ? i : i + 1
  }

  size(now: Date = new Date()): number {
    const complete = Math.max(0, this.indexAt(now))
    const end = this.endCount
    return end === undefined ? complete : Math.min(complete, end)
  }

  private checkIndex(i: number): void {
    const end = this.endCount
    if (!Number.isSafeInteger(i) || i < 0 || (end !== undefined && i >= end))
      throw partitionIndexOutOfRange(this.describe(), i, end)
  }

  keyAt(index: number): string {
    this.checkIndex(index)
    return this.keyOf(index)
  }

  indexOf(key: string): number {
    const got = typeof key === 'string' ? this.parse(key) : { reason: 'it is not a string', near: undefined }
    if (typeof got === 'number') {
      const end = this.endCount
      if (got < 0)
        throw unknownPartition(this.describe(), key, 'it is before the first partition', this.keyOf(0), this.example)
      if (end !== undefined && got >= end)
        throw unknownPartition(
          this.describe(),
          key,
          `it is after the last partition '${this.keyOf(end - 1)}'`,
          this.keyOf(end - 1),
          this.example,
        )
      return got
    }
    throw unknownPartition(this.describe(), key, got.reason, this.nearest(got.near), this.example)
  }

  /** The valid key nearest a wall time: the key of the window containing it, clamped into the definition. */
  protected nearest(wall: number | undefined): string | undefined {
    if (wall === undefined) return undefined
    const i = this.indexAt(instantOfWall(this.zone, wall))
    const end = this.endCount
    return this.keyOf(Math.max(0, end === undefined ? i : Math.min(i, end - 1)))
  }

  window(index: number): PartitionWindow {
    this.checkIndex(index)
    return { start: new Date(this.startMs(index)), end: new Date(this.startMs(index + 1)) }
  }

  *keys(from = 0, to?: number, now?: Date): IterableIterator<string> {
    const stop = to ?? this.size(now)
    for (let i = Math.max(0, from); i < stop; i++) yield this.keyAt(i)
  }

  validRanges(from: number, to: number): PartitionRange[] {
    const end = this.endCount
    const start = Math.max(0, from)
    const stop = end === undefined ? to : Math.min(to, end)
    return start < stop ? [{ start, end: stop }] : []
  }

  describe(): string {
    const first = this.kind === 'hourly' ? minuteKey(this.startWall) : this.keyOf(0)
    const until =
      this.end === undefined ? '' : ` to ${minuteKey(this.zone.wallOf(this.end.getTime())).replace('T00:00', '')}`
    return `${this.kind} from ${first}${until} (${this.timezone})`
  }
}
