import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  type CronSchedule,
  checkTimeZone,
  cronTicksBetween,
  nextCronTick,
  parseCron,
  previousCronTick,
} from './cron.js'

const iso = (d: Date | undefined): string | undefined => d?.toISOString()
const at = (s: string): Date => new Date(s)
const next = (expr: string, tz: string, after: string) => iso(nextCronTick(parseCron(expr), tz, at(after)))
const prev = (expr: string, tz: string, t: string) => iso(previousCronTick(parseCron(expr), tz, at(t)))
const message = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`
  }
  throw new Error('expected an error')
}

describe('parseCron', () => {
  it('reads every field form', () => {
    const s = parseCron('*/20 1,5-7 10-20/5 */4 3/2')
    expect(s.minutes).toEqual([0, 20, 40])
    expect(s.hours).toEqual([1, 5, 6, 7])
    expect(s.daysOfMonth).toEqual([10, 15, 20])
    expect(s.months).toEqual([1, 5, 9])
    expect(s.daysOfWeek).toEqual([3, 5])
    expect(s.anyDayOfMonth).toBe(false)
    expect(parseCron('* * * * *').minutes).toHaveLength(60)
    expect(parseCron('* * * * *').daysOfWeek).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(parseCron('0 0 * * */2').anyDayOfWeek).toBe(true)
    expect(parseCron('  0   3 * * *  ').hours).toEqual([3])
  })

  it('reads month and weekday names in any case, and 7 as Sunday', () => {
    const s = parseCron('0 0 * JAN,mar-May Mon-FRI')
    expect(s.months).toEqual([1, 3, 4, 5])
    expect(s.daysOfWeek).toEqual([1, 2, 3, 4, 5])
    expect(parseCron('0 0 * * sun').daysOfWeek).toEqual([0])
    expect(parseCron('0 0 * * 7').daysOfWeek).toEqual([0])
    expect(parseCron('0 0 * * 5-7').daysOfWeek).toEqual([0, 5, 6])
  })

  it('expands the aliases', () => {
    const fields = (e: string) => {
      const s = parseCron(e)
      return [s.minutes, s.hours, s.daysOfMonth, s.months, s.daysOfWeek].map((f) => f.join(',')).join(' ')
    }
    const all = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from).join(',')
    expect(fields('@hourly')).toBe(`0 ${all(24)} ${all(31, 1)} ${all(12, 1)} ${all(7)}`)
    expect(fields('@daily')).toBe(fields('0 0 * * *'))
    expect(fields('@midnight')).toBe(fields('0 0 * * *'))
    expect(fields('@weekly')).toBe(fields('0 0 * * 0'))
    expect(fields('@monthly')).toBe(fields('0 0 1 * *'))
    expect(fields('@yearly')).toBe(fields('0 0 1 1 *'))
    expect(fields('@ANNUALLY')).toBe(fields('0 0 1 1 *'))
    expect(parseCron('@daily').expr).toBe('@daily')
  })

  it('names the expression, the field and the fix', () => {
    expect([
      message(() => parseCron('61 * * * *')),
      message(() => parseCron('* 24 * * *')),
      message(() => parseCron('* * 0 * *')),
      message(() => parseCron('* * * 13 *')),
      message(() => parseCron('* * * * 8')),
      message(() => parseCron('* * * foo *')),
      message(() => parseCron('* * * * 5-1')),
      message(() => parseCron('*/0 * * * *')),
      message(() => parseCron('1,,2 * * * *')),
      message(() => parseCron('* * *')),
      message(() => parseCron('')),
      message(() => parseCron('@fortnightly')),
      message(() => parseCron('0 0 30 feb *')),
      message(() => parseCron(3 as unknown as string)),
    ]).toMatchInlineSnapshot(`
      [
        "RIVERS_INVALID_CRON: cron '61 * * * *': minute 61 is out of range 0-59; write a minute from 0 to 59",
        "RIVERS_INVALID_CRON: cron '* 24 * * *': hour 24 is out of range 0-23; write a hour from 0 to 23",
        "RIVERS_INVALID_CRON: cron '* * 0 * *': day-of-month 0 is out of range 1-31; write a day-of-month from 1 to 31",
        "RIVERS_INVALID_CRON: cron '* * * 13 *': month 13 is out of range 1-12; write a month from 1 to 12",
        "RIVERS_INVALID_CRON: cron '* * * * 8': day-of-week 8 is out of range 0-7; write a day-of-week from 0 to 7",
        "RIVERS_INVALID_CRON: cron '* * * foo *': month 'foo' is not a number; write a month from 1 to 12, or a name (jan feb mar apr may jun jul aug sep oct nov dec)",
        "RIVERS_INVALID_CRON: cron '* * * * 5-1': day-of-week range '5-1' runs backwards; write the smaller value first, or a list ('5,1')",
        "RIVERS_INVALID_CRON: cron '*/0 * * * *': minute step '/0' is not a positive integer; write a step such as '*/5'",
        "RIVERS_INVALID_CRON: cron '1,,2 * * * *': minute '1,,2' has an empty item; write items separated by single commas, e.g. '1,15'",
        "RIVERS_INVALID_CRON: cron '* * *': expected 5 fields, got 3; write 5 fields 'minute hour day-of-month month day-of-week', e.g. '0 3 * * *' (03:00 daily)",
        "RIVERS_INVALID_CRON: cron '': expected 5 fields, got 0; write 5 fields 'minute hour day-of-month month day-of-week', e.g. '0 3 * * *' (03:00 daily)",
        "RIVERS_INVALID_CRON: cron '@fortnightly': unknown alias '@fortnightly'; write one of @yearly @annually @monthly @weekly @daily @midnight @hourly, or 5 fields",
        "RIVERS_INVALID_CRON: cron '0 0 30 feb *': day-of-month 30 never occurs in month 2; write a day that the month has",
        "RIVERS_INVALID_CRON: cron 3: expected a string, got number; write 5 fields 'minute hour day-of-month month day-of-week', e.g. '0 3 * * *' (03:00 daily)",
      ]
    `)
  })
})

describe('checkTimeZone', () => {
  it('returns the canonical name, and names an unknown zone', () => {
    expect(checkTimeZone('Europe/Zurich')).toBe('Europe/Zurich')
    expect(checkTimeZone('UTC')).toBe('UTC')
    expect(message(() => checkTimeZone('Europe/Zurch'))).toMatchInlineSnapshot(
      `"RIVERS_INVALID_TIMEZONE: time zone 'Europe/Zurch' is not an IANA time zone known to this runtime; write a name such as 'UTC', 'Europe/Zurich' or 'America/New_York'."`,
    )
    expect(() => nextCronTick(parseCron('@daily'), 'Mars/Olympus', new Date(0))).toThrow(/Mars\/Olympus/)
  })
})

describe('nextCronTick and previousCronTick', () => {
  it('step through fields in UTC', () => {
    expect(next('*/15 * * * *', 'UTC', '2026-01-01T00:07:00Z')).toBe('2026-01-01T00:15:00.000Z')
    expect(next('*/15 * * * *', 'UTC', '2026-01-01T00:15:00Z')).toBe('2026-01-01T00:30:00.000Z')
    expect(next('0 3 * * *', 'UTC', '2026-01-01T03:00:00Z')).toBe('2026-01-02T03:00:00.000Z')
    expect(next('@yearly', 'UTC', '2026-06-01T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z')
    expect(next('0 0 29 2 *', 'UTC', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z')
    expect(next('0 0 31 * *', 'UTC', '2026-04-01T00:00:00Z')).toBe('2026-05-31T00:00:00.000Z')
    expect(prev('0 0 29 2 *', 'UTC', '2028-02-28T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z')
    expect(prev('*/15 * * * *', 'UTC', '2026-01-01T00:15:00Z')).toBe('2026-01-01T00:15:00.000Z')
    expect(prev('*/15 * * * *', 'UTC', '2026-01-01T00:14:59.999Z')).toBe('2026-01-01T00:00:00.000Z')
    expect(prev('0 9 * * mon-fri', 'UTC', '2026-01-04T12:00:00Z')).toBe('2026-01-02T09:00:00.000Z') // Sun -> Fri
  })

  it('match either day field when both are restricted, both otherwise', () => {
    // 2026-01-01 is a Thursday. '0 0 13 * fri': the 13th and every Friday.
    expect(cronTicksBetween(parseCron('0 0 13 * fri'), 'UTC', at('2026-01-01'), at('2026-01-20'), 9).map(iso)).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-09T00:00:00.000Z',
      '2026-01-13T00:00:00.000Z',
      '2026-01-16T00:00:00.000Z',
    ])
    // A day field starting with '*' is not a restriction: Fridays that are odd days.
    expect(cronTicksBetween(parseCron('0 0 */2 * fri'), 'UTC', at('2026-01-01'), at('2026-01-31'), 9).map(iso)).toEqual(
      ['2026-01-09T00:00:00.000Z', '2026-01-23T00:00:00.000Z'],
    )
  })

  it('skip a wall time that does not exist (Europe/Zurich, spring forward 2026-03-29 02:00 -> 03:00)', () => {
    const z = 'Europe/Zurich'
    expect(next('30 2 * * *', z, '2026-03-28T00:00:00Z')).toBe('2026-03-28T01:30:00.000Z') // 02:30 CET
    expect(next('30 2 * * *', z, '2026-03-28T01:30:00Z')).toBe('2026-03-30T00:30:00.000Z') // 29th skipped
    expect(prev('30 2 * * *', z, '2026-03-30T00:00:00Z')).toBe('2026-03-28T01:30:00.000Z')
    expect(next('0 3 * * *', z, '2026-03-29T00:00:00Z')).toBe('2026-03-29T01:00:00.000Z') // 03:00 CEST
    const hourly = cronTicksBetween(parseCron('0 * * * *'), z, at('2026-03-28T23:30Z'), at('2026-03-29T03:00Z'), 10)
    expect(hourly.map(iso)).toEqual([
      '2026-03-29T00:00:00.000Z', // 01:00 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST (02:00 does not exist)
      '2026-03-29T02:00:00.000Z',
      '2026-03-29T03:00:00.000Z',
    ])
  })

  it('fire a repeated wall time once, at its first occurrence (Europe/Zurich, fall back 2026-10-25 03:00 -> 02:00)', () => {
    const z = 'Europe/Zurich'
    expect(next('30 2 * * *', z, '2026-10-24T12:00:00Z')).toBe('2026-10-25T00:30:00.000Z') // 02:30 CEST
    expect(next('30 2 * * *', z, '2026-10-25T00:30:00Z')).toBe('2026-10-26T01:30:00.000Z') // not 02:30 CET
    expect(prev('30 2 * * *', z, '2026-10-25T01:45:00Z')).toBe('2026-10-25T00:30:00.000Z')
    const halfHourly = cronTicksBetween(
      parseCron('*/30 * * * *'),
      z,
      at('2026-10-24T23:59Z'),
      at('2026-10-25T02:30Z'),
      10,
    )
    expect(halfHourly.map(iso)).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST; 02:00 and 02:30 CET are repeats
      '2026-10-25T02:00:00.000Z', // 03:00 CET
      '2026-10-25T02:30:00.000Z',
    ])
  })

  it('handle zones with half-hour offsets and the southern hemisphere', () => {
    expect(next('0 0 * * *', 'Asia/Kolkata', '2026-01-01T00:00:00Z')).toBe('2026-01-01T18:30:00.000Z')
    // Sydney springs forward on 2026-10-04 02:00 -> 03:00.
    expect(next('30 2 * * *', 'Australia/Sydney', '2026-10-03T12:00:00Z')).toBe('2026-10-04T15:30:00.000Z')
  })
})

describe('cronTicksBetween', () => {
  it('returns the ticks in (from, to], oldest first, at most limit', () => {
    const s = parseCron('*/10 * * * *')
    const ticks = cronTicksBetween(s, 'UTC', at('2026-01-01T00:00Z'), at('2026-01-01T01:00Z'), 100)
    expect(ticks.map(iso)).toEqual(
      [10, 20, 30, 40, 50].map((m) => `2026-01-01T00:${m}:00.000Z`).concat(['2026-01-01T01:00:00.000Z']),
    )
    expect(cronTicksBetween(s, 'UTC', at('2026-01-01T00:00Z'), at('2026-01-01T01:00Z'), 2).map(iso)).toEqual([
      '2026-01-01T00:10:00.000Z',
      '2026-01-01T00:20:00.000Z',
    ])
    expect(cronTicksBetween(s, 'UTC', at('2026-01-01T00:00Z'), at('2026-01-01T00:05Z'), 5)).toEqual([])
    expect(cronTicksBetween(s, 'UTC', at('2026-01-01T00:00Z'), at('2026-01-01T01:00Z'), 0)).toEqual([])
  })

  it('finds yearly ticks quickly', () => {
    const start = performance.now()
    const ticks = cronTicksBetween(parseCron('0 0 29 2 *'), 'Europe/Zurich', at('2000-01-01'), at('2100-12-31'), 1000)
    expect(ticks).toHaveLength(25) // 2000 is a leap year, 2100 is not
    expect(performance.now() - start).toBeLessThan(1000)
  })
})

// ---- property test: the stepping search agrees with a minute-by-minute scan ----------------------

const MINUTE = 60_000
const formatters = new Map<string, Intl.DateTimeFormat>()
/** Wall-clock fields of instant t in tz, independently of cron.ts. */
function fields(tz: string, t: number): { key: string; min: number; h: number; dom: number; mon: number; dow: number } {
  let f = formatters.get(tz)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    })
    formatters.set(tz, f)
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]))
  const dow = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday as string)
  return {
    key: `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`,
    min: Number(p.minute),
    h: Number(p.hour),
    dom: Number(p.day),
    mon: Number(p.month),
    dow,
  }
}
function matches(s: CronSchedule, tz: string, t: number): boolean {
  const f = fields(tz, t)
  if (!s.minutes.includes(f.min) || !s.hours.includes(f.h) || !s.months.includes(f.mon)) return false
  const dom = s.daysOfMonth.includes(f.dom)
  const dow = s.daysOfWeek.includes(f.dow)
  if (!(s.anyDayOfMonth || s.anyDayOfWeek ? dom && dow : dom || dow)) return false
  // First occurrence: the same wall time did not show up in the previous two hours.
  for (const back of [30, 60, 90, 120]) if (fields(tz, t - back * MINUTE).key === f.key) return false
  return true
}

const item = (lo: number, hi: number) =>
  fc.oneof(
    fc.integer({ min: lo, max: hi }).map(String),
    fc
      .tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi }))
      .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.integer({ min: 1, max: Math.max(1, Math.floor((hi - lo) / 2)) }).map((k) => `*/${k}`),
    fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: 1, max: 5 })).map(([a, k]) => `${a}-${hi}/${k}`),
  )
const field = (lo: number, hi: number, star: number) =>
  fc.oneof(
    { weight: star, arbitrary: fc.constant('*') },
    { weight: 3, arbitrary: fc.array(item(lo, hi), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')) },
  )
const expression = fc
  .tuple(field(0, 59, 1), field(0, 23, 2), field(1, 31, 4), field(1, 12, 6), field(0, 7, 3))
  .map((f) => f.join(' '))
  .filter((e) => {
    try {
      parseCron(e)
      return true
    } catch {
      return false
    }
  })

const DST = [Date.parse('2026-03-29T01:00Z'), Date.parse('2026-10-25T01:00Z'), Date.parse('2025-10-26T01:00Z')]
const instant = fc.oneof(
  fc.integer({ min: Date.parse('2025-01-01'), max: Date.parse('2027-01-01') }),
  fc
    .tuple(fc.constantFrom(...DST), fc.integer({ min: -2 * 1440, max: 2 * 1440 }), fc.boolean())
    .map(([d, m, round]) => d + m * MINUTE + (round ? 0 : 17_123)),
)
const HORIZON = 3 * 1440

describe.each(['UTC', 'Europe/Zurich'])('in %s, the search agrees with a minute-by-minute scan', (tz) => {
  it('nextCronTick', () => {
    fc.assert(
      fc.property(expression, instant, (e, t0) => {
        const s = parseCron(e)
        const got = nextCronTick(s, tz, new Date(t0)).getTime()
        const start = Math.floor(t0 / MINUTE) * MINUTE + MINUTE
        for (let t = start; t < start + HORIZON * MINUTE; t += MINUTE)
          if (matches(s, tz, t)) {
            expect(got).toBe(t)
            return
          }
        expect(got).toBeGreaterThanOrEqual(start + HORIZON * MINUTE)
      }),
      { seed: 14, numRuns: 60 },
    )
  }, 60_000)

  it('previousCronTick', () => {
    fc.assert(
      fc.property(expression, instant, (e, t0) => {
        const s = parseCron(e)
        const got = previousCronTick(s, tz, new Date(t0))?.getTime()
        const start = Math.floor(t0 / MINUTE) * MINUTE
        for (let t = start; t > start - HORIZON * MINUTE; t -= MINUTE)
          if (matches(s, tz, t)) {
            expect(got).toBe(t)
            return
          }
        expect(got).toBeLessThanOrEqual(start - HORIZON * MINUTE)
      }),
      { seed: 15, numRuns: 60 },
    )
  }, 60_000)
})
