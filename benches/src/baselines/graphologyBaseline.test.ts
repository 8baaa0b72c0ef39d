import { describe, expect, it } from 'vitest'
import { generate, SHAPES } from '../graphs.js'
import { buildGraphology, graphologyGenerations, graphologyTopoOrder } from './graphologyBaseline.js'
import { ReferencePlanner } from './reference.js'
import { layerSets, planLayers } from './testkit.js'

describe('graphology baseline', () => {
  for (const shape of SHAPES) {
    it(`${shape}: topological order and generations match the reference`, () => {
      const g = { ...generate(shape, 400, { seed: 2, order: 'shuffled' }), sources: new Uint8Array(400) }
      const gg = buildGraphology(g)
      expect(gg.order).toBe(g.n)
      expect(gg.size).toBe(g.deps.length)
      const order = graphologyTopoOrder(gg)
      const pos = new Map(order.map((k, i) => [k, i]))
      for (let v = 0; v < g.n; v++)
        for (let i = g.depOffsets[v]!; i < g.depOffsets[v + 1]!; i++)
          expect(pos.get(g.keys[g.deps[i]!]!)!).toBeLessThan(pos.get(g.keys[v]!)!)
      // With no sources, a forced plan of everything is the longest-path layering: the generations.
      const ref = new ReferencePlanner(g)
      expect(layerSets(graphologyGenerations(gg))).toEqual(layerSets(planLayers(g, ref.plan(null, true))))
    })
  }
})
