/**
 * Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), and the text of
 * time-window keys. Pure arithmetic, no `Date`: O(1) and allocation-free apart from the key strings.
 */

/**
 * Milliseconds in a day.
 *
 * @example
 * const tomorrow = Date.now() + DAY
 */
export const DAY = 86_400_000

/**
 * Milliseconds in an hour.
 *
 * @example
 * const inAnHour = Date.now() + HOUR
 */
export const HOUR = 3_600_000

/**
 * Day number of a civil date (month 1-12), after Howard Hinnant's `days_from_civil`.
 *
 * @example
 * daysFromCivil(1970, 1, 1) // 0
 */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y
  const era = Math.floor(yy / 400)
  const yoe = yy - era * 400
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/**
 * Civil date of a day number (inverse of `daysFromCivil`).
 *
 * @example
 * civilFromDays(19723) // { y: 2024, m: 1, d: 1 }
 */
export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return { y: m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d }
}

/**
 * Days in a month (month 1-12), leap years included.
 *
 * @example
 * daysInMonth(2024, 2) // 29
 */
export function daysInMonth(y: number, m: number): number {
  return m === 12 ? 31 : daysFromCivil(y, m + 1, 1) - daysFromCivil(y, m, 1)
}

/**
 * Weekday of a day number: 0 = Sunday … 6 = Saturday.
 *
 * @example
 * weekday(0) // 4: 1970-01-01 was a Thursday
 */
export function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7
}

const PAD2 = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : `${n}`))
const p2 = (n: number): string => PAD2[n] ?? `${n}`
const p4 = (n: number): string => (n >= 1000 && n <= 9999 ? `${n}` : `${n}`.padStart(4, '0'))

/**
 * `YYYY-MM-DD` of a day number.
 *
 * @example
 * dateKey(19723) // '2024-01-01'
 */
export function dateKey(days: number): string {
  // civilFromDays inlined: no object per key.
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400
  return `${p4(y)}-${p2(m)}-${p2(d)}`
}

/**
 * `YYYY-MM` of a month number (`year * 12 + month - 1`).
 *
 * @example
 * monthKey(2024 * 12) // '2024-01'
 */
export function monthKey(month: number): string {
  return `${p4(Math.floor(month / 12))}-${p2((month % 12) + 1)}`
}

/**
 * `YYYY-MM-DDTHH:MM` of a wall-clock time (ms on the UTC scale read as local time).
 *
 * @example
 * minuteKey(Date.UTC(2024, 0, 5, 13)) // '2024-01-05T13:00'
 */
export function minuteKey(wall: number): string {
  const days = Math.floor(wall / DAY)
  const ms = wall - days * DAY
  const h = Math.floor(ms / HOUR)
  const min = Math.floor((ms - h * HOUR) / 60_000)
  return `${dateKey(days)}T${p2(h)}:${p2(min)}`
}

/**
 * `+HH:MM` / `-HH:MM` of an offset in ms.
 *
 * @example
 * offsetText(3_600_000) // '+01:00'
 */
export function offsetText(offset: number): string {
  const sign = offset < 0 ? '-' : '+'
  const minutes = Math.round(Math.abs(offset) / 60_000)
  return `${sign}${p2(Math.floor(minutes / 60))}:${p2(minutes % 60)}`
}

/**
 * The parts of a date-time text `YYYY-MM-DD[THH:MM][±HH:MM]` (also `YYYY-MM`), leniently: the
 * numbers as written, not checked against the calendar (so that a did-you-mean can clamp them).
 * `undefined` when the text has another shape.
 *
 * @example
 * parseDateParts('2024-13-01') // { y: 2024, m: 13, d: 1, hour: undefined, minute: undefined, offset: undefined }
 */
export function parseDateParts(text: string):
  | {
      y: number
      m: number
      d: number | undefined
      hour: number | undefined
      minute: number | undefined
      offset: number | undefined
    }
  | undefined {
  const m = /^(\d{4})-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::00)?(Z|[+-]\d{2}:\d{2})?)?)?$/.exec(text.trim())
  if (m === null) return undefined
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s))
  let offset: number | undefined
  if (m[6] !== undefined)
    offset =
      m[6] === 'Z' ? 0 : (m[6][0] === '-' ? -1 : 1) * (Number(m[6].slice(1, 3)) * HOUR + Number(m[6].slice(4)) * 60_000)
  return { y: Number(m[1]), m: Number(m[2]), d: num(m[3]), hour: num(m[4]), minute: num(m[5]), offset }
}

/**
 * Clamp lenient date parts to a real calendar date-time (month 1-12, day within the month, hour
 * 0-23, minute 0-59): the wall-clock ms of the nearest valid moment.
 *
 * @example
 * clampWall({ y: 2024, m: 2, d: 30, hour: undefined, minute: undefined }) // 2024-02-29T00:00 as wall ms
 */
export function clampWall(p: {
  y: number
  m: number
  d: number | undefined
  hour?: number | undefined
  minute?: number | undefined
}): number {
  const month = Math.min(12, Math.max(1, p.m))
  const day = Math.min(daysInMonth(p.y, month), Math.max(1, p.d ?? 1))
  const hour = Math.min(23, Math.max(0, p.hour ?? 0))
  const minute = Math.min(59, Math.max(0, p.minute ?? 0))
  return daysFromCivil(p.y, month, day) * DAY + hour * HOUR + minute * 60_000
}

const ZERO = 48
const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Two ASCII digits at `i`, or -1. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - ZERO
  const b = s.charCodeAt(i + 1) - ZERO
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

/**
 * The day number of a text that is exactly a calendar date `YYYY-MM-DD` (the fast path of key
 * parsing: no regex, no allocation), or NaN when it is not. Only the first 10 characters are read.
 *
 * @example
 * exactDate('2024-01-01') // 19723
 * exactDate('2024-02-30') // NaN
 */
export function exactDate(s: string): number {
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Number.NaN
  const hi = digits2(s, 0)
  const lo = digits2(s, 2)
  const m = digits2(s, 5)
  const d = digits2(s, 8)
  if (hi < 0 || lo < 0 || m < 1 || m > 12 || d < 1) return Number.NaN
  const y = hi * 100 + lo
  if (d > (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : MONTH_DAYS[m]!)) return Number.NaN
  return daysFromCivil(y, m, d)
}

/**
 * The wall-clock ms of a text that is exactly `YYYY-MM-DDTHH:MM` (a real date and time), or NaN.
 *
 * @example
 * exactMinute('2024-01-05T13:00') // Date.UTC(2024, 0, 5, 13)
 */
export function exactMinute(s: string): number {
  if (s.length !== 16 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58) return Number.NaN
  const day = exactDate(s)
  const h = digits2(s, 11)
  const min = digits2(s, 14)
  if (Number.isNaN(day) || h < 0 || h > 23 || min < 0 || min > 59) return Number.NaN
  return day * DAY + h * HOUR + min * 60_000
}

/**
 * The month number (`year * 12 + month - 1`) of a text that is exactly `YYYY-MM`, or NaN.
 *
 * @example
 * exactMonth('2024-02') // 2024 * 12 + 1
 */
export function exactMonth(s: string): number {
  if (s.length !== 7 || s.charCodeAt(4) !== 45) return Number.NaN
  const hi = digits2(s, 0)
  const lo = digits2(s, 2)
  const m = digits2(s, 5)
  return hi < 0 || lo < 0 || m < 1 || m > 12 ? Number.NaN : (hi * 100 + lo) * 12 + m - 1
}
