import { DirectedGraph } from 'graphology'
import { topologicalGenerations, topologicalSort } from 'graphology-dag'
import type { GraphInput } from './types.js'

/**
 * Builds a graphology `DirectedGraph` with one node per key and an edge `dep -> asset` per
 * dependency (the popular general-purpose graph library: our "just use a graph library" baseline).
 *
 * @example
 * const g = buildGraphology(chain(3))
 * graphologyTopoOrder(g) // ['chain/n0', 'chain/n1', 'chain/n2']
 */
export function buildGraphology(input: GraphInput): DirectedGraph {
  const g = new DirectedGraph()
  const { keys, depOffsets, deps } = input
  for (const key of keys) g.addNode(key)
  for (let v = 0; v < keys.length; v++) {
    const key = keys[v] ?? ''
    for (let i = depOffsets[v] ?? 0, end = depOffsets[v + 1] ?? 0; i < end; i++)
      g.mergeEdge(keys[deps[i] ?? 0] ?? '', key)
  }
  return g
}

/**
 * Topological order of keys via graphology-dag's `topologicalSort` (throws on a cycle).
 * @example graphologyTopoOrder(buildGraphology(chain(2))) // ['chain/n0', 'chain/n1']
 */
export function graphologyTopoOrder(g: DirectedGraph): string[] {
  return topologicalSort(g)
}

/**
 * Topological generations (layer 0 = no deps) via graphology-dag's `topologicalGenerations`.
 * @example graphologyGenerations(buildGraphology(fanIn(3))) // [['fan/n0', 'fan/n1'], ['fan/sink']]
 */
export function graphologyGenerations(g: DirectedGraph): string[][] {
  return topologicalGenerations(g)
}
