/**
 * Cron expressions (5 fields: minute hour day-of-month month day-of-week) and their ticks in an
 * IANA time zone.
 *
 * Semantics are Vixie cron's: `*`, lists `a,b`, ranges `a-b`, steps `*\/n`, `a-b/n` and `a/n` (from a
 * to the field's end), month and weekday names (`jan`, `mon`, case-insensitive), weekday 7 = Sunday,
 * the aliases @hourly @daily (@midnight) @weekly @monthly @yearly (@annually). When both day fields
 * are restricted (neither starts with `*`), a day matches if EITHER matches (`0 0 1 * mon`: the 1st
 * and every Monday); otherwise both must.
 *
 * Ticks are wall-clock times in the zone. Across daylight-saving changes a wall time that does not
 * exist that day (spring forward) is skipped, and one that occurs twice (fall back) fires once, at
 * its first occurrence; so `30 2 * * *` in Europe/Zurich does not fire on the last Sunday of March,
 * and `*\/15 * * * *` is silent during the repeated hour in October.
 *
 * The search steps by calendar day (skipping whole months that do not match) and, within a day, over
 * the matching hours and minutes only; time-zone offsets come from `Intl.DateTimeFormat`, two reads
 * per day visited, cached.
 */
import { invalidCron, invalidTimeZone } from './errors.js'

/**
 * A parsed cron expression: the expression as written and the sorted values each field allows.
 *
 * @example
 * const s: CronSchedule = parseCron('0 3 * * mon-fri')
 * s.hours // [3]
 */
export interface CronSchedule {
  readonly expr: string
  readonly minutes: readonly number[]
  readonly hours: readonly number[]
  readonly daysOfMonth: readonly number[]
  readonly months: readonly number[]
  /** 0 = Sunday … 6 = Saturday (7 in the expression is read as 0). */
  readonly daysOfWeek: readonly number[]
  /** The day-of-month field starts with `*` (not restricted for the either-day rule). */
  readonly anyDayOfMonth: boolean
  /** The day-of-week field starts with `*`. */
  readonly anyDayOfWeek: boolean
}

interface Field {
  readonly name: string
  readonly min: number
  readonly max: number
  readonly names?: readonly string[]
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['', 'jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
]

const ALIASES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}

const SHAPE = "write 5 fields 'minute hour day-of-month month day-of-week', e.g. '0 3 * * *' (03:00 daily)"

/** Longest month each month can have (February: 29, in leap years). */
const MONTH_MAX = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function value(expr: string, f: Field, text: string): number {
  const lower = text.toLowerCase()
  const named = f.names?.indexOf(lower) ?? -1
  if (named > 0 || (named === 0 && f.name === 'day-of-week')) return named
  if (!/^\d+$/.test(text)) {
    const names = f.names ? `, or a name (${f.names.filter((n) => n !== '').join(' ')})` : ''
    throw invalidCron(
      expr,
      `${f.name} '${text}' is not a number`,
      `write a ${f.name} from ${f.min} to ${f.max}${names}`,
    )
  }
  const n = Number(text)
  if (n < f.min || n > f.max)
    throw invalidCron(
      expr,
      `${f.name} ${n} is out of range ${f.min}-${f.max}`,
      `write a ${f.name} from ${f.min} to ${f.max}`,
    )
  return n
}

function parseField(expr: string, f: Field, text: string): number[] {
  const set = new Set<number>()
  for (const item of text.split(',')) {
    const m = /^([^/]+)(?:\/(.*))?$/.exec(item)
    if (item === '' || m === null)
      throw invalidCron(
        expr,
        `${f.name} '${text}' has an empty item`,
        `write items separated by single commas, e.g. '1,15'`,
      )
    const base = m[1] as string
    const stepText = m[2]
    let step = 1
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0)
        throw invalidCron(expr, `${f.name} step '/${stepText}' is not a positive integer`, `write a step such as '*/5'`)
      step = Number(stepText)
    }
    let lo: number
    let hi: number
    if (base === '*') {
      lo = f.min
      hi = f.name === 'day-of-week' ? 6 : f.max
    } else {
      const dash = base.indexOf('-')
      if (dash >= 0) {
        lo = value(expr, f, base.slice(0, dash))
        hi = value(expr, f, base.slice(dash + 1))
        if (lo > hi)
          throw invalidCron(
            expr,
            `${f.name} range '${base}' runs backwards`,
            `write the smaller value first, or a list ('${base.replace('-', ',')}')`,
          )
      } else {
        lo = value(expr, f, base)
        hi = stepText === undefined ? lo : f.name === 'day-of-week' ? 6 : f.max
      }
    }
    for (let v = lo; v <= hi; v += step) set.add(f.name === 'day-of-week' && v === 7 ? 0 : v)
  }
  return [...set].sort((a, b) => a - b)
}

/**
 * Parses a cron expression: 5 fields (minute hour day-of-month month day-of-week), `*`, lists,
 * ranges, steps, names (jan, mon), and @hourly @daily @weekly @monthly @yearly. Throws a
 * `RiversError` (`RIVERS_INVALID_CRON`) naming the expression, the field and the fix, also for an
 * expression that can never fire (`0 0 30 feb *`).
 *
 * @example
 * const nightly = parseCron('0 3 * * *')
 * const weekdays = parseCron('*\/15 9-17 * * mon-fri')
 */
export function parseCron(expr: string): CronSchedule {
  if (typeof expr !== 'string') throw invalidCron(expr, `expected a string, got ${typeof expr}`, SHAPE)
  const trimmed = expr.trim()
  let body = trimmed
  if (trimmed.startsWith('@')) {
    const alias = ALIASES[trimmed.toLowerCase()]
    if (alias === undefined)
      throw invalidCron(
        expr,
        `unknown alias '${trimmed}'`,
        `write one of ${Object.keys(ALIASES).join(' ')}, or 5 fields`,
      )
    body = alias
  }
  const parts = body === '' ? [] : body.split(/\s+/)
  if (parts.length !== 5) throw invalidCron(expr, `expected 5 fields, got ${parts.length}`, SHAPE)
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = FIELDS.map((f, i) =>
    parseField(expr, f, parts[i] as string),
  )
  const anyDayOfMonth = (parts[2] as string).startsWith('*')
  const anyDayOfWeek = (parts[4] as string).startsWith('*')
  const schedule: CronSchedule = Object.freeze({
    expr,
    minutes: Object.freeze(minutes as number[]),
    hours: Object.freeze(hours as number[]),
    daysOfMonth: Object.freeze(daysOfMonth as number[]),
    months: Object.freeze(months as number[]),
    daysOfWeek: Object.freeze(daysOfWeek as number[]),
    anyDayOfMonth,
    anyDayOfWeek,
  })
  // Only the day-of-month alone (day-of-week '*') can make a schedule that never fires.
  if (!anyDayOfMonth && anyDayOfWeek) {
    const first = schedule.daysOfMonth[0] as number
    if (!schedule.months.some((m) => first <= (MONTH_MAX[m] as number)))
      throw invalidCron(
        expr,
        `day-of-month ${schedule.daysOfMonth.join(',')} never occurs in month ${schedule.months.join(',')}`,
        'write a day that the month has',
      )
  }
  return schedule
}

// ---- time zones ------------------------------------------------------------------------------

interface Zone {
  /** Wall-clock time of instant `t` in the zone, as epoch ms of the same fields in UTC (to the second). */
  wall(t: number): number
  /** Offsets (wall - instant) just before and just after local day `dayWall` (cached). */
  dayOffsets(dayWall: number): readonly [number, number]
}

const ZONES = new Map<string, Zone>()
const DAY = 86_400_000
const HOUR = 3_600_000

/**
 * The wall clock of time zone `tz`: for an instant (epoch ms), its local date and time to the second,
 * written as if it were UTC (epoch ms). One `Intl` formatter per call of this function; callers keep
 * the reader.
 *
 * @example
 * wallClock('Europe/Zurich')(Date.parse('2026-01-01T12:00:00Z')) // Date.parse('2026-01-01T13:00:00Z')
 */
export function wallClock(tz: string): (t: number) => number {
  if (tz === 'UTC') return (t) => t - (((t % 1000) + 1000) % 1000)
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  })
  return (t) => {
    const f: Record<string, string> = {}
    for (const p of fmt.formatToParts(t)) f[p.type] = p.value
    const year = f.era === 'BC' || f.era === 'B' ? 1 - Number(f.year) : Number(f.year)
    const d = new Date(0)
    d.setUTCFullYear(year, Number(f.month) - 1, Number(f.day))
    d.setUTCHours(Number(f.hour) % 24, Number(f.minute), Number(f.second), 0)
    return d.getTime()
  }
}

function makeZone(tz: string): Zone {
  const wall = wallClock(tz)
  const cache = new Map<number, readonly [number, number]>()
  return {
    wall,
    dayOffsets(dayWall) {
      let o = cache.get(dayWall)
      if (o === undefined) {
        // Instants whose wall time is surely before (after) the local day, for offsets in -12h..+14h.
        const before = dayWall - 15 * HOUR
        const after = dayWall + DAY + 13 * HOUR
        o = [wall(before) - before, wall(after) - after]
        if (cache.size > 4096) cache.clear()
        cache.set(dayWall, o)
      }
      return o
    },
  }
}

function zone(tz: string): Zone {
  let z = ZONES.get(tz)
  if (z === undefined) {
    checkTimeZone(tz)
    z = makeZone(tz)
    ZONES.set(tz, z)
  }
  return z
}

/**
 * Validates an IANA time zone with `Intl` and returns its canonical name (`'europe/zurich'` →
 * `'Europe/Zurich'`). Throws a `RiversError` (`RIVERS_INVALID_TIMEZONE`) naming it.
 *
 * @example
 * const tz = checkTimeZone('Europe/Zurich')
 */
export function checkTimeZone(tz: string): string {
  if (typeof tz !== 'string' || tz === '') throw invalidTimeZone(tz)
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone
  } catch {
    throw invalidTimeZone(tz)
  }
}

// ---- tick search -----------------------------------------------------------------------------

/** The first instant at which local wall time `w` occurs on a day with offsets `o`, or undefined (a gap). */
function firstInstant(z: Zone, o: readonly [number, number], w: number): number | undefined {
  if (o[0] === o[1]) return w - o[0]
  const a = w - Math.max(o[0], o[1])
  const b = w - Math.min(o[0], o[1])
  if (z.wall(a) === w) return a
  if (z.wall(b) === w) return b
  return undefined
}

function dayMatches(s: CronSchedule, dayWall: number, dom: number): boolean {
  const dow = (((Math.floor(dayWall / DAY) + 4) % 7) + 7) % 7
  const domOk = s.daysOfMonth.includes(dom)
  const dowOk = s.daysOfWeek.includes(dow)
  return s.anyDayOfMonth || s.anyDayOfWeek ? domOk && dowOk : domOk || dowOk
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

function civil(wall: number): { y: number; m: number; d: number } {
  const d = new Date(wall)
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() }
}

function dayStart(y: number, m: number, d: number): number {
  const t = new Date(0)
  t.setUTCFullYear(y, m - 1, d)
  return t.getTime()
}

/** Calendar days visited at most (400 years: a leap-day schedule skips at most 8 years). */
const MAX_STEPS = 400 * 366

function neverFires(s: CronSchedule, tz: string): Error {
  return invalidCron(s.expr, `no tick within 400 years in time zone '${tz}'`, 'write a date that exists')
}

/**
 * The first tick strictly after `after`, in time zone `tz` (DST-correct: wall-clock times that do
 * not exist are skipped, repeated ones fire once, at their first occurrence).
 *
 * @example
 * const next = nextCronTick(parseCron('0 3 * * *'), 'Europe/Zurich', new Date('2026-03-29T00:00:00Z'))
 * next.toISOString() // '2026-03-29T01:00:00.000Z' (03:00 CEST)
 */
export function nextCronTick(s: CronSchedule, tz: string, after: Date): Date {
  const z = zone(tz)
  const at = after.getTime()
  let { y, m, d } = civil(z.wall(at))
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    if (!s.months.includes(m)) {
      d = 1
      if (++m > 12) {
        m = 1
        y++
      }
      continue
    }
    const day = dayStart(y, m, d)
    if (dayMatches(s, day, d)) {
      const o = z.dayOffsets(day)
      for (const h of s.hours)
        for (const min of s.minutes) {
          const t = firstInstant(z, o, day + h * HOUR + min * 60_000)
          if (t !== undefined && t > at) return new Date(t)
        }
    }
    if (++d > daysIn(y, m)) {
      d = 1
      if (++m > 12) {
        m = 1
        y++
      }
    }
  }
  throw neverFires(s, tz)
}

/**
 * The latest tick at or before `at`, in time zone `tz` (DST-correct as {@link nextCronTick});
 * undefined when there is none within 400 years.
 *
 * @example
 * const prev = previousCronTick(parseCron('@daily'), 'UTC', new Date('2026-01-02T10:00:00Z'))
 * prev?.toISOString() // '2026-01-02T00:00:00.000Z'
 */
export function previousCronTick(s: CronSchedule, tz: string, at: Date): Date | undefined {
  const z = zone(tz)
  const limit = at.getTime()
  let { y, m, d } = civil(z.wall(limit))
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    if (!s.months.includes(m)) {
      if (--m < 1) {
        m = 12
        y--
      }
      d = daysIn(y, m)
      continue
    }
    const day = dayStart(y, m, d)
    if (dayMatches(s, day, d)) {
      const o = z.dayOffsets(day)
      for (let i = s.hours.length - 1; i >= 0; i--)
        for (let j = s.minutes.length - 1; j >= 0; j--) {
          const t = firstInstant(z, o, day + (s.hours[i] as number) * HOUR + (s.minutes[j] as number) * 60_000)
          if (t !== undefined && t <= limit) return new Date(t)
        }
    }
    if (--d < 1) {
      if (--m < 1) {
        m = 12
        y--
      }
      d = daysIn(y, m)
    }
  }
  return undefined
}

/**
 * The ticks in (from, to], oldest first, at most `limit` of them (the oldest `limit`).
 *
 * @example
 * const ticks = cronTicksBetween(parseCron('@hourly'), 'UTC', new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T03:00:00Z'), 10)
 * ticks.length // 3
 */
export function cronTicksBetween(s: CronSchedule, tz: string, from: Date, to: Date, limit: number): Date[] {
  const out: Date[] = []
  let t = from
  while (out.length < limit) {
    t = nextCronTick(s, tz, t)
    if (t.getTime() > to.getTime()) break
    out.push(t)
  }
  return out
}
