import { describe, expect, it } from 'vitest'
import type { CsrGraph } from '../graphs.js'
import { PlannerError } from './errors.js'
import { ReferencePlanner } from './reference.js'
import { layerSets, planLayers, toBatch, Twin } from './testkit.js'
import { STATUS_NAMES } from './types.js'

function graphOf(spec: Record<string, string[]>, sources: string[] = []): CsrGraph {
  const keys = Object.keys(spec)
  const depOffsets = new Uint32Array(keys.length + 1)
  const deps: number[] = []
  keys.forEach((k, v) => {
    for (const d of spec[k]!) deps.push(keys.indexOf(d) < 0 ? 999 : keys.indexOf(d))
    depOffsets[v + 1] = deps.length
  })
  return {
    name: 'test',
    n: keys.length,
    keys,
    depOffsets,
    deps: Uint32Array.from(deps),
    sources: Uint8Array.from(keys.map((k) => (sources.includes(k) ? 1 : 0))),
  }
}

/** raw/orders (source) -> stg/orders -> mart/revenue -> mart/report (also reads stg/orders), all built. */
function pipeline(): Twin {
  const t = new Twin(
    graphOf(
      {
        'mart/report': ['mart/revenue', 'stg/orders'],
        'mart/revenue': ['stg/orders'],
        'stg/orders': ['raw/orders'],
        'raw/orders': [],
      },
      ['raw/orders'],
    ),
  )
  t.observe(t.ref.idOf('raw/orders'), 1)
  for (const k of ['stg/orders', 'mart/revenue', 'mart/report']) {
    const id = t.ref.idOf(k)
    t.setCode(id, 1)
    t.apply([t.rebuild(id, 1, 0, 10 + id)])
  }
  return t
}

const ID = (t: Twin, ...keys: string[]): Uint32Array => Uint32Array.from(keys.map((k) => t.ref.idOf(k)))
const status = (t: Twin): Record<string, string> =>
  Object.fromEntries(t.g.keys.map((k, v) => [k, STATUS_NAMES[t.ref.statuses()[v]!] ?? '?']))
const plan = (t: Twin, sel: string[] | null = null, force = false): string[][] =>
  planLayers(t.g, t.ref.plan(sel && ID(t, ...sel), force))

/** The reference agrees with itself from scratch and with the idiomatic planner. */
function consistent(t: Twin): void {
  expect(t.ref.statuses()).toEqual(t.ref.statusesFromScratch())
  expect(t.ref.plan(null, false)).toEqual(t.ref.planFromScratch(null, false))
  for (const [v, k] of t.g.keys.entries()) {
    expect(STATUS_NAMES[t.ref.statuses()[v]!]).toBe(t.idi.status(k))
    expect(t.ref.causes(v)).toEqual(t.idi.causes(k))
  }
  expect(layerSets(plan(t))).toEqual(layerSets(t.idi.plan(null, false)))
}

describe('ReferencePlanner: graph validation', () => {
  const code = (f: () => unknown): { code: string; message: string } => {
    try {
      f()
    } catch (e) {
      expect(e).toBeInstanceOf(PlannerError)
      return { code: (e as PlannerError).code, message: (e as PlannerError).message }
    }
    throw new Error('expected a PlannerError')
  }

  it('rejects duplicate keys, unknown and self deps, invalid keys', () => {
    expect(
      code(
        () => new ReferencePlanner({ keys: ['a', 'a'], depOffsets: Uint32Array.of(0, 0, 0), deps: new Uint32Array() }),
      ),
    ).toEqual({
      code: 'RIVERS_DUPLICATE_KEY',
      message: "asset key 'a' is defined twice (ids 0 and 1): rename one of them",
    })
    expect(code(() => new ReferencePlanner(graphOf({ a: ['nope'] }))).code).toBe('RIVERS_UNKNOWN_DEP')
    expect(code(() => new ReferencePlanner(graphOf({ a: ['a'] }))).message).toBe(
      "asset 'a' depends on itself: remove 'a' from its own deps",
    )
    for (const bad of ['', 'a//b', 'a/', '/a', 'a/./b', '..', 'a b', 'é'])
      expect(code(() => new ReferencePlanner(graphOf({ [bad]: [] }))).code).toBe('RIVERS_INVALID_KEY')
    expect(() => new ReferencePlanner(graphOf({ 'a/.../b-c_d.e': [] }))).not.toThrow()
  })

  it('lists a cycle from its smallest key, in dependency direction', () => {
    const e = code(() => new ReferencePlanner(graphOf({ z: ['d'], d: ['c'], c: ['b'], b: ['d'], a: [] })))
    expect(e).toEqual({
      code: 'RIVERS_CYCLE',
      message: 'dependency cycle: b -> d -> c -> b (a -> b means a depends on b): break one of these edges',
    })
  })

  it('merges duplicate deps and orders by Kahn with the smallest id first', () => {
    const p = new ReferencePlanner(graphOf({ c: ['b', 'b'], b: [], a: [] }))
    expect([...p.graph.deps]).toEqual([1])
    expect([...p.graph.order]).toEqual([1, 0, 2])
  })
})

describe('ReferencePlanner: statuses and plans (SPEC.md)', () => {
  it('fresh everything gives an empty plan', () => {
    const t = pipeline()
    expect(Object.values(status(t))).toEqual(['fresh', 'fresh', 'fresh', 'fresh'])
    expect(plan(t)).toEqual([])
    expect(t.ref.rootCauses(0)).toEqual([])
    consistent(t)
  })

  it('a new source version makes its children stale and plans all descendants', () => {
    const t = pipeline()
    t.observe(t.ref.idOf('raw/orders'), 2)
    expect(status(t)).toEqual({
      'mart/report': 'fresh',
      'mart/revenue': 'fresh',
      'stg/orders': 'stale',
      'raw/orders': 'fresh',
    })
    expect(t.ref.causes(t.ref.idOf('stg/orders'))).toEqual([{ kind: 'upstream_data_changed', dep: 'raw/orders' }])
    expect(t.ref.rootCauses(t.ref.idOf('stg/orders'))).toEqual([{ key: 'raw/orders', kind: 'source_changed' }])
    expect(plan(t)).toEqual([['stg/orders'], ['mart/revenue'], ['mart/report']])
    consistent(t)
  })

  it('a code change makes only that asset stale; descendants are planned, not stale', () => {
    const t = pipeline()
    t.setCode(t.ref.idOf('mart/revenue'), 2)
    expect(status(t)['mart/revenue']).toBe('stale')
    expect(status(t)['mart/report']).toBe('fresh')
    expect(t.ref.causes(t.ref.idOf('mart/revenue'))).toEqual([{ kind: 'code_changed' }])
    expect(plan(t)).toEqual([['mart/revenue'], ['mart/report']])
    consistent(t)
  })

  it('rematerializing to identical bytes leaves nothing stale; new bytes make children stale', () => {
    const t = pipeline()
    const stg = t.ref.idOf('stg/orders')
    t.setCode(stg, 2)
    t.apply([t.rebuild(stg, 2, 0, t.data.get('stg/orders')!)])
    expect(plan(t)).toEqual([])
    t.apply([t.rebuild(stg, 2, 0, 99)])
    expect(status(t)).toMatchObject({ 'mart/revenue': 'stale', 'mart/report': 'stale', 'stg/orders': 'fresh' })
    expect(t.ref.rootCauses(t.ref.idOf('mart/report'))).toEqual([{ key: 'stg/orders', kind: 'new_data_version' }])
    consistent(t)
  })

  it('root causes walk stale and missing upstreams, sorted by topological position', () => {
    const t = pipeline()
    t.observe(t.ref.idOf('raw/orders'), 2)
    t.setCode(t.ref.idOf('mart/report'), 3)
    const rev = t.ref.idOf('mart/revenue')
    t.setConfig(rev, 5)
    t.apply([{ ...t.rebuild(rev, 1, 0, 50), deps: [{ key: 'stg/orders', ver: 77 }] }])
    expect(t.ref.rootCauses(t.ref.idOf('mart/report'))).toEqual([
      { key: 'raw/orders', kind: 'source_changed' },
      { key: 'mart/revenue', kind: 'config_changed' },
      { key: 'mart/report', kind: 'code_changed' },
    ])
    const m = new Twin(graphOf({ a: [], b: ['a'] }))
    m.apply([{ key: 'b', code: 0, config: 0, data: 1, deps: [{ key: 'a', ver: 1 }] }])
    expect(m.ref.rootCauses(1)).toEqual([{ key: 'a', kind: 'missing' }])
    expect(m.ref.rootCauses(0)).toEqual([{ key: 'a', kind: 'missing' }])
    consistent(t)
  })

  it('reports dep_added, dep_removed (extern keys too) and config changes in SPEC.md order', () => {
    const t = pipeline()
    const rep = t.ref.idOf('mart/report')
    t.setConfig(rep, 4)
    t.apply([
      {
        key: 'mart/report',
        code: 1,
        config: 0,
        data: 5,
        deps: [
          { key: 'gone/old', ver: 1 },
          { key: 'mart/revenue', ver: 9 },
          { key: 'raw/orders', ver: 1 },
        ],
      },
    ])
    expect(t.ref.causes(rep)).toEqual([
      { kind: 'config_changed' },
      { kind: 'dep_added', dep: 'stg/orders' },
      { kind: 'dep_removed', dep: 'gone/old' },
      { kind: 'dep_removed', dep: 'raw/orders' },
      { kind: 'upstream_data_changed', dep: 'mart/revenue' },
    ])
    expect(t.ref.rootCauses(rep).map((c) => c.kind)).toEqual([
      'new_data_version',
      'config_changed',
      'dep_added',
      'dep_removed',
    ])
    consistent(t)
  })

  it('force plans the whole selection without sources; a selection restricts the plan', () => {
    const t = pipeline()
    expect(plan(t, null, true)).toEqual([['stg/orders'], ['mart/revenue'], ['mart/report']])
    expect(plan(t, ['mart/report', 'raw/orders', 'stg/orders'], true)).toEqual([['stg/orders'], ['mart/report']])
    t.setCode(t.ref.idOf('stg/orders'), 2)
    expect(plan(t, ['mart/revenue', 'mart/report'])).toEqual([])
    expect(plan(t, ['stg/orders', 'mart/report', 'stg/orders'])).toEqual([['stg/orders'], ['mart/report']])
  })

  it('reports missing inputs outside the selection', () => {
    const t = new Twin(graphOf({ a: [], s: [], b: ['a', 's'], c: ['b'] }, ['s']))
    const sel = ID(t, 'b', 'c')
    const p = t.ref.plan(sel, false)
    expect(planLayers(t.g, p)).toEqual([['b'], ['c']])
    expect([...t.ref.missingInputs(sel, p)]).toEqual([2, 0, 2, 1])
    expect(t.idi.missingInputs(['b', 'c'], t.idi.plan(['b', 'c'], false))).toEqual([
      ['b', 'a'],
      ['b', 's'],
    ])
    expect(t.ref.missingInputs(null, t.ref.plan(null, false))).toHaveLength(0)
  })

  it('puts every planned dep in an earlier layer, in topological order inside a layer', () => {
    const t = new Twin(graphOf({ d: ['b', 'c'], c: ['a'], b: ['a'], a: [], e: [] }))
    const p = t.ref.plan(null, false)
    expect([...t.ref.graph.order].map((v) => t.key(v))).toEqual(['a', 'c', 'b', 'd', 'e'])
    expect(planLayers(t.g, p)).toEqual([['a', 'e'], ['c', 'b'], ['d']])
    expect([...p.layerOffsets]).toEqual([0, 2, 4, 5])
  })

  it('rejects bad input with codes', () => {
    const t = pipeline()
    expect(() => t.ref.setObserved(Uint32Array.of(0), new Uint8Array(16))).toThrow(
      expect.objectContaining({ code: 'RIVERS_NOT_SOURCE' }),
    )
    expect(() => t.ref.plan(Uint32Array.of(42), false)).toThrow(expect.objectContaining({ code: 'RIVERS_UNKNOWN_ID' }))
    expect(() => t.ref.setCodeVersions(Uint32Array.of(0), new Uint8Array(15))).toThrow(
      expect.objectContaining({ code: 'RIVERS_BAD_BATCH' }),
    )
    const before = t.ref.statuses()
    const batch = toBatch(t.ref, [
      t.rebuild(0, 9, 9, 9),
      { ...t.rebuild(1, 9, 9, 9), deps: [{ key: 'gone/x', ver: 1 }] },
    ])
    batch.deps[batch.deps.length - 1] = 99 // neither an id nor an extern key
    expect(() => t.ref.applyRecords(batch)).toThrow(expect.objectContaining({ code: 'RIVERS_BAD_BATCH' }))
    expect(t.ref.statuses()).toEqual(before)
    expect(t.ref.statusesFromScratch()).toEqual(before) // nothing was written
  })

  it('stays correct across many incremental record rewrites (arena reuse and compaction)', () => {
    const spec: Record<string, string[]> = {}
    for (let i = 0; i < 300; i++) spec[`u${i}`] = []
    for (let i = 0; i < 300; i++) spec[`w${i}`] = [0, 1, 2, 3, 4].map((j) => `u${(i + 37 * j) % 300}`)
    const t = new Twin(graphOf(spec))
    t.apply(
      Object.keys(spec)
        .slice(0, 300)
        .map((k, i) => ({ key: k, code: 0, config: 0, data: i + 1, deps: [] })),
    )
    // Grow each record's dep list one at a time (each growth moves it in the arena), then shrink.
    for (const len of [1, 2, 3, 4, 5, 6, 2, 5]) {
      for (let i = 0; i < 300; i += 1 + (len % 2)) {
        const deps = [...spec[`w${i}`]!, 'gone/x']
          .slice(0, len)
          .map((k) => ({ key: k, ver: len === 5 ? (t.data.get(k) ?? 0) : 1 }))
        t.apply([{ key: `w${i}`, code: 0, config: 0, data: 7, deps }])
      }
      consistent(t)
    }
    expect(Object.values(status(t)).filter((s) => s === 'fresh').length).toBeGreaterThan(300)
  })
})
