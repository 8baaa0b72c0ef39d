import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { message } from '../definitions/test-helpers.fixture.js'

import { hourly } from './hourly.js'

describe('hourly', () => {
  it('has no partition for the hour skipped in spring (Europe/Berlin)', () => {
    const h = hourly({ start: '2024-03-31T00:00', timezone: 'Europe/Berlin' })
    expect([...h.keys(0, 4)]).toEqual(['2024-03-31T00:00', '2024-03-31T01:00', '2024-03-31T03:00', '2024-03-31T04:00'])
    expect(h.window(1)).toEqual({ start: new Date('2024-03-31T00:00:00Z'), end: new Date('2024-03-31T01:00:00Z') })
    expect(message(() => h.indexOf('2024-03-31T02:00'))).toMatchInlineSnapshot(`
      "Unknown partition key '2024-03-31T02:00' of hourly from 2024-03-31T00:00 (Europe/Berlin): clocks skip this time in Europe/Berlin (they move on to 03:00). Did you mean '2024-03-31T03:00'?
      Fix: write a key such as '2024-03-31T00:00' (YYYY-MM-DDTHH:MM, local time in Europe/Berlin)."
    `)
  })

  it('keys the second pass of the hour repeated in autumn with its offset (Europe/Berlin)', () => {
    const h = hourly({ start: '2024-10-27T00:00', timezone: 'Europe/Berlin' })
    const keys = [...h.keys(0, 5)]
    expect(keys).toEqual([
      '2024-10-27T00:00',
      '2024-10-27T01:00',
      '2024-10-27T02:00',
      '2024-10-27T02:00+01:00',
      '2024-10-27T03:00',
    ])
    expect(keys.map((k) => h.indexOf(k))).toEqual([0, 1, 2, 3, 4])
    expect(h.window(2).start.toISOString()).toBe('2024-10-27T00:00:00.000Z')
    expect(h.window(3).start.toISOString()).toBe('2024-10-27T01:00:00.000Z')
    // The first pass has one spelling only, so that keys round-trip.
    expect(message(() => h.indexOf('2024-10-27T02:00+02:00'))).toMatch(/Did you mean '2024-10-27T02:00'\?/)
  })

  it('does the same in America/New_York', () => {
    const spring = hourly({ start: '2024-03-10T00:00', timezone: 'America/New_York' })
    expect([...spring.keys(0, 4)]).toEqual([
      '2024-03-10T00:00',
      '2024-03-10T01:00',
      '2024-03-10T03:00',
      '2024-03-10T04:00',
    ])
    const fall = hourly({ start: '2024-11-03T00:00', timezone: 'America/New_York' })
    expect([...fall.keys(0, 4)]).toEqual([
      '2024-11-03T00:00',
      '2024-11-03T01:00',
      '2024-11-03T01:00-05:00',
      '2024-11-03T02:00',
    ])
  })

  it('keeps 60-minute windows where clocks move by 30 minutes (Australia/Lord_Howe)', () => {
    const h = hourly({ start: '2024-04-07T00:00', timezone: 'Australia/Lord_Howe' })
    const keys = [...h.keys(0, 4)]
    expect(keys).toEqual(['2024-04-07T00:00', '2024-04-07T01:00', '2024-04-07T01:30+10:30', '2024-04-07T02:30'])
    expect(keys.map((k) => h.indexOf(k))).toEqual([0, 1, 2, 3])
  })

  it('round-trips random indices over decades, DST included', () => {
    for (const timezone of ['Europe/Berlin', 'America/New_York', 'UTC']) {
      const h = hourly({ start: '2000-01-01T00:00', timezone })
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 300_000 }), (i) => {
          expect(h.indexOf(h.keyAt(i))).toBe(i)
          expect(h.indexAt(h.window(i).start)).toBe(i)
        }),
        { numRuns: 3000 },
      )
    }
  })

  it('counts complete hours at now', () => {
    const h = hourly({ start: '2024-01-01T00:00', timezone: 'Europe/Berlin' })
    expect(h.size(new Date('2024-01-01T00:59:59Z'))).toBe(1)
    expect(h.size(new Date('2023-12-31T23:00:00Z'))).toBe(0)
    expect(h.describe()).toBe('hourly from 2024-01-01T00:00 (Europe/Berlin)')
  })

  it('explains unknown keys', () => {
    const h = hourly({ start: '2024-01-01T00:00', end: '2024-02-01' })
    expect(
      ['2024-01-05T13:30', '2024-01-05', '2024-02-01T00:00', '2023-12-31T23:00', '2024-01-32T00:00'].map((k) =>
        message(() => h.indexOf(k)),
      ),
    ).toMatchSnapshot()
  })
})
