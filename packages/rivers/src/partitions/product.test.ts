import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { message } from '../definitions/test-helpers.fixture.js'

import { daily } from './calendar-windows.js'
import { dynamicPartitions } from './dynamic.js'
import { partitionProduct } from './product.js'
import { staticPartitions } from './static.js'

const now = new Date('2024-02-01T00:00:00Z')

describe('partitionProduct', () => {
  it('uses mixed radix with the first dimension most significant, keys joined by |', () => {
    const p = partitionProduct({ date: daily({ start: '2024-01-01' }), region: staticPartitions(['eu', 'us']) })
    expect(p.size(now)).toBe(62)
    expect(p.indexOf('2024-01-05|us', now)).toBe(9)
    expect(p.keyAt(9, now)).toBe('2024-01-05|us')
    expect(p.digits(9, now)).toEqual([4, 1])
    expect(p.dimensionKeys('2024-01-05|us')).toEqual({ date: '2024-01-05', region: 'us' })
    expect([...p.keys(0, 3, now)]).toEqual(['2024-01-01|eu', '2024-01-01|us', '2024-01-02|eu'])
    expect(p.describe()).toBe('partitions date × region')
  })

  it('round-trips keys over three dimensions', () => {
    const p = partitionProduct({
      region: staticPartitions(['eu', 'us', 'asia']),
      date: daily({ start: '2024-01-01', timezone: 'Europe/Berlin' }),
      model: staticPartitions(['a', 'b']),
    })
    const size = p.size(now)
    expect(size).toBe(3 * 31 * 2)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: size - 1 }), (i) => {
        expect(p.indexOf(p.keyAt(i, now), now)).toBe(i)
      }),
    )
  })

  it('names the expected dimensions when a key has the wrong number, and the faulty dimension otherwise', () => {
    const p = partitionProduct({ date: daily({ start: '2024-01-01' }), region: staticPartitions(['eu', 'us']) })
    expect(message(() => p.indexOf('2024-01-05', now))).toMatchInlineSnapshot(`
      "Partition key '2024-01-05' of partitions date × region has 1 dimension; 2 expected: date|region.
      Fix: join one key per dimension with '|' in this order, e.g. '2024-01-01|eu'."
    `)
    expect(message(() => p.indexOf('2024-01-05|eu|x', now))).toMatch(/has 3 dimensions; 2 expected/)
    expect(message(() => p.indexOf('2024-13-05|eu', now))).toMatchInlineSnapshot(`
      "Unknown partition key '2024-13-05|eu' of partitions date × region: dimension date: month 13 does not exist. Did you mean '2024-12-05|eu'?
      Fix: write a key such as '2024-01-01|eu'."
    `)
    expect(message(() => p.indexOf('2024-01-05|eux', now))).toMatch(
      /dimension region: it is not in the list\. Did you mean '2024-01-05\|eu'\?/,
    )
  })

  it('refuses a date in a non-first dimension that does not exist yet (it has no index)', () => {
    const p = partitionProduct({ region: staticPartitions(['eu', 'us']), date: daily({ start: '2024-01-01' }) })
    expect(message(() => p.indexOf('eu|2024-03-01', now))).toMatch(/dimension date '2024-03-01' does not exist yet/)
  })

  it('gives the valid ranges of a product with a dynamic dimension', () => {
    const p = partitionProduct({
      customer: dynamicPartitions('customers').withKeys(['a', null, 'c']),
      region: staticPartitions(['eu', 'us']),
    })
    expect(p.validRanges(0, 6)).toEqual([
      { start: 0, end: 2 },
      { start: 4, end: 6 },
    ])
    const q = partitionProduct({
      region: staticPartitions(['eu', 'us']),
      customer: dynamicPartitions('c').withKeys(['a', null, 'c']),
    })
    expect(q.validRanges(0, 6)).toEqual([
      { start: 0, end: 1 },
      { start: 2, end: 4 },
      { start: 5, end: 6 },
    ])
  })

  it('refuses empty, nested and misnamed products', () => {
    expect(message(() => partitionProduct({}))).toMatch(/no dimensions/)
    const inner = partitionProduct({ a: staticPartitions(['x']) })
    expect(message(() => partitionProduct({ a: staticPartitions(['x']), b: inner }))).toMatch(/itself a product/)
    expect(message(() => partitionProduct({ 'my date': staticPartitions(['x']) }))).toMatch(/not an identifier/)
  })
})
