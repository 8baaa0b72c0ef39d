/**
 * Scenarios on a warm graph (built, every record loaded, every source observed; everything fresh):
 * full status + plan, the incremental re-plans (one source, 1% of the assets, one code version) and
 * run-time re-verification. Each timed change is undone outside the clock, and the state is checked
 * to be back to "nothing planned" at the end of each series.
 */
import { IdiomaticPlanner, type IdiomaticRecord } from '../baselines/idiomatic.js'
import { IncrementalPlanner } from '../baselines/incremental.js'
import { ReferencePlanner } from '../baselines/reference.js'
import { measure } from '../harness.js'
import { buildNative, nativeBatch, type NativeGraph } from '../native.js'
import { versionHex, writeVersion } from '../records.js'
import type { RecordBatch } from '../baselines/types.js'
import { CHANGED, subBatch, type Workload } from '../workload.js'
import { coneWork, emit, median, workOf, type RunCtx } from './common.js'

/** The three planners in the same fresh state. */
export interface Warm {
  ng: NativeGraph
  ref?: ReferencePlanner
  /** The incremental TypeScript twin (the Rust core's maintained plan on typed arrays). */
  inc?: IncrementalPlanner
  idi?: IdiomaticPlanner
}

/** The TypeScript twins present, with the impl each row is filed under. */
function twins(warm: Warm): ['reference' | 'incremental', ReferencePlanner][] {
  const out: ['reference' | 'incremental', ReferencePlanner][] = []
  if (warm.ref) out.push(['reference', warm.ref])
  if (warm.inc) out.push(['incremental', warm.inc])
  return out
}

/**
 * Builds the planners that run on this graph and loads the fully materialized state into each.
 * @example const warm = warmUp(ctx, w); warm.ng.plannedCount() // 0
 */
export function warmUp(ctx: RunCtx, w: Workload): Warm {
  const { g, mat } = w
  const baselines = ctx.profile.baselines(w.shape, g.n)
  const ng = buildNative(g)
  ng.setObserved(mat.observedIds, mat.observed)
  ng.loadRecords(nativeBatch(mat.batch))
  const warm: Warm = { ng }
  if (baselines.includes('reference')) {
    const ref = new ReferencePlanner(g)
    ref.setObserved(mat.observedIds, mat.observed)
    ref.loadRecords(mat.batch)
    warm.ref = ref
  }
  if (baselines.includes('incremental')) {
    const inc = new IncrementalPlanner(g)
    inc.setObserved(mat.observedIds, mat.observed)
    inc.loadRecords(mat.batch)
    warm.inc = inc
  }
  if (baselines.includes('idiomatic')) {
    const { assets, records, observed } = w.idiomatic()
    const idi = new IdiomaticPlanner(assets)
    for (const [key, version] of observed) idi.observe(key, version)
    idi.loadRecords(records)
    warm.idi = idi
  }
  if (ng.plannedCount() !== 0)
    ctx.problem(`${w.shape} ${w.order} ${g.n}: the materialized state plans ${ng.plannedCount()} assets, expected none`)
  return warm
}

function layersSize(layers: string[][]): number {
  let s = 0
  for (const l of layers) s += l.length
  return s
}

/** Reports a problem if a planner still plans something after a series was undone. */
function checkRestored(ctx: RunCtx, w: Workload, warm: Warm, what: string): void {
  const left = {
    rivers: warm.ng.plannedCount(),
    reference: warm.ref?.plan(null, false).ids.length ?? 0,
    incremental: warm.inc?.plannedCount() ?? 0,
    idiomatic: warm.idi ? layersSize(warm.idi.plan(null, false)) : 0,
  }
  if (left.rivers + left.reference + left.incremental + left.idiomatic > 0)
    ctx.problem(`${what} ${w.shape} ${w.order} ${w.g.n}: state not restored, still planned: ${JSON.stringify(left)}`)
}

/**
 * Warm full status + plan with 1% of the sources changed. Rivers: `statuses()` + `plan(null)` (the
 * maintained plan); baselines: their statuses + whole-graph plan. A second Rivers row adds causes and
 * root causes of every asset: everything `assets status` asks of the core.
 */
export function warmScenario(ctx: RunCtx, w: Workload, warm: Warm): void {
  const budget = ctx.profile.whole
  const { ng, idi } = warm
  const { ids, changed, original } = w.changedSources
  ng.setObserved(ids, changed)
  // The reference gets its own planner in this state, observed before its records are loaded: its
  // setObserved recomputes a child once per changed source, which on fanIn 1M (10k changed sources,
  // one child with 1M deps) would spend minutes outside the clock.
  let ref: ReferencePlanner | undefined
  if (warm.ref) {
    ref = new ReferencePlanner(w.g)
    ref.setObserved(w.mat.observedIds, w.observedChanged)
    ref.loadRecords(w.mat.batch)
  }
  const idiom = idi ? w.idiomatic() : undefined
  if (idi && idiom) for (const [key, version] of idiom.changedSources.changed) idi.observe(key, version)
  let cone = 0
  const m = measure(
    () => {
      ng.statuses()
      return ng.plan(null, false).ids.length
    },
    budget,
    { after: (_i, c) => void (cone = c) },
  )
  emit(ctx, w, 'warm', 'rivers', m, workOf(w, { cone }))
  const all = Uint32Array.from({ length: w.g.n }, (_, i) => i)
  const mAll = measure(() => {
    ng.statuses(all)
    ng.causes(all)
    ng.rootCauses(all)
    return ng.plan(null, false).ids.length
  }, budget)
  emit(ctx, w, 'warm', 'rivers', mAll, workOf(w, { cone }), 'with causes + root causes')
  if (ref) {
    let c = 0
    const mr = measure(
      () => {
        ref.statuses()
        return ref.plan(null, false).ids.length
      },
      budget,
      { after: (_i, x) => void (c = x) },
    )
    emit(ctx, w, 'warm', 'reference', mr, workOf(w, { cone: c }))
    if (c !== cone) ctx.problem(`warm ${w.shape} ${w.order} ${w.g.n}: reference plans ${c}, Rivers ${cone}`)
  }
  if (idi) {
    let c = 0
    const mi = measure(
      () => {
        idi.statuses()
        return layersSize(idi.plan(null, false))
      },
      budget,
      { after: (_i, x) => void (c = x) },
    )
    emit(ctx, w, 'warm', 'idiomatic', mi, workOf(w, { cone: c }))
    if (c !== cone) ctx.problem(`warm ${w.shape} ${w.order} ${w.g.n}: idiomatic plans ${c}, Rivers ${cone}`)
  }
  ng.setObserved(ids, original)
  if (idi && idiom) for (const [key, version] of idiom.changedSources.original) idi.observe(key, version)
  checkRestored(ctx, w, warm, 'warm')
}

/** A 16-byte version for sample `i` of a series (distinct per sample, never the materialized one). */
function sampleVersion(id: number, i: number): Uint8Array {
  const b = new Uint8Array(16)
  writeVersion(b, 0, id, 1000 + (i < 0 ? 1_000_000 - i : i))
  return b
}

/**
 * Re-plan after one source changes: `setObserved` of one source + `plan(null)`, rotating over the
 * sampled sources; undone outside the clock. The plan returned is the cone.
 */
export function replanSourceScenario(ctx: RunCtx, w: Workload, warm: Warm): void {
  const { g, mat } = w
  const { ng, idi } = warm
  const budget = w.shape === 'dbt' ? ctx.profile.headline : ctx.profile.micro
  const rowOf = new Map<number, number>()
  mat.observedIds.forEach((id, row) => rowOf.set(id, row))
  const srcs = w.sampleSources
  const pick = (i: number): number => srcs[((i % srcs.length) + srcs.length) % srcs.length] ?? 0
  const original = (s: number): Uint8Array => mat.observed.slice(16 * rowOf.get(s)!, 16 * rowOf.get(s)! + 16)
  let id = Uint32Array.of(0)
  let ver: Uint8Array = new Uint8Array(16)
  const prep = (i: number): void => {
    id = Uint32Array.of(pick(i))
    ver = sampleVersion(id[0] ?? 0, i)
  }
  const cones: number[] = []
  const m = measure(
    () => {
      ng.setObserved(id, ver)
      return ng.plan(null, false).ids.length
    },
    budget,
    {
      before: prep,
      after: (i, cone) => {
        if (i >= 0) cones.push(cone)
        ng.setObserved(id, original(id[0] ?? 0))
      },
    },
  )
  emit(ctx, w, 'replan-source', 'rivers', m, workOf(w, coneWork(cones)))
  const baseline = ctx.profile.microBaseline
  for (const [impl, ref] of twins(warm)) {
    const c: number[] = []
    const mr = measure(
      () => {
        ref.setObserved(id, ver)
        return ref.plan(null, false).ids.length
      },
      baseline,
      { before: prep, after: (i, cone) => (i >= 0 && c.push(cone), ref.setObserved(id, original(id[0] ?? 0))) },
    )
    emit(ctx, w, 'replan-source', impl, mr, workOf(w, coneWork(c)))
  }
  if (idi) {
    const c: number[] = []
    let key = ''
    let hex = ''
    const mi = measure(
      () => {
        idi.observe(key, hex)
        return layersSize(idi.plan(null, false))
      },
      baseline,
      {
        before: (i) => {
          const s = pick(i)
          key = g.keys[s] ?? ''
          hex = versionHex(s, 1000 + (i < 0 ? 1_000_000 - i : i))
        },
        after: (i, cone) => {
          if (i >= 0) c.push(cone)
          const s = pick(i)
          idi.observe(key, versionHex(s, 0))
        },
      },
    )
    emit(ctx, w, 'replan-source', 'idiomatic', mi, workOf(w, coneWork(c)))
  }
  checkRestored(ctx, w, warm, 'replan-source')
}

/** Re-plan after 1% of the non-source assets were re-materialized with new data versions. */
export function replanOnePctScenario(ctx: RunCtx, w: Workload, warm: Warm): void {
  const { ng, idi } = warm
  const change = nativeBatch(w.onePct.change)
  const undo = nativeBatch(w.onePct.undo)
  const records = w.onePct.change.ids.length
  const budget = ctx.profile.micro
  const baseline = ctx.profile.microBaseline
  const cones: number[] = []
  const m = measure(
    () => {
      ng.applyRecords(change)
      return ng.plan(null, false).ids.length
    },
    budget,
    { after: (i, cone) => (i >= 0 && cones.push(cone), ng.applyRecords(undo)) },
  )
  emit(ctx, w, 'replan-1pct', 'rivers', m, workOf(w, { ...coneWork(cones), records }))
  for (const [impl, ref] of twins(warm)) {
    const c: number[] = []
    const mr = measure(
      () => {
        ref.applyRecords(w.onePct.change)
        return ref.plan(null, false).ids.length
      },
      baseline,
      { after: (i, cone) => (i >= 0 && c.push(cone), ref.applyRecords(w.onePct.undo)) },
    )
    emit(ctx, w, 'replan-1pct', impl, mr, workOf(w, { ...coneWork(c), records }))
  }
  if (idi) {
    const { onePct } = w.idiomatic()
    const c: number[] = []
    const mi = measure(
      () => {
        for (const [key, rec] of onePct.change) idi.record(key, rec)
        return layersSize(idi.plan(null, false))
      },
      baseline,
      { after: (i, cone) => (i >= 0 && c.push(cone), onePct.undo.forEach(([key, rec]) => idi.record(key, rec))) },
    )
    emit(ctx, w, 'replan-1pct', 'idiomatic', mi, workOf(w, { ...coneWork(c), records }))
  }
  checkRestored(ctx, w, warm, 'replan-1pct')
}

/** Re-plan after the code version of one asset changes (rotating over sampled assets). */
export function replanCodeScenario(ctx: RunCtx, w: Workload, warm: Warm): void {
  const { g } = w
  const { ng, idi } = warm
  const assets = w.sampleAssets
  if (assets.length === 0) return
  const pick = (i: number): number => assets[((i % assets.length) + assets.length) % assets.length] ?? 0
  const zero = new Uint8Array(16)
  let id = Uint32Array.of(0)
  let ver: Uint8Array = new Uint8Array(16)
  const prep = (i: number): void => {
    id = Uint32Array.of(pick(i))
    ver = sampleVersion(id[0] ?? 0, i)
  }
  const cones: number[] = []
  const m = measure(
    () => {
      ng.setCodeVersions(id, ver)
      return ng.plan(null, false).ids.length
    },
    ctx.profile.micro,
    { before: prep, after: (i, cone) => (i >= 0 && cones.push(cone), ng.setCodeVersions(id, zero)) },
  )
  emit(ctx, w, 'replan-code', 'rivers', m, workOf(w, coneWork(cones)))
  const baseline = ctx.profile.microBaseline
  for (const [impl, ref] of twins(warm)) {
    const c: number[] = []
    const mr = measure(
      () => {
        ref.setCodeVersions(id, ver)
        return ref.plan(null, false).ids.length
      },
      baseline,
      { before: prep, after: (i, cone) => (i >= 0 && c.push(cone), ref.setCodeVersions(id, zero)) },
    )
    emit(ctx, w, 'replan-code', impl, mr, workOf(w, coneWork(c)))
  }
  if (idi) {
    const c: number[] = []
    let key = ''
    const mi = measure(
      () => {
        idi.setCodeVersion(key, 'edited')
        return layersSize(idi.plan(null, false))
      },
      baseline,
      {
        before: (i) => void (key = g.keys[pick(i)] ?? ''),
        after: (i, cone) => (i >= 0 && c.push(cone), idi.setCodeVersion(key, '')),
      },
    )
    emit(ctx, w, 'replan-code', 'idiomatic', mi, workOf(w, coneWork(c)))
  }
  checkRestored(ctx, w, warm, 'replan-code')
}

/**
 * Run-time re-verification, in the state of a run: the code version of asset `x` was edited, so `x`
 * and everything below it are planned. `x` has just been materialized: its record (new code version)
 * is applied, then each child is asked whether it must still run (the executor's `needsRun` before
 * starting it). `cutoff`: `x` produced the same data version, so its children are fresh again and
 * drop out of the plan with everything below them; `changed`: a new data version, every child runs.
 * Undone outside the clock. The cone is the plan being run.
 */
export function reverifyScenario(ctx: RunCtx, w: Workload, warm: Warm): void {
  const { g, mat, childOffsets, children } = w
  const { ng, ref, idi } = warm
  const parents = w.sampleParents
  if (parents.length === 0) return
  const rowOf = new Map<number, number>()
  mat.batch.ids.forEach((id, row) => rowOf.set(id, row))
  const kids = parents.map((p) => children.subarray(childOffsets[p] ?? 0, childOffsets[p + 1] ?? 0))
  const edited = new Uint8Array(16)
  writeVersion(edited, 0, 0, 4242)
  const zero = new Uint8Array(16)
  const withCode = (b: RecordBatch): RecordBatch => ({ ...b, codeVersions: edited.slice() })
  const original = parents.map((p) => subBatch(mat.batch, [rowOf.get(p)!], 0))
  const at = (i: number): number => ((i % parents.length) + parents.length) % parents.length
  const degree = median(kids.map((k) => k.length))
  const idiom = idi ? w.idiomatic() : undefined
  const idiomRec = (p: number, salt: number, code: string): IdiomaticRecord => ({
    ...idiom!.records.get(g.keys[p] ?? '')!,
    codeVersion: code,
    dataVersion: versionHex(p, salt),
  })
  const kidKeys = kids.map((k) => Array.from(k, (c) => g.keys[c] ?? ''))
  for (const variant of ['cutoff', 'changed'] as const) {
    const expectRun = variant === 'changed'
    const salt = expectRun ? CHANGED : 0
    const applied = parents.map((p) => withCode(subBatch(mat.batch, [rowOf.get(p)!], salt)))
    const nativeApplied = applied.map(nativeBatch)
    const nativeOriginal = original.map(nativeBatch)
    const check = (impl: string, i: number, running: number): void => {
      const want = expectRun ? (kids[at(i)]?.length ?? 0) : 0
      if (i === 0 && running !== want)
        ctx.problem(
          `reverify ${variant} ${w.shape} ${w.order} ${g.n} (${impl}): ${running} children must run, expected ${want}`,
        )
    }
    const cones: number[] = []
    let x = Uint32Array.of(0)
    const m = measure(
      (i) => {
        ng.applyRecords(nativeApplied[at(i)]!)
        let running = 0
        for (const c of kids[at(i)]!) if (ng.needsRun(c)) running++
        return running
      },
      ctx.profile.micro,
      {
        before: (i) => {
          x = Uint32Array.of(parents[at(i)] ?? 0)
          ng.setCodeVersions(x, edited)
          if (i >= 0) cones.push(ng.plannedCount())
        },
        after: (i, running) => {
          check('rivers', i, running)
          ng.setCodeVersions(x, zero)
          ng.applyRecords(nativeOriginal[at(i)]!)
        },
      },
    )
    const row = emit(
      ctx,
      w,
      'reverify',
      'rivers',
      m,
      workOf(w, { ...coneWork(cones), children: degree, records: 1 }),
      variant,
    )
    // With a new data version the work is the children, not the cone.
    if (expectRun) delete row.perConeNs
    if (ref) {
      const mr = measure(
        (i) => {
          ref.applyRecords(applied[at(i)]!)
          let running = 0
          // The reference has no O(1) status getter; `causes(c)` is O(1) for a fresh child and a
          // scan of its deps for a stale one (what re-verification must do anyway).
          for (const c of kids[at(i)]!) if (ref.causes(c).length > 0) running++
          return running
        },
        ctx.profile.microBaseline,
        {
          before: (i) => ref.setCodeVersions(Uint32Array.of(parents[at(i)] ?? 0), edited),
          after: (i, running) => {
            check('reference', i, running)
            ref.setCodeVersions(Uint32Array.of(parents[at(i)] ?? 0), zero)
            ref.applyRecords(original[at(i)]!)
          },
        },
      )
      emit(
        ctx,
        w,
        'reverify',
        'reference',
        mr,
        workOf(w, { ...coneWork(cones), children: degree, records: 1 }),
        variant,
      )
    }
    if (idi) {
      const recs = parents.map((p) => idiomRec(p, salt, 'edited'))
      const key = (i: number): string => g.keys[parents[at(i)] ?? 0] ?? ''
      const mi = measure(
        (i) => {
          idi.record(key(i), recs[at(i)]!)
          let running = 0
          for (const k of kidKeys[at(i)]!) if (idi.status(k) !== 'fresh') running++
          return running
        },
        ctx.profile.microBaseline,
        {
          before: (i) => idi.setCodeVersion(key(i), 'edited'),
          after: (i, running) => {
            check('idiomatic', i, running)
            idi.setCodeVersion(key(i), '')
            idi.record(key(i), idiomRec(parents[at(i)] ?? 0, 0, ''))
          },
        },
      )
      emit(
        ctx,
        w,
        'reverify',
        'idiomatic',
        mi,
        workOf(w, { ...coneWork(cones), children: degree, records: 1 }),
        variant,
      )
    }
  }
  checkRestored(ctx, w, warm, 'reverify')
}

/** Native bytes of the warm graph (every record loaded) against 128 B per asset + 8 B per edge. */
export function memoryRow(ctx: RunCtx, w: Workload, warm: Warm): void {
  const edges = warm.ng.edgeCount
  ctx.memory.push({
    shape: w.shape,
    order: w.order,
    n: w.g.n,
    edges,
    heapBytes: warm.ng.heapBytes(),
    budgetBytes: 128 * w.g.n + 8 * edges,
  })
}
