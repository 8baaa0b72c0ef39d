import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  civilFromDays,
  clampWall,
  DAY,
  dateKey,
  daysFromCivil,
  daysInMonth,
  exactDate,
  exactMinute,
  exactMonth,
  minuteKey,
  monthKey,
  offsetText,
  parseDateParts,
  weekday,
} from './calendar.js'

describe('calendar arithmetic', () => {
  it('agrees with Date for day numbers, both ways', () => {
    fc.assert(
      fc.property(fc.integer({ min: -800_000, max: 2_900_000 }), (days) => {
        const d = new Date(days * DAY)
        expect(civilFromDays(days)).toEqual({ y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() })
        const c = civilFromDays(days)
        expect(daysFromCivil(c.y, c.m, c.d)).toBe(days)
        expect(weekday(days)).toBe(d.getUTCDay())
      }),
      { numRuns: 2000 },
    )
  })

  it('knows month lengths and leap years', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2023, m))).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ])
    expect(daysInMonth(2024, 2)).toBe(29)
    expect(daysInMonth(1900, 2)).toBe(28)
    expect(daysInMonth(2000, 2)).toBe(29)
    expect(daysInMonth(2100, 2)).toBe(28)
  })

  it('writes keys', () => {
    expect(dateKey(daysFromCivil(2024, 1, 5))).toBe('2024-01-05')
    expect(monthKey(2024 * 12 + 11)).toBe('2024-12')
    expect(minuteKey(Date.UTC(2024, 0, 5, 13, 30))).toBe('2024-01-05T13:30')
    expect(offsetText(-5 * 3_600_000)).toBe('-05:00')
    expect(offsetText(5.5 * 3_600_000)).toBe('+05:30')
  })

  it('reads exact keys fast and refuses anything else', () => {
    expect(exactDate('2024-02-29')).toBe(daysFromCivil(2024, 2, 29))
    expect(exactDate('2023-02-29')).toBeNaN()
    expect(exactDate('2024-13-01')).toBeNaN()
    expect(exactDate('2024-1-01x')).toBeNaN()
    expect(exactDate('1969-12-31')).toBe(-1)
    expect(exactMinute('2024-01-05T13:00')).toBe(Date.UTC(2024, 0, 5, 13))
    expect(exactMinute('2024-01-05T24:00')).toBeNaN()
    expect(exactMinute('2024-01-05 13:00')).toBeNaN()
    expect(exactMonth('2024-12')).toBe(2024 * 12 + 11)
    expect(exactMonth('2024-00')).toBeNaN()
  })

  it('reads lenient parts and clamps them to the nearest real date', () => {
    const p = parseDateParts('2024-13-01')
    expect(p).toEqual({ y: 2024, m: 13, d: 1, hour: undefined, minute: undefined, offset: undefined })
    expect(clampWall(p!)).toBe(Date.UTC(2024, 11, 1))
    expect(clampWall(parseDateParts('2023-02-30')!)).toBe(Date.UTC(2023, 1, 28))
    expect(parseDateParts('2024-10-27T02:00+01:00')?.offset).toBe(3_600_000)
    expect(parseDateParts('yesterday')).toBeUndefined()
  })
})
