import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { message } from '../definitions/test-helpers.fixture.js'

import { daily, monthly, weekly } from './calendar-windows.js'
import { type CoreMapping, upstreamOf } from './core-mapping.js'
import { dynamicPartitions } from './dynamic.js'
import { hourly } from './hourly.js'
import { allPartitions, fromFunction, identity, perDimension, window } from './mapping.js'
import { partitionProduct } from './product.js'
import { resolveMapping } from './resolve.js'
import { staticPartitions } from './static.js'
import type { PartitionDefinition } from './types.js'

const now = new Date('2025-01-01T00:00:00Z')

/** The upstream keys downstream partition p reads, through the core mapping. */
function upKeys(up: PartitionDefinition, mapping: CoreMapping, p: number, upSize: number): string[] {
  return upstreamOf(mapping, p, upSize).flatMap((r) => [...up.keys(r.start, r.end, now)])
}

describe('resolveMapping', () => {
  it('defaults to identity for equal definitions, and shifts windows with different starts', () => {
    const a = daily({ start: '2024-01-01' })
    expect(resolveMapping({ down: a, up: daily({ start: '2024-01-01' }), now })).toEqual({
      mapping: { kind: 'identity' },
      downSize: 366,
      upSize: 366,
    })
    const later = daily({ start: '2024-01-10' })
    const r = resolveMapping({ down: later, up: a, now })
    expect(r.mapping).toEqual({ kind: 'window', from: 9, to: 9 })
    expect(upKeys(a, r.mapping, 0, r.upSize)).toEqual(['2024-01-10'])
    expect(resolveMapping({ down: a, up: later, now }).mapping).toEqual({ kind: 'window', from: -9, to: -9 })
  })

  it('lines up daily partitions of two time zones by date key, hourly ones by instant', () => {
    const utc = daily({ start: '2024-01-01' })
    const berlin = daily({ start: '2024-01-03', timezone: 'Europe/Berlin' })
    const r = resolveMapping({ down: berlin, up: utc, now })
    expect(upKeys(utc, r.mapping, 0, r.upSize)).toEqual(['2024-01-03'])
    const hUtc = hourly({ start: '2024-01-01T00:00' })
    const hBerlin = hourly({ start: '2024-01-01T00:00', timezone: 'Europe/Berlin' })
    // Berlin's 01:00 is 00:00 UTC: the same hour of real time, index 0 upstream.
    const h = resolveMapping({ down: hBerlin, up: hUtc, now })
    expect(upKeys(hUtc, h.mapping, hBerlin.indexOf('2024-01-01T01:00'), h.upSize)).toEqual(['2024-01-01T00:00'])
    expect(
      message(() =>
        resolveMapping({
          down: hourly({ start: '2024-01-01T00:00', timezone: 'Asia/Kolkata' }),
          up: hUtc,
          downKey: 'in',
          upKey: 'utc',
          now,
        }),
      ),
    ).toMatch(/their hours begin at different minutes/)
  })

  it('reads the last n partitions with window, shift included', () => {
    const up = daily({ start: '2024-01-01' })
    const down = daily({ start: '2024-01-10' })
    const r = resolveMapping({ down, up, mapping: window({ length: 7 }), now })
    expect(upKeys(up, r.mapping, 0, r.upSize)).toEqual([
      '2024-01-04',
      '2024-01-05',
      '2024-01-06',
      '2024-01-07',
      '2024-01-08',
      '2024-01-09',
      '2024-01-10',
    ])
    const y = resolveMapping({ down: up, up, mapping: window({ length: 1, offset: 1 }), now })
    expect(y.mapping).toEqual({ kind: 'window', from: -1, to: -1 })
    expect(upKeys(up, y.mapping, 0, y.upSize)).toEqual([])
  })

  it('coarsens: a monthly asset reads the days of its month (Europe/Berlin, leap year)', () => {
    const up = daily({ start: '2024-01-01', timezone: 'Europe/Berlin' })
    const down = monthly({ start: '2024-01-01', timezone: 'Europe/Berlin' })
    const r = resolveMapping({ down, up, now })
    expect(r.mapping.kind).toBe('coarsen')
    const feb = upKeys(up, r.mapping, 1, r.upSize)
    expect(feb.length).toBe(29)
    expect([feb[0], feb[28]]).toEqual(['2024-02-01', '2024-02-29'])
    for (let q = 0; q < r.downSize; q++)
      expect(upKeys(up, r.mapping, q, r.upSize).every((k) => k.startsWith(down.keyAt(q)))).toBe(true)
  })

  it('refines: each hour reads its day, 25 hours on the day clocks go back (America/New_York)', () => {
    const up = daily({ start: '2024-01-01', timezone: 'America/New_York' })
    const down = hourly({ start: '2024-01-01T00:00', timezone: 'America/New_York' })
    const r = resolveMapping({ down, up, now })
    expect(r.mapping.kind).toBe('refine')
    const readers = (day: string): number => {
      let n = 0
      for (let p = 0; p < r.downSize; p++) if (upKeys(up, r.mapping, p, r.upSize)[0] === day) n++
      return n
    }
    expect(readers('2024-11-03')).toBe(25)
    expect(readers('2024-03-10')).toBe(23)
    expect(readers('2024-06-01')).toBe(24)
    fc.assert(
      // Hours of 2024-12-31 exist at now (19:00 in New York), their day does not yet.
      fc.property(fc.integer({ min: 0, max: down.indexOf('2024-12-30T23:00') }), (p) => {
        expect(upKeys(up, r.mapping, p, r.upSize)).toEqual([down.keyAt(p).slice(0, 10)])
      }),
    )
  })

  it('maps weeks to days and days to weeks', () => {
    const days = daily({ start: '2024-01-01' })
    const weeks = weekly({ start: '2024-01-01' })
    const c = resolveMapping({ down: weeks, up: days, now })
    expect(upKeys(days, c.mapping, 1, c.upSize)).toEqual([...days.keys(7, 14)])
    const f = resolveMapping({ down: days, up: weeks, now })
    expect(upKeys(weeks, f.mapping, 9, f.upSize)).toEqual(['2024-01-08'])
  })

  it('uses all and single for unpartitioned sides', () => {
    const days = daily({ start: '2024-01-01' })
    expect(resolveMapping({ down: undefined, up: days, now })).toEqual({
      mapping: { kind: 'all' },
      downSize: 1,
      upSize: 366,
    })
    expect(resolveMapping({ down: days, up: undefined, now }).mapping).toEqual({ kind: 'single' })
    expect(resolveMapping({ down: days, up: days, mapping: allPartitions(), now }).mapping).toEqual({ kind: 'all' })
    expect(resolveMapping({ down: undefined, up: undefined }).mapping).toEqual({ kind: 'identity' })
  })

  it('maps products per dimension', () => {
    const regions = staticPartitions(['eu', 'us'])
    const up = partitionProduct({ date: daily({ start: '2024-01-01' }), region: regions })
    const down = partitionProduct({ date: daily({ start: '2024-01-01' }), region: regions })
    expect(resolveMapping({ down, up, now }).mapping).toEqual({ kind: 'identity' })
    const r = resolveMapping({ down, up, mapping: perDimension({ date: window({ length: 3 }) }), now })
    expect(r.mapping).toEqual({
      kind: 'product',
      dims: [
        { mapping: { kind: 'window', from: -2, to: 0 }, downSize: 366, upSize: 366 },
        { mapping: { kind: 'identity' }, downSize: 2, upSize: 2 },
      ],
    })
    expect(upKeys(up, r.mapping, down.indexOf('2024-01-05|us', now), r.upSize)).toEqual([
      '2024-01-03|us',
      '2024-01-04|us',
      '2024-01-05|us',
    ])
  })

  it('resolves fromFunction into explicit sets, and static lists by key', () => {
    const countries = staticPartitions(['de', 'fr', 'ca'])
    const regions = staticPartitions(['eu', 'us'])
    const r = resolveMapping({
      down: countries,
      up: regions,
      mapping: fromFunction((c) => (c === 'ca' ? ['us', 'eu'] : ['eu'])),
    })
    expect(r.mapping).toEqual({
      kind: 'explicit',
      upstream: [
        [0, 1],
        [0, 1],
        [0, 2],
      ],
    })
    const byKey = resolveMapping({ down: staticPartitions(['us', 'eu']), up: staticPartitions(['eu', 'asia', 'us']) })
    expect(byKey.mapping).toEqual({
      kind: 'explicit',
      upstream: [
        [2, 3],
        [0, 1],
      ],
    })
    const dyn = dynamicPartitions('customers').withKeys(['a', null, 'c'])
    expect(resolveMapping({ down: dyn, up: dyn }).mapping).toEqual({ kind: 'identity' })
  })

  it('refuses incompatible pairs, naming both assets and the fix', () => {
    const h = hourly({ start: '2024-01-01T00:00' })
    const regions = staticPartitions(['eu', 'us'])
    const days = daily({ start: '2024-01-01' })
    const cases = [
      () => resolveMapping({ down: h, up: regions, downKey: 'features', upKey: 'raw', now }),
      () =>
        resolveMapping({
          down: partitionProduct({ date: days, region: regions }),
          up: days,
          downKey: 'sales',
          upKey: 'events',
          now,
        }),
      () => resolveMapping({ down: regions, up: regions, mapping: window({ length: 2 }), downKey: 'b', upKey: 'a' }),
      () =>
        resolveMapping({
          down: weekly({ start: '2024-01-01' }),
          up: monthly({ start: '2024-01-01' }),
          downKey: 'w',
          upKey: 'm',
          now,
        }),
      () =>
        resolveMapping({
          down: weekly({ start: '2024-01-01' }),
          up: weekly({ start: '2024-01-07', weekStartsOn: 0 }),
          downKey: 'w',
          upKey: 'v',
          now,
        }),
      () => resolveMapping({ down: undefined, up: days, mapping: identity(), downKey: 'model', upKey: 'events', now }),
      () =>
        resolveMapping({
          down: monthly({ start: '2024-01-01' }),
          up: days,
          mapping: window({ length: 3 }),
          downKey: 'report',
          upKey: 'events',
          now,
        }),
      () => resolveMapping({ down: regions, up: staticPartitions(['eu']), downKey: 'b', upKey: 'a' }),
      () =>
        resolveMapping({ down: regions, up: regions, mapping: fromFunction(() => ['asia']), downKey: 'b', upKey: 'a' }),
    ]
    expect(cases.map((f) => message(f))).toMatchSnapshot()
    expect(
      resolveMapping({ down: regions, up: regions, mapping: window({ length: 2, overStatic: true }) }).mapping,
    ).toEqual({
      kind: 'window',
      from: -1,
      to: 0,
    })
  })

  it('validates declared mappings', () => {
    expect(message(() => window({ length: 0 }))).toMatchInlineSnapshot(`
      "mapping.window({"length":0}) is not a valid partition mapping: length must be an integer >= 1.
      Fix: write mapping.window({ length: 7 }) for the last 7 partitions."
    `)
    expect(message(() => window({ length: 2, offset: 0.5 }))).toMatch(/offset must be an integer/)
  })
})

describe('upstreamOf', () => {
  it('follows the contract table', () => {
    expect(upstreamOf({ kind: 'identity' }, 5, 3)).toEqual([])
    expect(upstreamOf({ kind: 'window', from: -6, to: 0 }, 2, 100)).toEqual([{ start: 0, end: 3 }])
    expect(upstreamOf({ kind: 'coarsen', boundaries: [0, 31, 60] }, 1, 100)).toEqual([{ start: 31, end: 60 }])
    expect(upstreamOf({ kind: 'coarsen', boundaries: [0, 31, 60] }, 2, 100)).toEqual([])
    expect(upstreamOf({ kind: 'refine', boundaries: [0, 31, 60] }, 40, 5)).toEqual([{ start: 1, end: 2 }])
    expect(upstreamOf({ kind: 'refine', boundaries: [0, 31, 60] }, 60, 5)).toEqual([])
    expect(upstreamOf({ kind: 'all' }, 0, 4)).toEqual([{ start: 0, end: 4 }])
    expect(upstreamOf({ kind: 'single' }, 9, 1)).toEqual([{ start: 0, end: 1 }])
    expect(upstreamOf({ kind: 'explicit', upstream: [[0, 2, 5, 6]] }, 0, 6)).toEqual([
      { start: 0, end: 2 },
      { start: 5, end: 6 },
    ])
  })
})
