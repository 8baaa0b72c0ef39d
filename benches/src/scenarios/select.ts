/**
 * Selection evaluation on the warm graph: `+x` (x and its ancestors), `x+` (x and its descendants),
 * a tag and a group, Rivers (`NativeGraph.select`) beside a TypeScript evaluator on typed arrays.
 * Both must return the same ids.
 */
import { TsSelector } from '../baselines/selection.js'
import { measure } from '../harness.js'
import type { Workload } from '../workload.js'
import { emit, workOf, type RunCtx } from './common.js'
import type { Warm } from './incremental.js'

/** The expressions timed on `w`: ancestors of the sampled asset with the most, descendants of the widest hub, a tag, a group. */
export function selectionExprs(w: Workload): string[] {
  const { g, childOffsets } = w
  let hub = -1
  for (const v of w.mat.batch.ids)
    if (hub < 0 || childOffsets[v + 1]! - childOffsets[v]! > childOffsets[hub + 1]! - childOffsets[hub]!) hub = v
  let deepest = w.sampleAssets[0] ?? 0
  let most = -1
  for (const v of w.sampleAssets) {
    const count = ancestors(w, v)
    if (count > most) [deepest, most] = [v, count]
  }
  const exprs = [`+${g.keys[deepest]}`]
  if (hub >= 0) exprs.push(`${g.keys[hub]}+`)
  const names = g.labels?.names ?? []
  if (names.includes('tag:pii')) exprs.push('tag:pii')
  const group = names.find((s) => s.startsWith('group:'))
  if (group) exprs.push(group)
  return exprs
}

function ancestors(w: Workload, v: number): number {
  const seen = new Set([v])
  const stack = [v]
  while (stack.length > 0) {
    const u = stack.pop() ?? 0
    for (let i = w.g.depOffsets[u] ?? 0, end = w.g.depOffsets[u + 1] ?? 0; i < end; i++) {
      const d = w.g.deps[i] ?? 0
      if (!seen.has(d)) seen.add(d), stack.push(d)
    }
  }
  return seen.size
}

/** Times each selection expression on Rivers and on the TypeScript evaluator, checking they agree. */
export function selectScenario(ctx: RunCtx, w: Workload, warm: Warm): void {
  const { ng, ref } = warm
  const ts = ref ? new TsSelector(w.g, ref.graph) : undefined
  for (const expr of selectionExprs(w)) {
    const list = [expr]
    let selected = 0
    const m = measure(() => ng.select(list), ctx.profile.micro, { after: (_i, ids) => void (selected = ids.length) })
    const variant = expr.startsWith('+')
      ? '+x (ancestors)'
      : expr.endsWith('+')
        ? 'x+ (descendants)'
        : expr.split(':')[0] === 'tag'
          ? 'tag:pii'
          : 'group:NAME'
    emit(ctx, w, 'select', 'rivers', m, workOf(w, { selected }), variant, { expr })
    if (ts) {
      const mine = ts.select(expr)
      const theirs = ng.select(list)
      if (mine.length !== theirs.length || mine.some((v, i) => v !== theirs[i]))
        ctx.problem(`select ${expr} on ${w.shape} ${w.g.n}: TS selects ${mine.length} ids, Rivers ${theirs.length}`)
      const mr = measure(() => ts.select(expr), ctx.profile.microBaseline)
      emit(ctx, w, 'select', 'reference', mr, workOf(w, { selected }), variant, { expr })
    }
  }
}
