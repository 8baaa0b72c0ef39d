/**
 * Fuzzing the planning core through the binding, as JavaScript calls it (the Rust crate fuzzes its
 * parser and graph builder with proptest on its own side). Random and structured inputs into
 * `NativeGraph#select`, `NativeGraph.build` and the record-loading calls must never crash the
 * process, never hang, and fail only with a coded error (`code` starting with `RIVERS_`) and a
 * message. Valid inputs must give well-formed results (ids in range, sorted selections, plans whose
 * edges go forward, selection algebra: `or` is union, `and` intersection, `not` complement).
 *
 * Deterministic (fixed seeds); RIVERS_FUZZ_SCALE multiplies the iteration counts for longer runs,
 * RIVERS_FUZZ_SEED changes the seed. A panic in Rust would abort the test worker: the run fails.
 */
import { createRequire } from 'node:module'

import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const { NativeGraph } = require('@rivers-orchestrator/native') as typeof import('@rivers-orchestrator/native')
type Native = InstanceType<typeof NativeGraph>

const SCALE = Number(process.env.RIVERS_FUZZ_SCALE ?? 1)
const SEED = Number(process.env.RIVERS_FUZZ_SEED ?? 20261126)
const runs = (n: number) => Math.max(1, Math.round(n * SCALE))
/** Time limit of one property: generous, and scaled with the iteration counts. */
const T = { timeout: 30_000 * Math.max(1, SCALE) }
/** Slowest single call seen, ms; a hang shows up as a test timeout, a slow path as this figure. */
let slowest = 0
const counts: Record<string, number> = {}

afterAll(() => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0)
  console.log(
    `fuzz through the binding: ${total} iterations (${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}); slowest call ${slowest.toFixed(1)} ms; seed ${SEED}`,
  )
})

/** Calls `f`; a thrown error must be coded. Returns the result, or undefined after a coded error. */
function guarded<T>(what: string, f: () => T): T | undefined {
  const t0 = performance.now()
  try {
    return f()
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code
    if (!(e instanceof Error) || typeof code !== 'string' || !code.startsWith('RIVERS_') || e.message === '') {
      throw new Error(
        `${what} threw an uncoded error: ${String(e)} (code ${String((e as { code?: unknown } | null)?.code)})`,
      )
    }
    return undefined
  } finally {
    const ms = performance.now() - t0
    slowest = Math.max(slowest, ms)
    // biome-ignore lint/correctness/noUnsafeFinally: a call slower than 2 s fails the fuzz case whatever it returned
    if (ms > 2_000) throw new Error(`${what} took ${ms.toFixed(0)} ms`)
  }
}

const count = (name: string) => (counts[name] = (counts[name] ?? 0) + 1)

// A fixed project to select in: keys with folders, tags, groups, kinds, owners, a source.
const KEYS = [
  'raw/orders',
  'raw/users',
  'raw/events',
  'clean/orders',
  'clean/users',
  'features',
  'model',
  'model/eval',
  'report',
  'and',
  'x.y-z_1',
]
const DEPS: number[][] = [[], [], [], [0], [1], [3, 4], [5], [6], [6, 7], [], [9]]
const LABELS = ['group:raw', 'group:ml', 'tag:pii', 'tag:tier=gold', 'kind:sklearn', 'owner:team:ml']
const LABELS_OF: number[][] = [[0, 2], [0, 2], [0], [], [2], [1, 3], [1, 4, 5], [1], [], [], []]

function fixedGraph(): Native {
  const offsets = [0]
  for (const d of DEPS) offsets.push(offsets.at(-1)! + d.length)
  const lOffsets = [0]
  for (const l of LABELS_OF) lOffsets.push(lOffsets.at(-1)! + l.length)
  return NativeGraph.build({
    keys: KEYS.join('\n'),
    depOffsets: Uint32Array.from(offsets),
    deps: Uint32Array.from(DEPS.flat()),
    sources: Uint8Array.from(KEYS.map((_, i) => (i === 2 ? 1 : 0))),
    labels: LABELS.join('\n'),
    labelOffsets: Uint32Array.from(lOffsets),
    labelIds: Uint32Array.from(LABELS_OF.flat()),
  })
}

function wellFormedSelection(ids: Uint32Array, size: number): void {
  for (let i = 0; i < ids.length; i++) {
    expect(ids[i]!).toBeLessThan(size)
    if (i > 0) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!)
  }
}

const TOKENS = [
  '(',
  ')',
  'and',
  'or',
  'not',
  '+',
  '*',
  '2+',
  '+1',
  '0+',
  'key:',
  'tag:',
  'group:',
  'kind:',
  'owner:',
  'status:',
  'stale',
  'missing',
  'fresh',
  '=',
  ':',
  ' ',
  '',
  'raw/*',
  'raw/orders',
  'model',
  'pii',
  'tier',
  'gold',
  'ml',
  '99999999999',
  '-',
  '/',
  '\\',
  '"',
  "'",
  '\n',
  '\t',
  '\u0000',
  'é',
  '𝔘',
  ...KEYS,
]

describe('NativeGraph#select', () => {
  const g = fixedGraph()
  const size = g.size

  it('random strings, of any code point: a selection or a coded error', T, () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 120 }), { minLength: 1, maxLength: 3 }), (exprs) => {
        count('select: random strings')
        const ids = guarded(`select(${JSON.stringify(exprs)})`, () => g.select(exprs))
        if (ids !== undefined) wellFormedSelection(ids, size)
      }),
      { numRuns: runs(20000), seed: SEED },
    )
  })

  it('token soup from the grammar: a selection or a coded error', T, () => {
    const soup = fc
      .array(fc.constantFrom(...TOKENS), { maxLength: 40 })
      .chain((ts) => fc.constantFrom(ts.join(' '), ts.join('')))
    fc.assert(
      fc.property(fc.array(soup, { minLength: 1, maxLength: 3 }), (exprs) => {
        count('select: token soup')
        const ids = guarded(`select(${JSON.stringify(exprs)})`, () => g.select(exprs))
        if (ids !== undefined) wellFormedSelection(ids, size)
      }),
      { numRuns: runs(30000), seed: SEED },
    )
  })

  it('a NUL byte (in a selection or a key) gives a coded error, not an uncoded failure', T, () => {
    count('select: pathological')
    expect(() => g.select(['raw\u0000orders'])).toThrow(
      expect.objectContaining({ code: 'RIVERS_SELECTION', message: expect.stringContaining('\\0') }),
    )
    expect(() =>
      NativeGraph.build({ keys: 'a\u0000b', depOffsets: Uint32Array.of(0, 0), deps: new Uint32Array() }),
    ).toThrow(expect.objectContaining({ code: 'RIVERS_INVALID_KEY' }))
  })

  it('pathological sizes and nesting answer at once', T, () => {
    for (const e of [
      '('.repeat(60_000),
      '('.repeat(20_000) + 'model' + ')'.repeat(20_000),
      'not '.repeat(16_000) + 'model',
      Array(10_000).fill('model').join(' or '),
      '*'.repeat(60_000),
      'raw/*'.repeat(10_000),
      '+'.repeat(60_000) + 'model',
      `${'9'.repeat(1000)}+model`,
      'x'.repeat(1 << 20),
    ]) {
      count('select: pathological')
      const ids = guarded(`select(<${e.length} chars>)`, () => g.select([e]))
      if (ids !== undefined) wellFormedSelection(ids, size)
    }
  })

  it('structured expressions over existing names: always valid, and the algebra holds', T, () => {
    const atom = fc.oneof(
      fc.constantFrom(
        ...KEYS.filter((k) => k !== 'and').map((k) => `key:${k}`),
        'raw/*',
        '*',
        'model*',
        'tag:pii',
        'tag:tier=gold',
        'group:ml',
        'group:raw',
        'kind:sklearn',
        'owner:team:ml',
        'status:missing',
        'key:and',
      ),
      fc
        .tuple(fc.constantFrom('', '1', '2'), fc.constantFrom('model', 'features', 'clean/orders'))
        .map(([d, k]) => `${d}+${k}`),
      fc.tuple(fc.constantFrom('raw/orders', 'features'), fc.constantFrom('', '1')).map(([k, d]) => `${k}+${d}`),
    )
    type Expr = { text: string; ids: Set<number> }
    const all = new Set(KEYS.map((_, i) => i))
    const sel = (text: string): Set<number> => new Set(g.select([text]))
    const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc.tuple(tie('e'), fc.constantFrom('and', 'or'), tie('e')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
        tie('e').map((a) => `not (${a})`),
      ),
    })).e
    fc.assert(
      fc.property(expr, expr, (a, b) => {
        count('select: structured')
        const A: Expr = { text: a, ids: sel(a) }
        const B: Expr = { text: b, ids: sel(b) }
        expect(sel(`(${a}) or (${b})`)).toEqual(new Set([...A.ids, ...B.ids]))
        expect(sel(`(${a}) and (${b})`)).toEqual(new Set([...A.ids].filter((i) => B.ids.has(i))))
        expect(sel(`not (${a})`)).toEqual(new Set([...all].filter((i) => !A.ids.has(i))))
        expect(new Set(g.select([a, b]))).toEqual(new Set([...A.ids, ...B.ids]))
      }),
      { numRuns: runs(3000), seed: SEED },
    )
  })
})

describe('NativeGraph.build', () => {
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_.-]{0,6}(\/[a-z0-9_.-]{1,6}){0,2}$/) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
  )
  const u32 = fc.oneof(fc.nat({ max: 40 }), fc.constantFrom(0xffffffff, 0x80000000, 65_535))

  it('random CSR arrays, keys and optional columns: a graph or a coded error, never a crash', T, () => {
    fc.assert(
      fc.property(
        fc.record({
          keys: fc.array(key, { maxLength: 16 }),
          offsets: fc.oneof(
            fc.array(u32, { maxLength: 18 }),
            fc.array(fc.nat({ max: 30 }), { maxLength: 18 }).map((xs) => [0, ...xs.sort((a, b) => a - b)]),
          ),
          deps: fc.array(u32, { maxLength: 30 }),
          sources: fc.option(fc.uint8Array({ maxLength: 18 }), { nil: undefined }),
          code: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: undefined }),
          labels: fc.option(
            fc.record({
              names: fc.array(fc.constantFrom('tag:a', 'group:g', 'kind:k', 'owner:o', 'tag:b=c', 'junk', ''), {
                maxLength: 4,
              }),
              offsets: fc.array(u32, { maxLength: 18 }),
              ids: fc.array(u32, { maxLength: 20 }),
            }),
            { nil: undefined },
          ),
        }),
        (r) => {
          count('build: random CSR')
          const init = {
            keys: r.keys.join('\n'),
            depOffsets: Uint32Array.from(r.offsets),
            deps: Uint32Array.from(r.deps),
            ...(r.sources === undefined ? {} : { sources: r.sources }),
            ...(r.code === undefined ? {} : { codeVersions: r.code }),
            ...(r.labels === undefined
              ? {}
              : {
                  labels: r.labels.names.join('\n'),
                  labelOffsets: Uint32Array.from(r.labels.offsets),
                  labelIds: Uint32Array.from(r.labels.ids),
                }),
          }
          const g = guarded('build', () => NativeGraph.build(init))
          if (g === undefined) return
          // Whatever was accepted is a usable graph.
          expect(g.size).toBe(Math.max(0, r.offsets.length - 1))
          if (g.size > 0) expect(r.keys.length).toBe(g.size)
          const everything = guarded('select *', () => g.select(['*']))
          expect(everything?.length ?? 0).toBe(g.size)
          const plan = g.plan()
          const pos = new Map([...plan.ids].map((id, i) => [id, i]))
          expect(plan.ids.length).toBe(g.size) // nothing built yet: everything is planned
          const topo = g.topoPositions()
          for (let v = 0; v < g.size; v++)
            for (let j = r.offsets[v]!; j < r.offsets[v + 1]!; j++) expect(topo[r.deps[j]!]!).toBeLessThan(topo[v]!)
          expect(pos.size).toBe(g.size)
        },
      ),
      { numRuns: runs(20000), seed: SEED },
    )
  })
})

describe('record batches', () => {
  // A random valid DAG, then random (often inconsistent) record batches through loadRecords and
  // applyRecords, then every query.
  const dag = fc
    .integer({ min: 1, max: 12 })
    .chain((n) =>
      fc.tuple(
        fc.constant(n),
        fc.tuple(
          ...Array.from({ length: n }, (_, i) =>
            i === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.nat({ max: i - 1 }), { maxLength: 3 }),
          ),
        ),
      ),
    )
  const batch = fc.record({
    ids: fc.array(fc.oneof(fc.nat({ max: 14 }), fc.constant(0xffffffff)), { maxLength: 8 }),
    hashBytes: fc.array(fc.nat({ max: 3 }), { maxLength: 8 }),
    badLength: fc.boolean(),
    offsets: fc.option(fc.array(fc.nat({ max: 20 }), { maxLength: 10 }), { nil: undefined }),
    deps: fc.array(fc.oneof(fc.nat({ max: 16 }), fc.constant(0xfffffffe)), { maxLength: 12 }),
    externs: fc.option(fc.array(fc.constantFrom('gone', 'old/key', '', 'a\u0000b'), { maxLength: 3 }), {
      nil: undefined,
    }),
  })

  function toInit(b: typeof batch extends fc.Arbitrary<infer T> ? T : never) {
    const n = b.ids.length
    const h = (k: number) => {
      const out = new Uint8Array(16 * (b.badLength ? k + 1 : k))
      for (let i = 0; i < k; i++) out[16 * i + 15] = (b.hashBytes[i % Math.max(1, b.hashBytes.length)] ?? 0) + 1
      return out
    }
    const offsets =
      b.offsets ??
      (() => {
        const o = [0]
        for (let i = 0; i < n; i++) o.push(Math.min(b.deps.length, o.at(-1)! + (i % 3)))
        o[n] = b.deps.length
        return o
      })()
    return {
      ids: Uint32Array.from(b.ids),
      codeVersions: h(n),
      configHashes: h(n),
      dataVersions: h(n),
      depOffsets: Uint32Array.from(offsets),
      deps: Uint32Array.from(b.deps),
      depVersions: h(b.deps.length),
      ...(b.externs === undefined ? {} : { externKeys: b.externs.join('\n') }),
    }
  }

  it('random batches into loadRecords and applyRecords: coded errors only, and queries keep working', T, () => {
    fc.assert(
      fc.property(
        dag,
        fc.array(batch, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        ([n, deps], batches, firstLoad) => {
          count('records: random batches')
          const offsets = [0]
          for (const d of deps) offsets.push(offsets.at(-1)! + d.length)
          const g = NativeGraph.build({
            keys: Array.from({ length: n }, (_, i) => `k${i}`).join('\n'),
            depOffsets: Uint32Array.from(offsets),
            deps: Uint32Array.from(deps.flat()),
          })
          batches.forEach((b, i) => {
            const init = toInit(b)
            const changed = guarded(i === 0 && firstLoad ? 'loadRecords' : 'applyRecords', () =>
              i === 0 && firstLoad ? (g.loadRecords(init), new Uint32Array()) : g.applyRecords(init),
            )
            if (changed !== undefined) for (const c of changed) expect(c).toBeLessThan(n)
            const all = Uint32Array.from({ length: n }, (_, v) => v)
            const statuses = g.statuses(all)
            expect(statuses.length).toBe(n)
            for (const s of statuses) expect(s).toBeLessThan(3)
            const causes = g.causes(all)
            expect(causes.offsets.length).toBe(n + 1)
            const roots = g.rootCauses(all)
            expect(roots.offsets.length).toBe(n + 1)
            const plan = g.plan()
            const topo = g.topoPositions()
            for (let l = 0; l + 1 < plan.layerOffsets.length; l++)
              for (let j = plan.layerOffsets[l]!; j < plan.layerOffsets[l + 1]!; j++)
                expect(plan.ids[j]!).toBeLessThan(n)
            for (let v = 0; v < n; v++) expect(typeof g.needsRun(v)).toBe('boolean')
            expect(topo.length).toBe(n)
            // Incremental equals from scratch is the binding's own property test; here: no crash.
          })
        },
      ),
      { numRuns: runs(8000), seed: SEED },
    )
  })
})
