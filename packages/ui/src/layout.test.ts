import { describe, expect, it } from 'vitest'

import { cachedLayout, graphHash, layoutGraph, type Layout } from './layout.js'

/** Edges that cross between two adjacent columns, counted by pairs. */
function crossings(edges: [number, number][], row: Int32Array): number {
  let n = 0
  for (const [a, b] of edges)
    for (const [c, d] of edges) if (a !== c && b !== d && row[a]! < row[c]! && row[b]! > row[d]!) n++
  return n
}

describe('layoutGraph', () => {
  it('puts each node one column right of its deepest dependency', () => {
    const { layer, layers } = layoutGraph(5, [
      [0, 1],
      [1, 2],
      [0, 2],
      [3, 4],
    ])
    expect(Array.from(layer)).toEqual([0, 1, 2, 0, 1])
    expect(layers).toBe(3)
  })

  it('orders rows by barycenter: a crossed bipartite graph is uncrossed', () => {
    // 0→3, 1→2: in input order they cross (0 above 1, 3 below 2).
    const edges: [number, number][] = [
      [0, 3],
      [1, 2],
    ]
    const { row } = layoutGraph(4, edges)
    expect(crossings(edges, row)).toBe(0)
  })

  it('breaks a cycle (groups collapsed into one node each can form one)', () => {
    const { layer } = layoutGraph(3, [
      [0, 1],
      [1, 2],
      [2, 1],
    ])
    expect(layer[0]).toBe(0)
    expect(new Set([layer[1], layer[2]]).size).toBe(2)
  })

  it('lays out 10k nodes and 30k edges in well under a second', () => {
    const n = 10_000
    const edges: [number, number][] = []
    let seed = 7
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
    for (let i = 1; i < n; i++) for (let k = 0; k < 3; k++) edges.push([Math.floor(rand() * i), i])
    const t0 = performance.now()
    const { layer, rows } = layoutGraph(n, edges)
    expect(performance.now() - t0).toBeLessThan(1000)
    for (const [a, b] of edges) expect(layer[b]!).toBeGreaterThan(layer[a]!)
    expect(rows).toBeGreaterThan(0)
  })

  it('is cached by graph hash, and the hash changes with an edge', () => {
    const cache = new Map<string, Layout>()
    const a = cachedLayout(cache, ['raw', 'model'], [[0, 1]])
    expect(cachedLayout(cache, ['raw', 'model'], [[0, 1]])).toBe(a)
    expect(graphHash(['raw', 'model'], [])).not.toBe(a.hash)
    expect(cache.size).toBe(1)
  })
})
