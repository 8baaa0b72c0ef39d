/**
 * The binding against the typed-array TypeScript reference planner (benches/src/baselines), through
 * the JS API: random DAGs, random records and random edit sequences must give the same statuses,
 * causes, root causes and plans, and incremental updates must equal loading from scratch.
 */
import { createRequire } from 'node:module'

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { ReferencePlanner } from '../../../benches/src/baselines/reference.js'
import { packTokens, toBatch, type TokRecord } from '../../../benches/src/baselines/testkit.js'
import type { RecordBatch } from '../../../benches/src/baselines/types.js'

const require = createRequire(import.meta.url)
const { NativeGraph } = require('@rivers-orchestrator/native') as typeof import('@rivers-orchestrator/native')
type Native = InstanceType<typeof NativeGraph>

const CAUSES = [
  'code_changed',
  'config_changed',
  'dep_added',
  'dep_removed',
  'upstream_data_changed',
  'new_data_version',
  'source_changed',
  'missing',
]

interface Scenario {
  n: number
  deps: number[][]
  sources: boolean[]
  records: TokRecord[][]
  edits: Edit[]
  selections: number[][]
}
type Edit =
  | { kind: 'records'; recs: TokRecord[] }
  | { kind: 'code' | 'config'; id: number; tok: number }
  | { kind: 'observe'; id: number; tok: number }

const scenario: fc.Arbitrary<Scenario> = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc
    .record({
      // deps of i among 0..i-1 (acyclic by construction), shuffled later by key naming
      deps: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          i === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.integer({ min: 0, max: i - 1 }), { maxLength: 3 }),
        ),
      ),
      sourceBits: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      recs: fc.array(
        fc.record({
          id: fc.integer({ min: 0, max: n - 1 }),
          code: fc.integer({ min: 0, max: 2 }),
          config: fc.integer({ min: 0, max: 1 }),
          data: fc.integer({ min: 1, max: 3 }),
          depVer: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 4, maxLength: 4 }),
          depMode: fc.integer({ min: 0, max: 5 }),
        }),
        { maxLength: n },
      ),
      edits: fc.array(
        fc.oneof(
          fc.record({
            kind: fc.constant('code' as const),
            id: fc.integer({ min: 0, max: n - 1 }),
            tok: fc.integer({ min: 0, max: 2 }),
          }),
          fc.record({
            kind: fc.constant('config' as const),
            id: fc.integer({ min: 0, max: n - 1 }),
            tok: fc.integer({ min: 0, max: 1 }),
          }),
          fc.record({
            kind: fc.constant('observe' as const),
            id: fc.integer({ min: 0, max: n - 1 }),
            tok: fc.integer({ min: 1, max: 3 }),
          }),
          fc.record({
            kind: fc.constant('rec' as const),
            id: fc.integer({ min: 0, max: n - 1 }),
            data: fc.integer({ min: 1, max: 3 }),
            depVer: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 4, maxLength: 4 }),
          }),
        ),
        { maxLength: 8 },
      ),
      selections: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: n }), {
        maxLength: 3,
      }),
    })
    .map(({ deps: rawDeps, sourceBits, recs, edits, selections }) => {
      let deps: number[][] = rawDeps
      // Deps point to lower ids, so ids are topological positions; sorted deps are SPEC's dep order.
      deps = deps.map((d) => [...d].sort((a, b) => a - b))
      const sources = sourceBits.map((b, i) => b && deps[i]!.length === 0)
      const key = (i: number): string => `k${i}`
      const toRec = (r: {
        id: number
        code: number
        config: number
        data: number
        depVer: number[]
        depMode?: number
      }): TokRecord => {
        let ds = deps[r.id]!.map((d, j) => ({ key: key(d), ver: r.depVer[j % 4]! }))
        if (r.depMode === 1 && ds.length > 0) ds = ds.slice(1) // a dep added since
        if (r.depMode === 2) ds = [...ds, { key: 'gone/asset', ver: 1 }] // a dep removed from the graph
        return {
          key: key(r.id),
          code: sources[r.id] ? 0 : r.code,
          config: sources[r.id] ? 0 : r.config,
          data: r.data,
          deps: sources[r.id] ? [] : ds,
        }
      }
      const editList: Edit[] = edits.map((e) => {
        if (e.kind === 'rec') return { kind: 'records', recs: [toRec({ ...e, code: 0, config: 0 })] }
        if (e.kind === 'observe') return { kind: 'observe', id: e.id, tok: e.tok }
        return e
      })
      return { n, deps, sources, records: [recs.map(toRec)], edits: editList, selections }
    }),
)

function build(s: Scenario): { ref: ReferencePlanner; nat: Native } {
  const keys = Array.from({ length: s.n }, (_, i) => `k${i}`)
  const depOffsets = Uint32Array.from([0, ...s.deps.map((_, i) => s.deps.slice(0, i + 1).flat().length)])
  const deps = Uint32Array.from(s.deps.flat())
  const sources = Uint8Array.from(s.sources.map((b) => (b ? 1 : 0)))
  const ref = new ReferencePlanner({ keys, depOffsets, deps, sources })
  const nat = NativeGraph.build({ keys: keys.join('\n'), depOffsets, deps, sources })
  return { ref, nat }
}

function toNative(b: RecordBatch) {
  const { externKeys, ...rest } = b
  return externKeys !== undefined && externKeys.length > 0 ? { ...rest, externKeys: externKeys.join('\n') } : rest
}

function apply(ref: ReferencePlanner, nat: Native, e: Edit, s: Scenario): void {
  if (e.kind === 'records') {
    const batch = toBatch(ref, e.recs)
    ref.applyRecords(batch)
    nat.applyRecords(toNative(batch))
  } else if (e.kind === 'observe') {
    if (!s.sources[e.id]) return
    ref.setObserved(Uint32Array.of(e.id), packTokens([e.tok]))
    nat.setObserved(Uint32Array.of(e.id), packTokens([e.tok]))
  } else {
    const f = e.kind === 'code' ? 'setCodeVersions' : 'setConfigHashes'
    ref[f](Uint32Array.of(e.id), packTokens([e.tok]))
    nat[f](Uint32Array.of(e.id), packTokens([e.tok]))
  }
}

function view(nat: Native, n: number) {
  const ids = Uint32Array.from({ length: n }, (_, i) => i)
  const c = nat.causes(ids)
  const r = nat.rootCauses(ids)
  return Array.from({ length: n }, (_, i) => ({
    causes: Array.from({ length: c.offsets[i + 1]! - c.offsets[i]! }, (_, j) => {
      const k = c.offsets[i]! + j
      const dep = c.deps[k]!
      return dep === 0xffffffff ? { kind: CAUSES[c.kinds[k]!] } : { kind: CAUSES[c.kinds[k]!], dep: nat.keyOf(dep) }
    }),
    roots: Array.from({ length: r.offsets[i + 1]! - r.offsets[i]! }, (_, j) => ({
      key: nat.keyOf(r.ids[r.offsets[i]! + j]!),
      kind: CAUSES[r.kinds[r.offsets[i]! + j]!],
    })),
  }))
}

function refView(ref: ReferencePlanner, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    causes: ref.causes(i).map((c) => (c.dep === undefined ? { kind: c.kind } : { kind: c.kind, dep: c.dep })),
    roots: ref.rootCauses(i).map((rc) => ({ key: rc.key, kind: rc.kind })),
  }))
}

function compare(ref: ReferencePlanner, nat: Native, s: Scenario): void {
  expect([...nat.statuses()]).toEqual([...ref.statuses()])
  expect(view(nat, s.n)).toEqual(refView(ref, s.n))
  const p = nat.plan(null, false)
  const rp = ref.plan(null, false)
  expect([...p.ids]).toEqual([...rp.ids])
  expect([...p.layerOffsets]).toEqual([...rp.layerOffsets])
  for (const sel of s.selections) {
    const selection = Uint32Array.from([...sel].sort((a, b) => a - b))
    for (const force of [false, true]) {
      const a = nat.plan(selection, force)
      const b = ref.plan(selection, force)
      expect([...a.ids]).toEqual([...b.ids])
      expect([...a.layerOffsets]).toEqual([...b.layerOffsets])
      expect([...a.missingInputs]).toEqual([...ref.missingInputs(selection, b)])
    }
  }
}

describe('binding vs the TypeScript reference planner', () => {
  it('agrees on statuses, causes, root causes and plans after random edits; incremental equals from scratch', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { ref, nat } = build(s)
        const first = toBatch(ref, s.records[0]!)
        ref.loadRecords(first)
        nat.loadRecords(toNative(first))
        compare(ref, nat, s)
        for (const e of s.edits) {
          apply(ref, nat, e, s)
          compare(ref, nat, s)
        }
      }),
      { numRuns: 300, seed: 20261126 },
    )
  })
})
