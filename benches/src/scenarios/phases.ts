/**
 * Where build (and cold plan) time goes, measured by difference: each variant removes or isolates one
 * cost. `join` is the JS side (on flat keys, and on the cons-string keys template literals make); `idOf(joined keys)` is one napi call that copies the joined string
 * into Rust (UTF-16 → UTF-8) and hashes it, a lower bound for handing the keys over; `keys only`
 * builds with no deps (key validation, hashing, sort, trivial topological order); `short keys`
 * keeps the deps but makes keys 5–8 bytes; then the record load, the observation and the first plan.
 */
import { measure, settle } from '../harness.js'
import { NativeGraph, nativeBatch } from '../native.js'
import type { Workload } from '../workload.js'
import { emit, workOf, type RunCtx } from './common.js'

/** Measures each phase and variant (yielding between them so that built graphs are freed). */
export async function phasesScenario(ctx: RunCtx, w: Workload): Promise<void> {
  const { g, mat } = w
  const budget = ctx.profile.whole
  const joined = g.keys.join('\n')
  const labels = g.labels
  const labelInit = labels
    ? { labels: labels.names.join('\n'), labelOffsets: labels.offsets, labelIds: labels.ids }
    : {}
  const noDeps = new Uint32Array(g.n + 1)
  const noEdges = new Uint32Array(0)
  const shortJoined = Array.from({ length: g.n }, (_, i) => `k${i}`).join('\n')
  const records = nativeBatch(mat.batch)
  const probe = NativeGraph.build({ keys: 'probe', depOffsets: Uint32Array.of(0, 0), deps: noEdges })
  const keyBytes = Buffer.byteLength(joined)
  const phase = async (variant: string, op: (i: number) => unknown): Promise<void> => {
    emit(ctx, w, 'phases', 'rivers', measure(op, budget), workOf(w), variant, { keyBytes })
    await settle()
  }
  await phase('keys.join("\\n")', () => g.keys.join('\n'))
  await phase('keys.join("\\n") of the generator\'s cons-string keys (not flattened)', () => w.generatedKeys.join('\n'))
  await phase('napi: copy the joined keys into Rust (idOf)', () => probe.idOf(joined))
  await phase('build, keys joined, no labels', () =>
    NativeGraph.build({ keys: joined, depOffsets: g.depOffsets, deps: g.deps, sources: g.sources }),
  )
  if (labels)
    await phase('build, keys joined, with labels', () =>
      NativeGraph.build({ keys: joined, depOffsets: g.depOffsets, deps: g.deps, sources: g.sources, ...labelInit }),
    )
  await phase('build, keys only (no deps)', () =>
    NativeGraph.build({ keys: joined, depOffsets: noDeps, deps: noEdges }),
  )
  await phase('build, short keys (k0, k1, …), same deps', () =>
    NativeGraph.build({ keys: shortJoined, depOffsets: g.depOffsets, deps: g.deps, sources: g.sources }),
  )
  const ng = NativeGraph.build({
    keys: joined,
    depOffsets: g.depOffsets,
    deps: g.deps,
    sources: g.sources,
    ...labelInit,
  })
  // Alternating states so that every sample changes 1% of the sources.
  await phase('setObserved(every source), 1% changed', (i) =>
    ng.setObserved(mat.observedIds, i % 2 ? mat.observed : w.observedChanged),
  )
  await phase('loadRecords(every record)', () => ng.loadRecords(records))
  await phase('plan(null) after the load', () => ng.plan(null, false))
}
