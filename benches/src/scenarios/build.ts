/**
 * Scenarios that start from nothing: building the graph from JS keys, and the cold first plan
 * (build + load records + observe sources + first plan).
 */
import { buildGraphology, graphologyTopoOrder } from '../baselines/graphologyBaseline.js'
import { IdiomaticPlanner } from '../baselines/idiomatic.js'
import { ReferencePlanner } from '../baselines/reference.js'
import { measure } from '../harness.js'
import { buildNative, nativeBatch } from '../native.js'
import type { Impl } from '../results.js'
import type { Workload } from '../workload.js'
import { coneWork, emit, workOf, type RunCtx } from './common.js'

/**
 * Build from JS keys, Rivers beside each baseline. Rivers: `keys.join('\n')` + `NativeGraph.build`
 * (validation, key index, topological order). Reference: its constructor (the same validation and
 * Kahn order on typed arrays). Idiomatic: its constructor from asset objects. graphology: a
 * `DirectedGraph` plus `topologicalSort`.
 */
export function buildScenario(ctx: RunCtx, w: Workload, impls: readonly Impl[]): void {
  const { g } = w
  const budget = ctx.profile.whole
  const baselines = ctx.profile.baselines(w.shape, g.n).filter((i) => impls.includes(i))
  if (impls.includes('rivers')) {
    const m = measure(() => buildNative(g), budget, {
      after: (i, ng) => {
        if (i === 0 && (ng.size !== g.n || ng.edgeCount !== g.deps.length))
          ctx.problem(
            `build ${w.shape} ${g.n}: native graph has ${ng.size} assets and ${ng.edgeCount} edges, expected ${g.n} and ${g.deps.length}`,
          )
      },
    })
    emit(ctx, w, 'build', 'rivers', m, workOf(w))
  }
  if (baselines.includes('reference'))
    emit(
      ctx,
      w,
      'build',
      'reference',
      measure(() => new ReferencePlanner(g), budget),
      workOf(w),
    )
  if (baselines.includes('idiomatic')) {
    const { assets } = w.idiomatic()
    emit(
      ctx,
      w,
      'build',
      'idiomatic',
      measure(() => new IdiomaticPlanner(assets), budget),
      workOf(w),
    )
  }
  if (baselines.includes('graphology')) {
    const mg = measure(() => graphologyTopoOrder(buildGraphology(g)), budget, {
      after: (i, order) => {
        if (i === 0 && order.length !== g.n)
          ctx.problem(`graphology ${w.shape} ${g.n}: topological order has ${order.length} keys`)
      },
    })
    emit(ctx, w, 'build', 'graphology', mg, workOf(w))
  }
}

/**
 * Cold first plan: build from JS keys, observe every source (1% at a new version), load every
 * record, plan the whole graph. The plan sizes of the planners must agree (`cones` collects them
 * across calls: Rivers runs first, the baselines in a second call).
 */
export function coldScenario(ctx: RunCtx, w: Workload, impls: readonly Impl[], cones: Record<string, number>): void {
  const { g, mat } = w
  const budget = ctx.profile.whole
  const baselines = ctx.profile.baselines(w.shape, g.n).filter((i) => impls.includes(i))
  const records = nativeBatch(mat.batch)
  const track = (impl: string) => ({ after: (_i: number, cone: number) => void (cones[impl] = cone) })
  if (impls.includes('rivers')) {
    const m = measure(
      () => {
        const ng = buildNative(g)
        ng.setObserved(mat.observedIds, w.observedChanged)
        ng.loadRecords(records)
        return ng.plan(null, false).ids.length
      },
      budget,
      track('rivers'),
    )
    emit(ctx, w, 'cold', 'rivers', m, workOf(w, coneWork([cones.rivers ?? 0])))
  }
  if (baselines.includes('reference')) {
    const mr = measure(
      () => {
        const p = new ReferencePlanner(g)
        p.setObserved(mat.observedIds, w.observedChanged)
        p.loadRecords(mat.batch)
        return p.plan(null, false).ids.length
      },
      budget,
      track('reference'),
    )
    emit(ctx, w, 'cold', 'reference', mr, workOf(w, coneWork([cones.reference ?? 0])))
  }
  if (baselines.includes('idiomatic')) {
    const { assets, records: recs, observedChanged } = w.idiomatic()
    const mi = measure(
      () => {
        const p = new IdiomaticPlanner(assets)
        for (const [key, version] of observedChanged) p.observe(key, version)
        p.loadRecords(recs)
        return p.plan(null, false).reduce((s, layer) => s + layer.length, 0)
      },
      budget,
      track('idiomatic'),
    )
    emit(ctx, w, 'cold', 'idiomatic', mi, workOf(w, coneWork([cones.idiomatic ?? 0])))
  }
  const sizes = new Set(Object.values(cones))
  if (sizes.size > 1)
    ctx.problem(`cold plan ${w.shape} ${w.order} ${g.n}: plan sizes differ between planners: ${JSON.stringify(cones)}`)
}
