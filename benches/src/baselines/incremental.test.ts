import { describe, expect, it } from 'vitest'
import { generate, type Shape } from '../graphs.js'
import { materialized, writeVersion } from '../records.js'
import { Rng } from '../rng.js'
import { subBatch } from '../workload.js'
import { IncrementalPlanner } from './incremental.js'
import { ReferencePlanner } from './reference.js'

/** The incremental twin and the from-scratch reference, fed the same edits, plan the same. */
function sameAfterEdits(shape: Shape, n: number, seed: number): void {
  const g = generate(shape, n, { seed, order: 'shuffled' })
  const inc = new IncrementalPlanner(g)
  const ref = new ReferencePlanner(g)
  const rng = new Rng(seed)
  const check = (): void => {
    const plan = inc.plan(null, false)
    expect(plan).toEqual(ref.plan(null, false))
    expect(inc.plannedCount()).toBe(plan.ids.length)
  }
  check() // everything missing
  const { batch, observedIds, observed } = materialized(g)
  for (const p of [inc, ref]) {
    p.setObserved(observedIds, observed)
    p.loadRecords(batch)
  }
  check()
  expect(inc.plannedCount()).toBe(0) // everything fresh
  const version = new Uint8Array(16)
  for (let step = 0; step < 40; step++) {
    const op = rng.int(4)
    if (op === 0 && observedIds.length > 0) {
      const i = rng.int(observedIds.length)
      writeVersion(version, 0, observedIds[i] ?? 0, rng.int(3))
      for (const p of [inc, ref]) p.setObserved(observedIds.subarray(i, i + 1), version)
    } else if (op === 1 && batch.ids.length > 0) {
      // Re-materialize a few assets (data versions change or come back), as a run would.
      const rows = Array.from({ length: 1 + rng.int(5) }, () => rng.int(batch.ids.length))
      const sub = subBatch(batch, rows, rng.int(3))
      for (const p of [inc, ref]) p.applyRecords(sub)
    } else if (op === 2 && batch.ids.length > 0) {
      const ids = Uint32Array.of(batch.ids[rng.int(batch.ids.length)] ?? 0)
      writeVersion(version, 0, 7, rng.int(2))
      const code = rng.chance(0.5) ? version : new Uint8Array(16)
      for (const p of [inc, ref]) p.setCodeVersions(ids, code)
    } else {
      const records = rng.chance(0.5) ? batch : subBatch(batch, [0, 1, 2], 1)
      for (const p of [inc, ref]) p.loadRecords(records)
    }
    check()
  }
}

describe('incremental twin vs the from-scratch reference on generated graphs', () => {
  for (const shape of ['hub', 'wideFanIn', 'dbt', 'chain', 'fanOut'] as const)
    it(`${shape}: same plan and planned count after random edits`, () => {
      for (const seed of [1, 2]) sameAfterEdits(shape, 3000, seed)
    })

  it('a change at a base library plans its whole cone; undoing it plans nothing', () => {
    const g = generate('hub', 5000, { seed: 3 })
    const inc = new IncrementalPlanner(g)
    const { batch, observedIds, observed } = materialized(g)
    inc.setObserved(observedIds, observed)
    inc.loadRecords(batch)
    const src = observedIds.subarray(0, 1) // lib/src0, under lib/base0
    expect(g.keys[src[0] ?? 0]).toBe('lib/src0')
    const changed = new Uint8Array(16)
    writeVersion(changed, 0, src[0] ?? 0, 9)
    inc.setObserved(src, changed)
    const planned = inc.plannedCount()
    expect(planned).toBeGreaterThan(0.1 * g.n)
    expect(inc.plan(null, false).ids.length).toBe(planned)
    inc.setObserved(src, observed.subarray(0, 16))
    expect(inc.plannedCount()).toBe(0)
    expect(inc.plan(null, false).ids.length).toBe(0)
  })
})
