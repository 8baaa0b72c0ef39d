import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { shuffleIds, type CsrGraph } from '../graphs.js'
import { Rng } from '../rng.js'
import { IncrementalPlanner } from './incremental.js'
import { layerSets, planLayers, Twin, type TokRecord } from './testkit.js'
import { STATUS_NAMES } from './types.js'

/** A random small DAG with shuffled ids; some roots are sources, some keys have several segments. */
function randomGraph(rng: Rng, n: number): CsrGraph {
  const depOffsets = new Uint32Array(n + 1)
  const deps: number[] = []
  const sources = new Uint8Array(n)
  const density = 0.15 + 0.4 * rng.float()
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < v; u++) if (rng.chance(density)) deps.push(u)
    depOffsets[v + 1] = deps.length
    if (depOffsets[v] === deps.length && rng.chance(0.6)) sources[v] = 1
  }
  const keys = Array.from({ length: n }, (_, v) => (v % 3 === 0 ? `grp/a${v}` : `a${v}`))
  return shuffleIds({ name: 'random', n, keys, depOffsets, deps: Uint32Array.from(deps), sources }, rng)
}

/** A random record for `id`, possibly inconsistent: random versions, extra, missing and extern deps. */
function garbageRecord(rng: Rng, t: Twin, id: number): TokRecord {
  const deps = t.g.keys.filter((k) => k !== t.key(id) && rng.chance(t.depKeys(id).includes(k) ? 0.8 : 0.15))
  if (rng.chance(0.2)) deps.splice(rng.int(deps.length + 1), 0, `gone/x${rng.int(2)}`)
  return {
    key: t.key(id),
    code: rng.int(3),
    config: rng.int(2),
    data: 1 + rng.int(4),
    deps: deps.map((k) => ({ key: k, ver: rng.int(5) })),
  }
}

function randomSelection(rng: Rng, n: number): Uint32Array | null {
  if (rng.chance(0.3)) return null
  return Uint32Array.from({ length: rng.int(n + 2) }, () => rng.int(n)) // may repeat ids
}

/** Every check that the reference (incremental and from scratch) and the idiomatic planner agree. */
function agree(t: Twin, rng: Rng): void {
  const { ref, idi, g } = t
  const st = ref.statuses()
  expect(st).toEqual(ref.statusesFromScratch())
  const sortRc = (rcs: { key: string; kind: string }[]): string[] => rcs.map((c) => `${c.key} ${c.kind}`).sort()
  for (let v = 0; v < g.n; v++) {
    const key = t.key(v)
    expect(STATUS_NAMES[st[v]!], key).toBe(idi.status(key))
    expect(ref.causes(v), key).toEqual(idi.causes(key))
    const rc = ref.rootCauses(v)
    expect(sortRc(rc), key).toEqual(sortRc(idi.rootCauses(key)))
    const pos = rc.map((c) => ref.graph.position[ref.idOf(c.key)]!)
    expect(pos).toEqual([...pos].sort((a, b) => a - b))
  }
  const whole = ref.plan(null, false)
  expect(whole).toEqual(ref.planFromScratch(null, false))
  if (ref instanceof IncrementalPlanner) expect(ref.plannedCount()).toBe(whole.ids.length)
  for (let k = 0; k < 3; k++) {
    const sel = randomSelection(rng, g.n)
    const force = rng.chance(0.2)
    const plan = ref.plan(sel, force)
    expect(plan).toEqual(ref.planFromScratch(sel, force))
    const selKeys = sel && [...sel].map((v) => t.key(v))
    expect(layerSets(planLayers(g, plan))).toEqual(layerSets(idi.plan(selKeys, force)))
    const layerOf = new Map<number, number>()
    for (let l = 0; l + 1 < plan.layerOffsets.length; l++) {
      const ids = plan.ids.subarray(plan.layerOffsets[l], plan.layerOffsets[l + 1])
      expect(ids.length).toBeGreaterThan(0)
      for (let i = 1; i < ids.length; i++)
        expect(ref.graph.position[ids[i]!]!).toBeGreaterThan(ref.graph.position[ids[i - 1]!]!)
      for (const v of ids) layerOf.set(v, l)
    }
    for (const [v, l] of layerOf) {
      expect(g.sources[v]).toBe(0)
      if (sel) expect(sel.includes(v)).toBe(true)
      let expected = 0
      for (let i = ref.graph.depOffsets[v]!; i < ref.graph.depOffsets[v + 1]!; i++) {
        const lu = layerOf.get(ref.graph.deps[i]!)
        if (lu !== undefined) expected = Math.max(expected, lu + 1)
      }
      expect(l).toBe(expected)
    }
    const mi = ref.missingInputs(sel, plan)
    const pairs = Array.from({ length: mi.length / 2 }, (_, i) => `${t.key(mi[2 * i]!)} ${t.key(mi[2 * i + 1]!)}`)
    expect(pairs.sort()).toEqual(
      idi
        .missingInputs(selKeys, idi.plan(selKeys, force))
        .map(([a, b]) => `${a} ${b}`)
        .sort(),
    )
  }
}

/**
 * Runs a plan as the executor does: layer by layer, applying each record at once; an unforced asset
 * that is fresh by its turn is skipped (early cutoff). Data tokens are sometimes unchanged.
 */
function run(
  t: Twin,
  rng: Rng,
  code: Map<number, number>,
  config: Map<number, number>,
  sel: Uint32Array | null,
  force: boolean,
): void {
  const plan = t.ref.plan(sel, force)
  for (const v of plan.ids) {
    if (!force && t.ref.statuses()[v] === 2) continue
    const same = t.data.get(t.key(v))
    t.apply([
      t.rebuild(v, code.get(v) ?? 0, config.get(v) ?? 0, same !== undefined && rng.chance(0.5) ? same : 1 + rng.int(6)),
    ])
  }
  const blocked = [...plan.ids].some((v) => t.depKeys(v).some((k) => t.ref.currentDataVersion(t.ref.idOf(k)) === null))
  if (!blocked) expect(t.ref.plan(sel, false).ids).toHaveLength(0) // fixpoint
}

describe.each([
  ['reference (from scratch)', false],
  ['incremental twin (maintained plan)', true],
])('%s vs idiomatic planner on random DAGs and edits', (_name, incremental) => {
  // 200 random runs, each checking every asset: seconds on a loaded machine, so not the 5 s default.
  it('agree on statuses, causes, root causes, plans and missing inputs', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 1, max: 12 }), (seed, n) => {
        const rng = new Rng(seed)
        const t = new Twin(randomGraph(rng, n), incremental)
        const code = new Map<number, number>()
        const config = new Map<number, number>()
        const ids = Array.from({ length: n }, (_, v) => v)
        const nonSources = ids.filter((v) => !t.g.sources[v])
        const sources = ids.filter((v) => t.g.sources[v])
        for (const v of nonSources) {
          code.set(v, rng.int(3))
          t.setCode(v, code.get(v)!)
        }
        t.apply(
          ids.filter(() => rng.chance(0.6)).map((v) => garbageRecord(rng, t, v)),
          true,
        )
        agree(t, rng)
        for (let step = rng.int(10); step > 0; step--) {
          const op = rng.int(7)
          if (op === 0 && nonSources.length) {
            const v = nonSources[rng.int(nonSources.length)]!
            code.set(v, rng.int(3))
            t.setCode(v, code.get(v)!)
          } else if (op === 1 && nonSources.length) {
            const v = nonSources[rng.int(nonSources.length)]!
            config.set(v, rng.int(2))
            t.setConfig(v, config.get(v)!)
          } else if (op === 2 && sources.length) t.observe(sources[rng.int(sources.length)]!, 1 + rng.int(3))
          else if (op === 3) t.apply(ids.filter(() => rng.chance(0.3)).map((v) => garbageRecord(rng, t, v)))
          else if (op === 4) {
            const v = rng.int(n)
            const same = t.data.get(t.key(v))
            t.apply([
              t.rebuild(
                v,
                code.get(v) ?? 0,
                config.get(v) ?? 0,
                same !== undefined && rng.chance(0.5) ? same : 1 + rng.int(6),
              ),
            ])
          } else if (op === 5)
            t.apply(
              ids.filter(() => rng.chance(0.5)).map((v) => garbageRecord(rng, t, v)),
              true,
            )
          else run(t, rng, code, config, randomSelection(rng, n), rng.chance(0.2))
          agree(t, rng)
        }
      }),
      { seed: 20241126, numRuns: 200 },
    )
  })

  it('reaches a fixpoint after running everything with every source observed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 1, max: 30 }), (seed, n) => {
        const rng = new Rng(seed)
        const t = new Twin(randomGraph(rng, n), incremental)
        for (let v = 0; v < n; v++) if (t.g.sources[v]) t.observe(v, 1 + rng.int(3))
        const none = new Map<number, number>()
        run(t, rng, none, none, null, false)
        expect(t.ref.plan(null, false).ids).toHaveLength(0)
        expect([...t.ref.statuses()].every((s) => s === 2)).toBe(true)
      }),
      { seed: 7, numRuns: 100 },
    )
  })
})
