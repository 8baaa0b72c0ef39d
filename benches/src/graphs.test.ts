import { describe, expect, it } from 'vitest'
import {
  chain,
  dbt,
  diamond,
  fanIn,
  fanOut,
  generate,
  graphStats,
  layered,
  powerLaw,
  SHAPES,
  toAssetList,
  type CsrGraph,
} from './graphs.js'
import { isValidKey } from './baselines/topo.js'
import { HUB_MAX_DEGREE, hub, wideFanIn } from './graphs/hubs.js'

/** Number of assets downstream of `root` (not counting it). */
function downstream(g: CsrGraph, root: number): number {
  const children: number[][] = Array.from({ length: g.n }, () => [])
  for (let v = 0; v < g.n; v++)
    for (let i = g.depOffsets[v]!; i < g.depOffsets[v + 1]!; i++) children[g.deps[i]!]!.push(v)
  const seen = new Uint8Array(g.n)
  const stack = [root]
  let count = 0
  while (stack.length) {
    for (const c of children[stack.pop()!]!)
      if (!seen[c]) {
        seen[c] = 1
        count++
        stack.push(c)
      }
  }
  return count
}

/** Kahn's algorithm; true when every node gets ordered. */
function acyclic(g: CsrGraph): boolean {
  const indeg = new Uint32Array(g.n)
  const children: number[][] = Array.from({ length: g.n }, () => [])
  for (let v = 0; v < g.n; v++) {
    for (let i = g.depOffsets[v]!; i < g.depOffsets[v + 1]!; i++) {
      children[g.deps[i]!]!.push(v)
      indeg[v]!++
    }
  }
  const ready = [...indeg.keys()].filter((v) => indeg[v] === 0)
  let seen = 0
  while (ready.length) {
    const u = ready.pop()!
    seen++
    for (const c of children[u]!) if (--indeg[c]! === 0) ready.push(c)
  }
  return seen === g.n
}

function wellFormed(g: CsrGraph): void {
  expect(g.keys).toHaveLength(g.n)
  expect(g.depOffsets).toHaveLength(g.n + 1)
  expect(g.sources).toHaveLength(g.n)
  expect(g.depOffsets[0]).toBe(0)
  expect(g.depOffsets[g.n]).toBe(g.deps.length)
  expect(new Set(g.keys).size).toBe(g.n)
  for (const k of g.keys) expect(isValidKey(k), k).toBe(true)
  for (let v = 0; v < g.n; v++) {
    const lo = g.depOffsets[v]!
    const hi = g.depOffsets[v + 1]!
    expect(hi).toBeGreaterThanOrEqual(lo)
    const ds = [...g.deps.subarray(lo, hi)]
    expect(new Set(ds).size).toBe(ds.length)
    for (const u of ds) {
      expect(u).toBeLessThan(g.n)
      expect(u).not.toBe(v)
    }
    if (g.sources[v]) expect(ds).toHaveLength(0)
  }
  if (g.labels) {
    expect(g.labels.offsets).toHaveLength(g.n + 1)
    expect(g.labels.offsets[g.n]).toBe(g.labels.ids.length)
    for (const id of g.labels.ids) expect(id).toBeLessThan(g.labels.names.length)
  }
}

/** Asset -> sorted dep keys, labels: the graph independent of id numbering. */
function canonical(g: CsrGraph): string[] {
  return toAssetList(g)
    .map((a, v) => {
      const labels = g.labels
        ? [...g.labels.ids.subarray(g.labels.offsets[v], g.labels.offsets[v + 1])].map((i) => g.labels!.names[i]).sort()
        : []
      return `${a.key}|${a.source}|${[...a.deps].sort().join(',')}|${labels.join(',')}`
    })
    .sort()
}

describe('graph generators', () => {
  for (const shape of SHAPES) {
    it(`${shape}: well-formed, acyclic, deterministic, shuffle is a renumbering`, () => {
      for (const n of [0, 1, 2, 3, 10, 137, 2000]) {
        const topo = generate(shape, n, { seed: 5 })
        const shuffled = generate(shape, n, { seed: 5, order: 'shuffled' })
        wellFormed(topo)
        wellFormed(shuffled)
        expect(acyclic(shuffled)).toBe(true)
        for (let v = 0; v < n; v++)
          for (let i = topo.depOffsets[v]!; i < topo.depOffsets[v + 1]!; i++) expect(topo.deps[i]).toBeLessThan(v)
        expect(canonical(shuffled)).toEqual(canonical(topo))
        expect(generate(shape, n, { seed: 5, order: 'shuffled' })).toEqual(shuffled)
      }
    })
  }

  it('shuffled ids are not topological', () => {
    const g = chain(1000, { order: 'shuffled', seed: 9 })
    let backwards = 0
    for (let v = 0; v < g.n; v++)
      for (let i = g.depOffsets[v]!; i < g.depOffsets[v + 1]!; i++) if (g.deps[i]! > v) backwards++
    expect(backwards).toBeGreaterThan(100)
  })

  it('different seeds give different random graphs', () => {
    for (const shape of ['layered', 'dbt', 'powerLaw', 'hub', 'wideFanIn'] as const)
      expect(generate(shape, 3000, { seed: 1 }).deps).not.toEqual(generate(shape, 3000, { seed: 2 }).deps)
  })

  it('fixed shapes have the specified sizes and degrees', () => {
    expect(graphStats(chain(100))).toMatchObject({ edges: 99, sources: 1, maxInDegree: 1, maxOutDegree: 1 })
    expect(graphStats(fanOut(100))).toMatchObject({ edges: 99, sources: 1, maxOutDegree: 99 })
    expect(graphStats(fanIn(100))).toMatchObject({ edges: 99, sources: 99, maxInDegree: 99 })
    expect(graphStats(diamond(100))).toMatchObject({ edges: 180, sources: 1, maxInDegree: 2 }) // 10x10: 2*10*9
  })

  it('layered: average in-degree about 3, at most 5', () => {
    const s = graphStats(layered(40_000, { seed: 3 }))
    expect(s.avgInDegree).toBeGreaterThan(2.8)
    expect(s.avgInDegree).toBeLessThan(3.1)
    expect(s.maxInDegree).toBeLessThanOrEqual(5)
    expect(s.sources).toBe(200)
  })

  it('powerLaw: k deps per node and a heavy tail of dependents', () => {
    const g = powerLaw(50_000, { seed: 3, k: 3 })
    const s = graphStats(g)
    expect(s.edges).toBe(3 * 50_000 - 6) // nodes 1 and 2 have fewer earlier nodes
    expect(s.maxInDegree).toBe(3)
    expect(s.maxOutDegree).toBeGreaterThan(100 * s.avgInDegree)
  })

  it('dbt: domains, kinds, hubs and labels as specified', () => {
    const g = dbt(50_000, { seed: 11 })
    const names = g.labels!.names
    const count = (label: string): number => g.labels!.ids.filter((i) => names[i] === label).length
    expect(count('kind:source') / g.n).toBeCloseTo(0.15, 2)
    expect(count('kind:staging') / g.n).toBeCloseTo(0.25, 2)
    expect(count('kind:source') + count('kind:staging') + count('kind:intermediate') + count('kind:mart')).toBe(g.n)
    expect(names.filter((s) => s.startsWith('group:'))).toHaveLength(100)
    expect(count('tag:pii') / g.n).toBeGreaterThan(0.01)
    expect(count('tag:pii') / g.n).toBeLessThan(0.06)
    expect(g.keys.every((k) => /^d\d{3}\/(raw|stg|int|mart)_[a-z]+_\d+$/.test(k))).toBe(true)
    let cross = 0
    const hubs = new Set<number>()
    for (let v = 0; v < g.n; v++) {
      const deg = g.depOffsets[v + 1]! - g.depOffsets[v]!
      expect(g.sources[v] ? deg === 0 : deg >= 1 && deg <= 5).toBe(true)
      for (let i = g.depOffsets[v]!; i < g.depOffsets[v + 1]!; i++) {
        const u = g.deps[i]!
        if (g.keys[u]!.slice(0, 4) !== g.keys[v]!.slice(0, 4)) {
          cross++
          hubs.add(u)
        }
      }
    }
    expect(cross / g.deps.length).toBeGreaterThan(0.01)
    expect(cross / g.deps.length).toBeLessThan(0.06)
    expect(hubs.size).toBeLessThanOrEqual(20)
    expect(hubs.size).toBeGreaterThanOrEqual(15)
  })

  it('hub: five base libraries each with 10–30% of the graph downstream, power-law degrees up to ~500', () => {
    for (const n of [10_000, 60_000]) {
      const g = hub(n, { seed: 4, order: 'shuffled' })
      const s = graphStats(g)
      expect(s.avgInDegree).toBeGreaterThan(2)
      expect(s.avgInDegree).toBeLessThan(4)
      expect(s.maxInDegree).toBeGreaterThan(100)
      expect(s.maxInDegree).toBeLessThanOrEqual(HUB_MAX_DEGREE + 2) // + a source and a base library
      expect(s.maxOutDegree).toBeGreaterThan(100)
      expect(s.maxOutDegree).toBeLessThanOrEqual(HUB_MAX_DEGREE)
      const shares = [0, 1, 2, 3, 4].map((j) => downstream(g, g.keys.indexOf(`lib/base${j}`)) / n)
      for (const share of shares) {
        expect(share).toBeGreaterThanOrEqual(0.1)
        expect(share).toBeLessThanOrEqual(0.3)
      }
      expect(Math.max(...shares)).toBeGreaterThan(0.2)
      // Power law: most assets have few deps, a few have hundreds.
      let few = 0
      for (let v = 0; v < n; v++) if (g.depOffsets[v + 1]! - g.depOffsets[v]! <= 3) few++
      expect(few / n).toBeGreaterThan(0.8)
    }
  })

  it('wideFanIn: aggregates over thousands of inputs, one per 2,000 assets', () => {
    const g = wideFanIn(100_000, { seed: 2 })
    const wide = g.keys.filter((k, v) => k.startsWith('agg/') && g.depOffsets[v + 1]! - g.depOffsets[v]! >= 2000)
    expect(wide).toHaveLength(50)
    expect(graphStats(g)).toMatchObject({ sources: 50_000 })
    expect(graphStats(g).maxInDegree).toBeLessThanOrEqual(5000)
    expect(downstream(g, g.keys.indexOf('src/s0'))).toBeGreaterThan(1)
  })

  it('handles a million assets in a few seconds', { timeout: 60_000 }, () => {
    const t = performance.now()
    const g = dbt(1_000_000, { seed: 1, order: 'shuffled' })
    expect(g.n).toBe(1_000_000)
    expect(graphStats(g).avgInDegree).toBeGreaterThan(1.5)
    expect(performance.now() - t).toBeLessThan(20_000)
  })
})
