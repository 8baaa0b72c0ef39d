import { describe, expect, it } from 'vitest'
import { IdiomaticPlanner } from './baselines/idiomatic.js'
import { ReferencePlanner } from './baselines/reference.js'
import { layerSets, planLayers } from './baselines/testkit.js'
import { generate, SHAPES, toAssetList } from './graphs.js'
import { materialized, materializedIdiomatic, versionHex, writeVersion } from './records.js'

describe('materialized states', () => {
  it('versions are deterministic and distinct', () => {
    const seen = new Set<string>()
    for (let id = 0; id < 2000; id++) for (const salt of [0, 1]) seen.add(versionHex(id, salt))
    expect(seen.size).toBe(4000)
    const b = new Uint8Array(32)
    writeVersion(b, 1, 5, 0)
    expect(Buffer.from(b.subarray(16)).toString('hex')).toBe(versionHex(5, 0))
  })

  for (const shape of SHAPES) {
    it(`${shape}: everything fresh in both planners; a new source version plans its descendants`, () => {
      const g = generate(shape, 300, { seed: 4, order: 'shuffled' })
      const ref = new ReferencePlanner(g)
      const m = materialized(g)
      ref.setObserved(m.observedIds, m.observed)
      ref.loadRecords(m.batch)
      const idi = new IdiomaticPlanner(toAssetList(g))
      const mi = materializedIdiomatic(g)
      for (const [k, v] of mi.observed) idi.observe(k, v)
      idi.loadRecords(mi.records)
      expect(ref.statuses().every((s) => s === 2)).toBe(true)
      expect([...idi.statuses().values()].every((s) => s === 'fresh')).toBe(true)
      expect(ref.plan(null, false).ids).toHaveLength(0)
      const src = m.observedIds[0]!
      ref.setObserved(Uint32Array.of(src), new Uint8Array(16).fill(9))
      idi.observe(g.keys[src]!, 'changed')
      const plan = ref.plan(null, false)
      expect(plan.ids.length).toBeGreaterThan(0)
      expect(layerSets(planLayers(g, plan))).toEqual(layerSets(idi.plan(null, false)))
    })
  }
})
