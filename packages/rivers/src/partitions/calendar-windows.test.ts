import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { message } from '../definitions/test-helpers.fixture.js'

import { daily, monthly, weekly } from './calendar-windows.js'

const H = 3_600_000
const hours = (w: { start: Date; end: Date }): number => (w.end.getTime() - w.start.getTime()) / H

describe('daily', () => {
  it('spans 23 and 25 hours on the clock-change days of Europe/Berlin and America/New_York', () => {
    const berlin = daily({ start: '2024-01-01', timezone: 'Europe/Berlin' })
    expect(hours(berlin.window(berlin.indexOf('2024-03-30')))).toBe(24)
    expect(hours(berlin.window(berlin.indexOf('2024-03-31')))).toBe(23)
    expect(hours(berlin.window(berlin.indexOf('2024-10-27')))).toBe(25)
    expect(berlin.window(berlin.indexOf('2024-03-31')).start.toISOString()).toBe('2024-03-30T23:00:00.000Z')
    const ny = daily({ start: '2024-01-01', timezone: 'America/New_York' })
    expect(hours(ny.window(ny.indexOf('2024-03-10')))).toBe(23)
    expect(hours(ny.window(ny.indexOf('2024-11-03')))).toBe(25)
    expect(ny.window(0).start.toISOString()).toBe('2024-01-01T05:00:00.000Z')
  })

  it('counts complete days at now, and stops at the end', () => {
    const d = daily({ start: '2024-01-01', timezone: 'Europe/Berlin' })
    expect(d.size(new Date('2023-12-31T22:59:59Z'))).toBe(0)
    expect(d.size(new Date('2024-01-01T22:59:59Z'))).toBe(0)
    expect(d.size(new Date('2024-01-01T23:00:00Z'))).toBe(1)
    expect(d.size(new Date('2025-01-01T00:00:00Z'))).toBe(366) // 2024 is a leap year
    const ended = daily({ start: '2024-01-01', end: '2024-02-01' })
    expect(ended.size(new Date('2030-01-01'))).toBe(31)
    expect(() => ended.keyAt(31)).toThrow(/outside/)
  })

  it('begins windows at the start time of day', () => {
    const d = daily({ start: '2024-01-01T06:00', timezone: 'America/New_York' })
    expect(d.keyAt(0)).toBe('2024-01-01')
    expect(d.window(0).start.toISOString()).toBe('2024-01-01T11:00:00.000Z')
    expect(d.indexAt(new Date('2024-01-02T10:59:00Z'))).toBe(0)
    expect(d.indexAt(new Date('2024-01-02T11:00:00Z'))).toBe(1)
  })

  it('round-trips keys and indices, and windows tile time', () => {
    const d = daily({ start: '1970-01-01', timezone: 'America/New_York' })
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60_000 }), (i) => {
        expect(d.indexOf(d.keyAt(i))).toBe(i)
        expect(d.window(i).end.getTime()).toBe(d.window(i + 1).start.getTime())
        expect(d.indexAt(d.window(i).start)).toBe(i)
        expect([23, 24, 25]).toContain(hours(d.window(i)))
      }),
      { numRuns: 3000 },
    )
  })

  it('iterates lazily', () => {
    const d = daily({ start: '2024-01-01' })
    const it = d.keys(0, 1_000_000_000)
    expect(it.next().value).toBe('2024-01-01')
    expect(it.next().value).toBe('2024-01-02')
    expect([...d.keys(58, 61)]).toEqual(['2024-02-28', '2024-02-29', '2024-03-01'])
    expect([...d.keys(undefined, undefined, new Date('2024-01-04'))]).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
    ])
  })

  it('explains unknown keys with the nearest valid one', () => {
    const d = daily({ start: '2024-01-01', end: '2025-01-01' })
    expect(
      ['2024-13-01', '2023-12-01', '2024-02-30', '2025-03-01', '2024-1-5', '2024-01-05T10:00', 'yesterday'].map((k) =>
        message(() => d.indexOf(k)),
      ),
    ).toMatchSnapshot()
  })

  it('refuses invalid options with a fix', () => {
    expect(message(() => daily({ start: '2024-02-30' }))).toMatchInlineSnapshot(`
      "Invalid daily partitions: start '2024-02-30' is not a date of the calendar.
      Fix: write start as a local date '2024-01-01' or date-time '2024-01-01T06:00' in the time zone, or a Date."
    `)
    expect(message(() => daily({ start: '2024-01-01', timezone: 'Europe/Berln' }))).toMatch(/Europe\/Berln/)
    expect(message(() => daily({ start: '2024-01-02', end: '2024-01-01' }))).toMatchInlineSnapshot(`
      "Invalid daily partitions: end is not after start.
      Fix: give an end after the start, or none."
    `)
  })

  it('describes itself', () => {
    expect(daily({ start: '2024-01-01' }).describe()).toBe('daily from 2024-01-01 (UTC)')
    expect(daily({ start: '2024-01-01', end: '2024-06-01', timezone: 'europe/berlin' }).describe()).toBe(
      'daily from 2024-01-01 to 2024-06-01 (Europe/Berlin)',
    )
  })

  it('takes a Date as start, read in the time zone', () => {
    const d = daily({ start: new Date('2024-01-01T00:00:00Z'), timezone: 'America/New_York' })
    // 2024-01-01T00:00Z is 2023-12-31 19:00 in New York: windows begin at 19:00 local.
    expect(d.keyAt(0)).toBe('2023-12-31')
    expect(d.window(0).start.toISOString()).toBe('2024-01-01T00:00:00.000Z')
  })
})

describe('weekly', () => {
  it('keys weeks by their first day, Monday by default', () => {
    const w = weekly({ start: '2024-01-01' })
    expect([...w.keys(0, 3)]).toEqual(['2024-01-01', '2024-01-08', '2024-01-15'])
    expect(w.indexOf('2024-12-30')).toBe(52)
    const sunday = weekly({ start: '2023-12-31', weekStartsOn: 0, timezone: 'America/New_York' })
    expect(sunday.keyAt(10)).toBe('2024-03-10')
    expect(hours(sunday.window(10))).toBe(7 * 24 - 1)
  })

  it('says which weekday a start or key should fall on', () => {
    const w = weekly({ start: '2024-01-01' })
    expect(message(() => w.indexOf('2024-01-10'))).toMatchInlineSnapshot(`
      "Unknown partition key '2024-01-10' of weekly from 2024-01-01 (UTC): weekly keys are the first day of each week, a Monday. Did you mean '2024-01-08'?
      Fix: write a key such as '2024-01-01' (YYYY-MM-DD, a Monday)."
    `)
    expect(message(() => weekly({ start: '2024-01-03' }))).toMatchInlineSnapshot(`
      "Invalid weekly partitions: start 2024-01-03 is a Wednesday, but weeks start on Monday.
      Fix: start on '2024-01-01', or set weekStartsOn: 3 to start weeks on Wednesdays."
    `)
  })
})

describe('monthly', () => {
  it('spans whole months of every length', () => {
    const m = monthly({ start: '2023-01-01' })
    const days = [...Array(14).keys()].map((i) => hours(m.window(i)) / 24)
    expect(days).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 29])
    expect(m.indexOf('2024-02')).toBe(13)
    expect(m.size(new Date('2024-03-01T00:00:00Z'))).toBe(14)
  })

  it('round-trips over centuries', () => {
    const m = monthly({ start: '1900-01-01', timezone: 'Europe/Berlin' })
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 * 200 }), (i) => {
        expect(m.indexOf(m.keyAt(i))).toBe(i)
        expect(m.indexAt(m.window(i).start)).toBe(i)
      }),
    )
  })

  it('refuses a start that is not a first of the month, and day keys', () => {
    expect(message(() => monthly({ start: '2024-01-15' }))).toMatch(/not the first day of a month.*\n.*'2024-01-01'/)
    expect(message(() => monthly({ start: '2024-01-01' }).indexOf('2024-03-15'))).toMatch(/Did you mean '2024-03'/)
  })
})
