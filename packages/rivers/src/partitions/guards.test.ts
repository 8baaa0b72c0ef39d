import { describe, expect, test } from 'vitest'
import { daily, monthly } from './calendar-windows.js'
import { readsOnePartition, upstreamOf } from './core-mapping.js'
import { dynamicPartitions } from './dynamic.js'
import { hourly } from './hourly.js'
import { isPartitionMapping, mapping } from './mapping.js'
import { partitionProduct } from './product.js'
import { resolveMapping } from './resolve.js'
import { staticPartitions } from './static.js'
import { isPartitionDefinition } from './types.js'

describe('isPartitionDefinition', () => {
  test('every kind of definition', () => {
    const days = daily({ start: '2024-01-01' })
    for (const d of [
      days,
      hourly({ start: '2024-01-01' }),
      monthly({ start: '2024-01-01' }),
      staticPartitions(['eu', 'us']),
      dynamicPartitions('customers'),
      partitionProduct({ date: days, region: staticPartitions(['eu']) }),
    ])
      expect(isPartitionDefinition(d)).toBe(true)
  })

  test('not a definition: names, plain objects with a kind, objects missing a method', () => {
    for (const x of [undefined, null, 'daily', 1, {}, { kind: 'daily' }, { kind: 'yearly', size() {} }])
      expect(isPartitionDefinition(x)).toBe(false)
    const { describe: _, ...rest } = Object.fromEntries(
      ['kind', 'size', 'keyAt', 'indexOf', 'keys', 'validRanges', 'describe'].map((k) => [
        k,
        k === 'kind' ? 'daily' : () => 0,
      ]),
    )
    expect(isPartitionDefinition(rest)).toBe(false)
  })
})

describe('isPartitionMapping', () => {
  test('every mapping.* value', () => {
    for (const m of [
      mapping.identity(),
      mapping.all(),
      mapping.window({ length: 7 }),
      mapping.window({ length: 1, offset: -1, overStatic: true }),
      mapping.perDimension({ date: mapping.window({ length: 2 }), region: mapping.identity() }),
      mapping.fromFunction(() => []),
    ])
      expect(isPartitionMapping(m)).toBe(true)
  })

  test('not a mapping', () => {
    for (const x of [
      undefined,
      'identity',
      { kind: 'window' },
      { kind: 'window', length: 0, offset: 0, overStatic: false },
      { kind: 'perDimension', dimensions: { date: 'identity' } },
      { kind: 'function', fn: 1 },
      { kind: 'coarsen' },
    ])
      expect(isPartitionMapping(x)).toBe(false)
  })
})

describe('readsOnePartition agrees with upstreamOf on every partition', () => {
  const now = new Date('2024-03-01T00:00Z')
  const days = daily({ start: '2024-01-01' })
  const cases = [
    ['identity', days, days, undefined],
    ['shifted days', daily({ start: '2024-01-10' }), days, undefined],
    ['window of 7', days, days, mapping.window({ length: 7 })],
    ['yesterday', days, days, mapping.window({ length: 1, offset: 1 })],
    ['daily reads hourly (coarsen)', days, hourly({ start: '2024-01-01' }), undefined],
    ['hourly reads daily (refine)', hourly({ start: '2024-01-01' }), days, undefined],
    ['unpartitioned reads daily (all)', undefined, days, undefined],
    ['daily reads unpartitioned (single)', days, undefined, undefined],
    ['static lists by key', staticPartitions(['us', 'eu']), staticPartitions(['eu', 'us', 'apac']), undefined],
    ['function of two', staticPartitions(['a']), staticPartitions(['x', 'y']), mapping.fromFunction(() => ['x', 'y'])],
  ] as const
  test.each(cases)('%s', (_, down, up, m) => {
    const r = resolveMapping({ down, up, mapping: m, now })
    let most = 0
    for (let p = 0; p < r.downSize; p++)
      most = Math.max(
        most,
        upstreamOf(r.mapping, p, r.upSize).reduce((n, x) => n + x.end - x.start, 0),
      )
    expect(readsOnePartition(r.mapping)).toBe(most <= 1)
  })

  test('products: one per dimension reads one, a window in any dimension reads many', () => {
    const regions = staticPartitions(['eu', 'us'])
    const p = partitionProduct({ date: daily({ start: '2024-01-01' }), region: regions })
    const q = partitionProduct({ date: daily({ start: '2024-01-05' }), region: regions })
    expect(readsOnePartition(resolveMapping({ down: q, up: p, now }).mapping)).toBe(true)
    const windowed = resolveMapping({
      down: p,
      up: p,
      now,
      mapping: mapping.perDimension({ date: mapping.window({ length: 3 }) }),
    })
    expect(readsOnePartition(windowed.mapping)).toBe(false)
  })
})
