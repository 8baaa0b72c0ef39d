import { createRequire } from 'node:module'

import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const native = require('@rivers-orchestrator/native') as typeof import('@rivers-orchestrator/native')
const {
  NativePartitionedPlanner,
  Status,
  mappingDownstreamOf,
  mappingUpstreamOf,
  partitionSetComplement,
  partitionSetNormalize,
  partitionSetOp,
  partitionSetSize,
  validateMapping,
} = native

const ranges = (...xs: number[]) => Float64Array.from(xs)
const h16 = (n: number): Uint8Array => {
  const b = new Uint8Array(16)
  b[15] = n
  return b
}

/** Throws from `fn` as `{ code, message }`. */
function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn()
  } catch (e) {
    const err = e as { code: string; message: string }
    return { code: err.code, message: err.message }
  }
  throw new Error('expected a throw')
}

describe('partition sets', () => {
  it('normalise, combine and count ranges without expanding them', () => {
    expect([...partitionSetNormalize(ranges(5, 7, 0, 2, 2, 5, 9, 9))]).toEqual([0, 7])
    const days = ranges(0, 10_000_000)
    const hole = ranges(5, 6, 9_000_000, 9_500_000)
    expect([...partitionSetOp('difference', days, hole)]).toEqual([0, 5, 6, 9_000_000, 9_500_000, 10_000_000])
    expect([...partitionSetOp('union', hole, ranges(6, 10))]).toEqual([5, 10, 9_000_000, 9_500_000])
    expect([...partitionSetOp('intersection', days, hole)]).toEqual([...hole])
    expect([...partitionSetComplement(hole, 10_000_003)]).toEqual([0, 5, 6, 9_000_000, 9_500_000, 10_000_003])
    expect(partitionSetSize(days)).toBe(10_000_000)
  })

  it('refuses malformed sets with a coded error', () => {
    expect(thrown(() => partitionSetNormalize(ranges(4, 2)))).toMatchInlineSnapshot(`
      {
        "code": "RIVERS_INVALID_INPUT",
        "message": "invalid planner input: partition range [4, 2) is reversed: give the start first",
      }
    `)
    expect(thrown(() => partitionSetSize(ranges(0.5, 2))).code).toBe('RIVERS_INVALID_INPUT')
    expect(thrown(() => partitionSetOp('xor', ranges(), ranges())).code).toBe('RIVERS_INVALID_INPUT')
  })
})

describe('mappings', () => {
  it('map a 7-day window and a monthly rollup both ways', () => {
    const window = { kind: 'window', from: -6, to: 0 }
    expect([...mappingUpstreamOf(window, ranges(10, 11), 100)]).toEqual([4, 11])
    expect([...mappingDownstreamOf(window, ranges(10, 11), 100, 100)]).toEqual([10, 17])
    const months = { kind: 'coarsen', boundaries: ranges(0, 31, 59, 90) }
    expect([...mappingUpstreamOf(months, ranges(1, 2), 90)]).toEqual([31, 59])
    expect([...mappingDownstreamOf(months, ranges(30, 32), 3, 90)]).toEqual([0, 2])
    // Day x region (2 regions) reading the same day of every region of a 3-region product.
    const product = {
      kind: 'product',
      dims: [
        { mapping: { kind: 'identity' }, downSize: 10, upSize: 10 },
        { mapping: { kind: 'all' }, downSize: 2, upSize: 3 },
      ],
    }
    validateMapping(product, 20, 30)
    expect([...mappingUpstreamOf(product, ranges(5, 6), 30)]).toEqual([6, 9])
    const explicit = { kind: 'explicit', upstream: [ranges(0, 2), ranges(4, 5)] }
    expect([...mappingDownstreamOf(explicit, ranges(1, 2), 2, 5)]).toEqual([0, 1])
  })

  it('says what to fix in a mapping that does not fit', () => {
    expect(thrown(() => validateMapping({ kind: 'window', from: 3, to: 1 }, 10, 10))).toMatchInlineSnapshot(`
      {
        "code": "RIVERS_INVALID_MAPPING",
        "message": "invalid partition mapping "window": the window's start offset (3) is after its end offset (1); give from <= to, e.g. from: -6, to: 0 for the last 7 partitions",
      }
    `)
    expect(thrown(() => validateMapping({ kind: 'coarsen', boundaries: ranges(0, 31) }, 2, 59)).code).toBe(
      'RIVERS_INVALID_MAPPING',
    )
    expect(thrown(() => validateMapping({ kind: 'window' }, 1, 1)).message).toMatch(/it needs `from`/)
    expect(thrown(() => validateMapping({ kind: 'diagonal' }, 1, 1)).message).toMatch(/unknown kind/)
  })
})

/** events (daily source, 100 days) <- rolling (7-day window) <- model (reads every day). */
function pipeline() {
  return NativePartitionedPlanner.build({
    keys: 'events\nrolling\nmodel',
    depOffsets: Uint32Array.of(0, 0, 1, 2),
    deps: Uint32Array.of(0, 1),
    mappings: [{ kind: 'window', from: -6, to: 0 }, { kind: 'all' }],
    sizes: ranges(100, 100, 1),
    sources: Uint8Array.of(1, 0, 0),
  })
}

function records(
  p: InstanceType<typeof NativePartitionedPlanner>,
  id: number,
  parts: number[],
  deps: number[],
  data: (q: number) => number,
) {
  const dataVersions = new Uint8Array(16 * parts.length)
  parts.forEach((q, i) => dataVersions.set(h16(data(q)), 16 * i))
  return {
    ids: Uint32Array.from(parts, () => id),
    partitions: Float64Array.from(parts),
    codeVersions: new Uint8Array(16 * parts.length),
    configHashes: new Uint8Array(16 * parts.length),
    dataVersions,
    inputOffsets: Uint32Array.from({ length: parts.length + 1 }, (_, i) => i * deps.length),
    inputDeps: Uint32Array.from(parts.flatMap(() => deps)),
    inputFingerprints: BigUint64Array.from(parts.flatMap((q) => deps.map((d) => p.inputFingerprint(id, q, d)))),
  }
}

describe('NativePartitionedPlanner', () => {
  it('plans by ranges, applies records per partition, and cuts off early', () => {
    const p = pipeline()
    expect(p.summary(1)).toEqual({ total: 100, fresh: 0, stale: 0, missing: 100 })
    let plan = p.plan(Uint32Array.of(0, 1, 2))
    expect(plan.assets.map((a) => [a.id, a.layer, [...a.ranges]])).toEqual([
      [1, 0, [0, 100]],
      [2, 1, [0, 1]],
    ])
    expect(plan.missingInputs.map((m) => [m.id, m.dep, [...m.ranges]])).toEqual([[1, 0, [0, 100]]])

    const all = Array.from({ length: 100 }, (_, i) => i)
    p.applyRecords(records(p, 0, all, [], (q) => q))
    p.applyRecords(records(p, 1, all, [0], (q) => q))
    p.applyRecords(records(p, 2, [0], [1], () => 1))
    expect(p.summary(1)).toEqual({ total: 100, fresh: 100, stale: 0, missing: 0 })
    expect(p.plan(Uint32Array.of(0, 1, 2)).assets).toEqual([])

    // Day 50 observed again with the same data: nothing changes.
    expect(p.applyRecords(records(p, 0, [50], [], (q) => q))).toEqual([])
    // New data for day 50: the 7 windows that read it go stale.
    const changed = p.applyRecords(records(p, 0, [50], [], () => 200))
    expect(changed.map((c) => [c.id, [...c.ranges]])).toEqual([[1, [50, 57]]])
    expect(p.status(1, 56)).toBe(Status.Stale)
    expect(p.causes(1, 56)).toBe(16)
    expect([...p.statuses(1, ranges(48, 58))]).toEqual([48, 50, 2, 50, 57, 1, 57, 58, 2])
    plan = p.plan(Uint32Array.of(1, 2), Uint32Array.of(1), [ranges(0, 53)])
    expect(plan.assets.map((a) => [a.id, a.layer, [...a.ranges]])).toEqual([
      [1, 0, [50, 53]],
      [2, 1, [0, 1]],
    ])
    // A code change makes every recorded partition stale.
    p.setCodeVersions(Uint32Array.of(1), h16(3))
    expect(p.summary(1)).toEqual({ total: 100, fresh: 0, stale: 100, missing: 0 })
    expect(p.heapBytes).toBeGreaterThan(0)
  })

  it('keeps holes of dynamic sets out of statuses and names the asset of a bad partition', () => {
    const p = NativePartitionedPlanner.build({
      keys: 'customers',
      depOffsets: Uint32Array.of(0, 0),
      deps: Uint32Array.of(),
      mappings: [],
      sizes: ranges(5),
      validIds: Uint32Array.of(0),
      validSets: [ranges(0, 2, 3, 5)],
    })
    expect(p.summary(0).total).toBe(4)
    expect(p.status(0, 2)).toBeNull()
    expect(thrown(() => p.status(0, 5))).toMatchInlineSnapshot(`
      {
        "code": "RIVERS_PARTITION_OUT_OF_RANGE",
        "message": "partition #5 of asset "customers" is out of range: the asset has 5 partitions; pass an index below 5",
      }
    `)
    expect(
      thrown(() =>
        NativePartitionedPlanner.build({
          keys: 'daily\nweekly',
          depOffsets: Uint32Array.of(0, 0, 1),
          deps: Uint32Array.of(0),
          mappings: [{ kind: 'coarsen', boundaries: ranges(0, 7) }],
          sizes: ranges(14, 2),
        }),
      ).message,
    ).toMatch(/"coarsen" from asset "weekly" to its dependency "daily": 2 boundaries given for 2 downstream/)
  })
})
