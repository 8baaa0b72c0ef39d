/** Cutting log-batch requests within MLflow's limits, and params and keys as MLflow takes them. */
import { describe, expect, it } from 'vitest'
import { chunkBatch, clip, flattenParams, LIMITS, type MlflowBatch, mlflowKey } from './batch.js'

const metric = (i: number) => ({ key: `m${i % 7}`, value: i, timestamp: 1, step: i })
const kv = (prefix: string, i: number, size = 1) => ({ key: `${prefix}${i}`, value: 'v'.repeat(size) })

describe('chunkBatch', () => {
  it('keeps every request within 1,000 metrics, 100 params, 100 tags and 1,000 entities, in order', () => {
    const batch: MlflowBatch = {
      metrics: Array.from({ length: 2500 }, (_, i) => metric(i)),
      params: Array.from({ length: 250 }, (_, i) => kv('p', i)),
      tags: Array.from({ length: 130 }, (_, i) => kv('t', i)),
    }
    const chunks = chunkBatch(batch)
    for (const c of chunks) {
      expect(c.metrics.length).toBeLessThanOrEqual(LIMITS.metricsPerBatch)
      expect(c.params.length).toBeLessThanOrEqual(LIMITS.paramsPerBatch)
      expect(c.tags.length).toBeLessThanOrEqual(LIMITS.tagsPerBatch)
      expect(c.metrics.length + c.params.length + c.tags.length).toBeLessThanOrEqual(LIMITS.entitiesPerBatch)
    }
    expect(chunks.flatMap((c) => c.metrics)).toEqual(batch.metrics)
    expect(chunks.flatMap((c) => c.params)).toEqual(batch.params)
    expect(chunks.flatMap((c) => c.tags)).toEqual(batch.tags)
    // 100 params + 100 tags + 800 metrics, then 100 + 30 + 870, then 50 + 0 + 830.
    expect(chunks.map((c) => [c.params.length, c.tags.length, c.metrics.length])).toEqual([
      [100, 100, 800],
      [100, 30, 870],
      [50, 0, 830],
    ])
  })

  it('keeps a request under about 1 MB when values are long', () => {
    const batch: MlflowBatch = {
      metrics: [],
      params: Array.from({ length: 100 }, (_, i) => kv('p', i, 6000)),
      tags: Array.from({ length: 100 }, (_, i) => kv('t', i, 8000)),
    }
    const chunks = chunkBatch(batch)
    expect(chunks.length).toBe(2)
    for (const c of chunks) expect(JSON.stringify(c).length).toBeLessThan(1_000_000)
    expect(chunks.flatMap((c) => c.tags)).toEqual(batch.tags)
  })

  it('sends nothing for an empty batch', () => {
    expect(chunkBatch({ metrics: [], params: [], tags: [] })).toEqual([])
  })
})

describe('flattenParams', () => {
  it('flattens nested config to dotted keys; strings as they are, the rest as JSON', () => {
    expect(
      flattenParams({
        epochs: 3,
        optimizer: { name: 'adam', lr: 0.01 },
        layers: [64, 32],
        token: '[redacted]',
        off: null,
      }),
    ).toEqual([
      { key: 'epochs', value: '3' },
      { key: 'optimizer.name', value: 'adam' },
      { key: 'optimizer.lr', value: '0.01' },
      { key: 'layers', value: '[64,32]' },
      { key: 'token', value: '[redacted]' },
      { key: 'off', value: 'null' },
    ])
  })

  it('gives no params for an asset without config, and one `config` param for a config that is not an object', () => {
    expect(flattenParams(undefined)).toEqual([])
    expect(flattenParams(42)).toEqual([{ key: 'config', value: '42' }])
    expect(flattenParams({ empty: {} })).toEqual([{ key: 'empty', value: '{}' }])
  })

  it('cuts values past 6,000 characters, saying so', () => {
    const [p] = flattenParams({ text: 'x'.repeat(7000) })
    expect(p!.value.length).toBe(LIMITS.paramValueLength)
    expect(p!.value).toMatch(/… \(7000 characters, cut\)$/)
    expect(clip('short', 10)).toBe('short')
  })
})

describe('mlflowKey', () => {
  it('replaces what MLflow refuses in a key and cuts it at 250 characters', () => {
    expect(mlflowKey('optimizer[0].lr')).toBe('optimizer_0_.lr')
    expect(mlflowKey('a b-c:d/e.f_g')).toBe('a b-c:d/e.f_g')
    expect(mlflowKey('k'.repeat(300)).length).toBe(250)
  })
})
