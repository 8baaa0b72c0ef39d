import { describe, expect, it } from 'vitest'

import { zoneOf } from './zone.js'

const H = 3_600_000

describe('zone offsets', () => {
  it('reads offsets on both sides of a clock change, to the second', () => {
    const berlin = zoneOf('Europe/Berlin')
    const spring = Date.UTC(2024, 2, 31, 1) // 03:00 CEST, the first instant of summer time
    expect(berlin.offsetAt(spring - 1000)).toBe(H)
    expect(berlin.offsetAt(spring)).toBe(2 * H)
    const ny = zoneOf('America/New_York')
    const fall = Date.UTC(2024, 10, 3, 6) // 01:00 EST again
    expect(ny.offsetAt(fall - 1000)).toBe(-4 * H)
    expect(ny.offsetAt(fall)).toBe(-5 * H)
    expect(zoneOf('UTC').offsetAt(fall)).toBe(0)
  })

  it('finds the instants of a wall time: once, twice (fall back), or none (spring forward)', () => {
    const berlin = zoneOf('Europe/Berlin')
    expect(berlin.instantsOf(Date.UTC(2024, 0, 5, 13))).toEqual({ kind: 'once', at: Date.UTC(2024, 0, 5, 12) })
    expect(berlin.instantsOf(Date.UTC(2024, 9, 27, 2, 30))).toEqual({
      kind: 'twice',
      earlier: Date.UTC(2024, 9, 27, 0, 30),
      later: Date.UTC(2024, 9, 27, 1, 30),
    })
    expect(berlin.instantsOf(Date.UTC(2024, 2, 31, 2, 30))).toEqual({ kind: 'gap', gapEnd: Date.UTC(2024, 2, 31, 1) })
    expect(berlin.stableOffset(Date.UTC(2024, 2, 31, 1))).toBeNaN()
    expect(berlin.stableOffset(Date.UTC(2024, 5, 1))).toBe(2 * H)
  })

  it('handles a zone with a 30-minute shift and one with negative years', () => {
    const lordHowe = zoneOf('Australia/Lord_Howe')
    expect(lordHowe.offsetAt(Date.UTC(2024, 0, 1))).toBe(11 * H)
    expect(lordHowe.offsetAt(Date.UTC(2024, 6, 1))).toBe(10.5 * H)
    expect(zoneOf('Asia/Kolkata').offsetAt(Date.UTC(1960, 0, 1))).toBe(5.5 * H)
  })
})
