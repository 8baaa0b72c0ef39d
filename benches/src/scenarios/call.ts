/**
 * The fixed cost of crossing the napi boundary: one call with no argument, with a number, with a
 * one-element typed array (returning a typed array), `plan(null)` of an empty plan (an object of
 * three typed arrays) and `applyRecords` of a record that changes nothing (an object of seven typed
 * arrays in). A plain JS method call on the reference planner is the yardstick.
 */
import { measure } from '../harness.js'
import { nativeBatch } from '../native.js'
import { subBatch, type Workload } from '../workload.js'
import { emit, workOf, type RunCtx } from './common.js'
import type { Warm } from './incremental.js'

export function callScenario(ctx: RunCtx, w: Workload, warm: Warm): void {
  const { ng, ref } = warm
  const id = w.sampleAssets[0] ?? 0
  const one = Uint32Array.of(id)
  const budget = ctx.profile.call
  let sink = 0
  // Re-applying an asset's own record changes nothing: what is left is the cost of the argument, an
  // object of seven typed arrays (what the executor passes after each materialization).
  const row = w.mat.batch.ids.indexOf(id)
  const record = nativeBatch(subBatch(w.mat.batch, [row], 0))
  const cases: [string, () => unknown][] = [
    ['plannedCount()', () => ng.plannedCount()],
    ['needsRun(id)', () => ng.needsRun(id)],
    ['statuses(Uint32Array.of(id))', () => ng.statuses(one)],
    ['statuses(new Uint32Array)', () => ng.statuses(Uint32Array.of(id))],
    ['plan(null), empty plan', () => ng.plan(null, false)],
    ['applyRecords(one unchanged record)', () => ng.applyRecords(record)],
  ]
  for (const [variant, op] of cases) {
    const m = measure(op, budget, { after: (_i, r) => void (sink += r ? 1 : 0) })
    emit(ctx, w, 'call', 'rivers', m, workOf(w), variant)
  }
  if (ref) {
    // The same question answered in JS: causes() of a fresh asset returns [] after one status read.
    const m = measure(() => ref.causes(id), budget, { after: (_i, r) => void (sink += r.length) })
    emit(ctx, w, 'call', 'reference', m, workOf(w), 'needsRun(id)')
  }
  if (sink < 0) ctx.problem('unreachable')
}
