import { describe, expect, it } from 'vitest'
import { message } from '../definitions/test-helpers.fixture.js'

import { daily } from './calendar-windows.js'
import { dynamicPartitions } from './dynamic.js'
import { hourly } from './hourly.js'
import { partitionProduct } from './product.js'
import { parsePartitionArg } from './selection.js'
import { staticPartitions } from './static.js'

const now = new Date('2024-02-01T00:00:00Z')

describe('parsePartitionArg', () => {
  const days = daily({ start: '2024-01-01' })

  it('selects one key or an inclusive range', () => {
    expect(parsePartitionArg(days, '2024-01-05', { now })).toEqual([{ start: 4, end: 5 }])
    expect(parsePartitionArg(days, '2024-01-01...2024-01-31', { now })).toEqual([{ start: 0, end: 31 }])
    expect(parsePartitionArg(days, ' 2024-01-03...2024-01-03 ', { now })).toEqual([{ start: 2, end: 3 }])
    const hours = hourly({ start: '2024-10-27T00:00', timezone: 'Europe/Berlin' })
    expect(
      parsePartitionArg(hours, '2024-10-27T02:00...2024-10-27T02:00+01:00', { now: new Date('2024-11-01') }),
    ).toEqual([{ start: 2, end: 4 }])
  })

  it('refuses unknown keys, reversed ranges and partitions that do not exist yet, naming the asset', () => {
    const texts = [
      '2024-13-01',
      '2024-01-31...2024-01-01',
      '2024-01-20...2024-03-01',
      '2023-12-31...2024-01-05',
      '2024-01-01...',
      'a...b...c',
    ]
    expect(texts.map((t) => message(() => parsePartitionArg(days, t, { now, asset: 'events' })))).toMatchSnapshot()
  })

  it('skips removed keys of a dynamic set', () => {
    const c = dynamicPartitions('customers').withKeys(['a', 'b', null, 'd', 'e'])
    expect(parsePartitionArg(c, 'a...e')).toEqual([
      { start: 0, end: 2 },
      { start: 3, end: 5 },
    ])
    expect(message(() => parsePartitionArg(c, 'c'))).toMatch(/does not hold it/)
  })

  it('selects boxes in products, and refuses keys with the wrong dimensions', () => {
    const p = partitionProduct({ date: days, region: staticPartitions(['eu', 'us', 'asia']) })
    expect(parsePartitionArg(p, '2024-01-02|us', { now })).toEqual([{ start: 4, end: 5 }])
    // Days 2 to 3, regions eu to us: two runs of two.
    expect(parsePartitionArg(p, '2024-01-02|eu...2024-01-03|us', { now })).toEqual([
      { start: 3, end: 5 },
      { start: 6, end: 8 },
    ])
    // Every region: one contiguous run.
    expect(parsePartitionArg(p, '2024-01-02|eu...2024-01-03|asia', { now })).toEqual([{ start: 3, end: 9 }])
    expect(message(() => parsePartitionArg(p, '2024-01-02|us...2024-01-03|eu', { now }))).toMatchInlineSnapshot(`
      "Partition range 'us...eu' of partitions date × region (dimension region) ends before it starts.
      Fix: write 'eu...us' (FROM...TO, both inclusive)."
    `)
    expect(message(() => parsePartitionArg(p, '2024-01-02', { now, asset: 'sales' }))).toMatchInlineSnapshot(`
      "Asset 'sales': partition key '2024-01-02' of partitions date × region has 1 dimension; 2 expected: date|region.
      Fix: join one key per dimension with '|' in this order, e.g. '2024-01-01|eu'."
    `)
  })
})
