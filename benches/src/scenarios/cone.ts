/**
 * Time vs cone size: code-version edits of assets picked for their number of descendants (1, 10,
 * 100, … up to the graph), so the cost per planned asset shows apart from the fixed cost of a call.
 * The reference planner re-plans the whole graph whatever the cone, which the chart shows too.
 */
import { measure } from '../harness.js'
import { writeVersion } from '../records.js'
import type { Workload } from '../workload.js'
import { emit, workOf, type RunCtx } from './common.js'
import type { Warm } from './incremental.js'

/** Number of non-source assets among `v` and its descendants (the cone a code edit of `v` plans). */
export function coneSize(w: Workload, v: number, mark: Uint32Array, stamp: number): number {
  const { childOffsets, children, g } = w
  const stack = [v]
  mark[v] = stamp
  let count = 0
  while (stack.length > 0) {
    const u = stack.pop() ?? 0
    if (!g.sources[u]) count++
    for (let i = childOffsets[u] ?? 0, end = childOffsets[u + 1] ?? 0; i < end; i++) {
      const c = children[i] ?? 0
      if (mark[c] !== stamp) {
        mark[c] = stamp
        stack.push(c)
      }
    }
  }
  return count
}

/**
 * Assets whose cones are closest (in ratio) to 1, 10, 100, … ≤ n. Candidates: assets spread over the
 * topological order `order` (log-spaced from its end, so cones of every size appear on chains and
 * layered graphs) plus the assets with the most children.
 */
export function pickByCone(w: Workload, order: Uint32Array): { id: number; cone: number }[] {
  const { g, childOffsets } = w
  const n = g.n
  const candidates = new Set<number>()
  for (let j = 0; j <= 80; j++) candidates.add(order[Math.max(0, n - Math.round(n ** (j / 80)))] ?? 0)
  const byDegree = w.sampleAssets.concat(
    Array.from(w.mat.batch.ids.subarray(0, Math.min(5000, w.mat.batch.ids.length))),
  )
  byDegree.sort((a, b) => childOffsets[b + 1]! - childOffsets[b]! - (childOffsets[a + 1]! - childOffsets[a]!))
  for (const v of byDegree.slice(0, 8)) candidates.add(v)
  const mark = new Uint32Array(n)
  let stamp = 0
  const measured: { id: number; cone: number }[] = []
  for (const v of candidates) if (!g.sources[v]) measured.push({ id: v, cone: coneSize(w, v, mark, ++stamp) })
  const picked = new Map<number, { id: number; cone: number }>()
  for (let target = 1; target <= n; target *= 10) {
    let best: { id: number; cone: number } | undefined
    for (const c of measured)
      if (!best || Math.abs(Math.log(c.cone / target)) < Math.abs(Math.log(best.cone / target))) best = c
    if (best && Math.abs(Math.log(best.cone / target)) < Math.log(4)) picked.set(best.id, best)
  }
  return [...picked.values()].sort((a, b) => a.cone - b.cone)
}

/** The sweep on one graph: Rivers and, where present, the reference (whose order it borrows). */
export function coneScenario(ctx: RunCtx, w: Workload, warm: Warm): void {
  const { ng, ref } = warm
  const zero = new Uint8Array(16)
  const order =
    ref?.graph.order ?? ng.topoPositions().reduce((o, pos, id) => ((o[pos] = id), o), new Uint32Array(w.g.n))
  for (const { id, cone: expected } of pickByCone(w, order)) {
    const ids = Uint32Array.of(id)
    const ver = new Uint8Array(16)
    writeVersion(ver, 0, id, 77)
    let cone = 0
    const m = measure(
      () => {
        ng.setCodeVersions(ids, ver)
        return ng.plan(null, false).ids.length
      },
      { ...ctx.profile.micro, slow: { thresholdMs: 100, samples: 10 } },
      { after: (_i, c) => ((cone = c), ng.setCodeVersions(ids, zero)) },
    )
    if (cone !== expected)
      ctx.problem(
        `cone sweep ${w.shape} ${w.g.n}: editing ${w.g.keys[id]} planned ${cone} assets, expected ${expected}`,
      )
    emit(ctx, w, 'cone', 'rivers', m, workOf(w, { cone }), w.g.keys[id])
    if (ref) {
      const mr = measure(
        () => {
          ref.setCodeVersions(ids, ver)
          return ref.plan(null, false).ids.length
        },
        ctx.profile.microBaseline,
        { after: () => ref.setCodeVersions(ids, zero) },
      )
      emit(ctx, w, 'cone', 'reference', mr, workOf(w, { cone }), w.g.keys[id])
    }
  }
}
