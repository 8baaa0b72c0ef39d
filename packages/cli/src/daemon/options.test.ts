import { describe, expect, test } from 'vitest'
import { durationOption, leaseTtlMs, parseCatchUp } from './options.js'

describe('durations', () => {
  const interval = durationOption('--interval', '5s')
  test.each([
    ['250ms', 250],
    ['5s', 5_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    [' 10 s ', 10_000],
  ])('%s is %d ms', (text, ms) => expect(interval(text)).toBe(ms))

  test.each(['5', 'soon', '0s', '-1s', '5 days', ''])('%j is refused with the fix', (text) => {
    expect(() => interval(text)).toThrow(
      `--interval ${JSON.stringify(text)} is not a duration.\nFix: give a positive number with a unit (ms, s, m, h), e.g. --interval 5s.`,
    )
  })
})

describe('catch-up', () => {
  test.each([
    ['skip', 'skip'],
    ['latest', 'latest'],
    ['all:10', { all: 10 }],
  ])('%s', (text, policy) => expect(parseCatchUp(text)).toEqual(policy))

  test.each(['all', 'all:0', 'all:-2', 'every', 'all:1.5'])('%j is refused naming the three policies', (text) => {
    expect(() => parseCatchUp(text)).toThrow(/is not a catch-up policy\.\nFix: --catch-up skip .*latest .*all:N/)
  })
})

test('the lease lasts 3 intervals, at least 15 s', () => {
  expect(leaseTtlMs(1_000)).toBe(15_000)
  expect(leaseTtlMs(5_000)).toBe(15_000)
  expect(leaseTtlMs(10_000)).toBe(30_000)
})
