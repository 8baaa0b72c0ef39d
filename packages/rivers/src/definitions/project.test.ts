import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { asset, defineProject, isProject, mapped, ref, source, type AssetDef } from './index.js'
import { thrown } from './test-helpers.fixture.js'

const orders = source({ key: 'raw/orders', path: 'data/orders.csv', group: 'ingest', owners: ['team:data'] })
const parsed = asset(
  { key: 'parsed', deps: { orders }, kinds: ['duckdb', 'duckdb'], tags: { tier: 'silver', pii: true } },
  ({ orders }) => orders.toString().split('\n'),
)
const counted = asset(
  { key: 'counted', deps: { rows: parsed, again: 'parsed' }, codeVersion: 'v1' },
  ({ rows }) => rows.length,
)

describe('defineProject()', () => {
  test('collects upstream handles transitively, sorted by key, deps sorted by name', () => {
    const project = defineProject({ name: 'shop', assets: [counted] })
    expect(isProject(project)).toBe(true)
    expect(project.name).toBe('shop')
    expect(project.assets.map((a) => a.key)).toEqual(['counted', 'parsed', 'raw/orders'])
    expect(project.byKey.get('counted')!.deps).toEqual([
      { name: 'again', key: 'parsed', mapping: undefined, many: false },
      { name: 'rows', key: 'parsed', mapping: undefined, many: false },
    ])
    expect(project.byKey.get('parsed')!.deps).toEqual([
      { name: 'orders', key: 'raw/orders', mapping: undefined, many: false },
    ])
  })

  test('labels, code sources and source flags', () => {
    const project = defineProject({ assets: [counted, parsed, orders, parsed] })
    const byKey = (k: string) => project.byKey.get(k)!
    expect(byKey('parsed').labels).toEqual(['tag:pii', 'tag:tier=silver', 'kind:duckdb'])
    expect(byKey('raw/orders').labels).toEqual(['group:ingest', 'owner:team:data'])
    expect(byKey('raw/orders').isSource).toBe(true)
    expect([byKey('raw/orders').codeSource, byKey('raw/orders').codeIsExplicit]).toEqual(['', false])
    expect([byKey('counted').codeSource, byKey('counted').codeIsExplicit]).toEqual(['v1', true])
    expect(byKey('parsed').codeSource).toContain('orders.toString().split(')
    expect(byKey('parsed').codeIsExplicit).toBe(false)
  })

  test('stores project defaults; everything is frozen', () => {
    const io = { write: async () => undefined, read: async () => 1 }
    const project = defineProject({
      assets: [orders],
      io,
      retry: { maxRetries: 1, delay: 500 },
      concurrency: 4,
      launcher: 'local',
    })
    expect(project.io).toBe(io)
    expect(project.retry).toEqual({ maxRetries: 1, delayMs: 500, backoff: 'fixed', jitter: 0, retryOn: undefined })
    expect([project.concurrency, project.launcher]).toEqual([4, 'local'])
    expect(Object.isFrozen(project) && Object.isFrozen(project.assets) && Object.isFrozen(project.assets[0])).toBe(true)
  })

  test('a long chain is walked without recursion', () => {
    let last: AssetDef<number> = asset({ key: 'n0' }, () => 0)
    for (let i = 1; i < 20_000; i++) {
      const prev = last
      last = asset({ key: `n${i}`, deps: { prev } }, ({ prev }) => prev + 1)
    }
    expect(defineProject({ assets: [last] }).assets).toHaveLength(20_000)
  })

  test('string and ref deps may form a cycle: that is left to the Rust core', () => {
    const a = asset({ key: 'a', deps: { b: 'b' } }, () => 1)
    const b = asset({ key: 'b', deps: { a } }, () => 1)
    expect(defineProject({ assets: [b] }).assets.map((x) => x.key)).toEqual(['a', 'b'])
  })

  test('isProject is false for look-alikes', () => {
    expect(isProject({ assets: [], byKey: new Map() })).toBe(false)
    expect(isProject(null)).toBe(false)
  })
})

describe('defineProject() errors', () => {
  test('two different definitions with one key', () => {
    const one = asset({ key: 'raw', description: 'first raw' }, () => 1)
    const two = asset({ key: 'raw' }, () => 2)
    expect(thrown(() => defineProject({ assets: [one, two] }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_DUPLICATE_KEY
      Two different assets have the key 'raw':
        1. packages/rivers/src/definitions/project.test.ts:L:C — "first raw"
        2. packages/rivers/src/definitions/project.test.ts:L:C
      Fix: give one of them another key, or import and reuse the same definition instead of defining it twice."
    `)
  })

  test('a duplicate is named in visiting order, reached twice or through deps; an invalid dep is reported first', () => {
    const first = asset({ key: 'raw', description: 'first' }, () => 1)
    const second = asset({ key: 'raw', description: 'second' }, () => 2)
    const third = asset({ key: 'raw', description: 'third' }, () => 3)
    const viaDeps = asset({ key: 'top', deps: { b: second, a: first } }, () => 1)
    const both = asset({ key: 'both', deps: { x: second, y: third } }, () => 1)
    const order = (assets: AssetDef[]) => thrown(() => defineProject({ assets })).match(/"(first|second|third)"/g)
    // Deps are walked in declaration order, depth first: b (second) is reached before a (first).
    expect(order([viaDeps, third])).toEqual(['"second"', '"first"'])
    expect(order([second, both, first])).toEqual(['"second"', '"third"'])
    expect(order([third, third, both, second])).toEqual(['"third"', '"second"'])
    const forged = { ...asset({ key: 'forged' }, () => 1), deps: { raw: 3 } }
    expect(thrown(() => defineProject({ assets: [first, second, forged as never] }))).toContain('RIVERS_INVALID_DEP')
  })

  test('a key string that names no asset suggests the closest key', () => {
    const typo = asset({ key: 'features', deps: { orders: 'raw/order' } }, () => 1)
    expect(thrown(() => defineProject({ assets: [typo, orders] }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_UNKNOWN_DEP
      Asset 'features': input 'orders' depends on 'raw/order', which is not an asset of this project. Did you mean 'raw/orders'?
      Fix: correct the key, or add the asset that produces 'raw/order' to defineProject({ assets })."
    `)
    const bare = asset({ key: 'features', deps: { orders: ref('orders') } }, () => 1)
    expect(thrown(() => defineProject({ assets: [bare, orders] }))).toContain("Did you mean 'raw/orders'?")
    const far = asset({ key: 'features', deps: { x: 'zzz/qqq' } }, () => 1)
    expect(thrown(() => defineProject({ assets: [far, orders] }))).not.toContain('Did you mean')
  })

  test('a key string, ref() or mapped() key that names no asset is unknown; a handle is always known', () => {
    for (const dep of ['nope', ref('nope'), mapped('nope'), mapped(ref('nope'))]) {
      const a = asset({ key: 'a', deps: { x: dep } }, () => 1)
      expect(thrown(() => defineProject({ assets: [a, orders] }))).toContain('RIVERS_UNKNOWN_DEP')
    }
    const viaHandle = asset({ key: 'b', deps: { x: orders } }, () => 1)
    expect(
      defineProject({ assets: [viaHandle] })
        .byKey.get('b')!
        .deps.map((d) => d.key),
    ).toEqual(['raw/orders'])
    // A mapped() dep alone makes the partition checks run, though nothing is partitioned.
    const viaMapped = asset({ key: 'c', deps: { x: mapped(orders) } }, () => 1)
    expect(thrown(() => defineProject({ assets: [viaMapped] }))).toContain(
      "neither 'c' nor 'raw/orders' is partitioned",
    )
  })

  test('an asset that depends on itself', () => {
    const loop = asset({ key: 'loop', deps: { me: ref('loop') } }, () => 1)
    expect(thrown(() => defineProject({ assets: [loop] }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_SELF_DEPENDENCY
      Asset 'loop': input 'me' is the asset itself.
      Fix: an asset cannot consume its own value; read its previous value through an IO manager, or split it into two assets."
    `)
  })

  test('an entry that is not an asset', () => {
    expect(thrown(() => defineProject({ assets: [orders, undefined as never] }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_PROJECT_ENTRY
      defineProject: assets[1] is undefined, not an asset, a source or a class with @asset methods. It is undefined: the asset is probably used before its definition runs (declared further down, or an import cycle between files).
      Fix: list the values returned by asset()/source(), or classes whose methods are decorated with @asset."
    `)
    expect(thrown(() => defineProject({ assets: [(() => 1) as never] }))).toContain(
      'assets[0] is a function with no @asset methods',
    )
    expect(thrown(() => defineProject({ assets: [ref('x') as never] }))).toContain("assets[0] is ref('x'), a reference")
  })

  test('a dep that is not an asset (a definition forged around asset())', () => {
    const forged = { ...asset({ key: 'forged' }, () => 1), deps: { raw: 3 } }
    expect(thrown(() => defineProject({ assets: [forged as never] }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_DEP
      Asset 'forged': input 'raw' is a number (3), not an asset.
      Fix: map each input to an asset() or source() handle, a ref('key'), or an asset key string."
    `)
  })

  test('bad options', () => {
    expect(
      thrown(() => defineProject({ assets: 'all' as never, concurrency: 0, nmae: 'x' } as never)),
    ).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_PROJECT
      Invalid defineProject options:
        - assets: expected an array of assets
          Fix: assets is an array of asset()/source() values and classes with @asset methods.
        - concurrency: expected an integer >= 1
          Fix: concurrency is the number of assets run at once, a positive integer.
        - nmae: unknown field
          Fix: did you mean 'name'?"
    `)
  })

  test('an input schema that does not accept the producer output', () => {
    const Order = z.object({ id: z.number(), total: z.number(), customer: z.object({ email: z.string() }) })
    const rows = asset({ key: 'rows', output: z.array(Order) }, () => [])
    const wantsString = asset(
      { key: 'by_id', deps: { rows }, inputs: { rows: z.array(z.object({ id: z.string() })) } },
      () => 1,
    )
    expect(thrown(() => defineProject({ assets: [wantsString] }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_SCHEMA_MISMATCH
      Asset 'by_id': input 'rows' does not match the output of 'rows' at rows[].id: the consumer expects string, the producer gives number.
      Fix: make 'by_id'.inputs.rows accept what 'rows'.output describes, or change the producer's output schema."
    `)
    const wantsMissing = asset(
      { key: 'discounts', deps: { rows }, inputs: { rows: z.array(z.object({ discount: z.number() })) } },
      () => 1,
    )
    expect(thrown(() => defineProject({ assets: [wantsMissing] }))).toContain(
      'at rows[].discount: the consumer requires this property, the producer does not have it',
    )
    const wantsNested = asset(
      {
        key: 'emails',
        deps: { rows },
        inputs: { rows: z.array(z.object({ customer: z.object({ email: z.number() }) })) },
      },
      () => 1,
    )
    expect(thrown(() => defineProject({ assets: [wantsNested] }))).toContain(
      'at rows[].customer.email: the consumer expects number, the producer gives string',
    )
    const wantsObject = asset({ key: 'first', deps: { rows }, inputs: { rows: Order } }, () => 1)
    expect(thrown(() => defineProject({ assets: [wantsObject] }))).toContain(
      'at rows (the whole value): the consumer expects object, the producer gives array',
    )
    const compatible = asset(
      { key: 'ids', deps: { rows }, inputs: { rows: z.array(z.object({ id: z.number() })) } },
      () => 1,
    )
    expect(defineProject({ assets: [compatible] }).assets).toHaveLength(2)
  })
})

describe('defineProject() store setting', () => {
  test('a postgres:// URL or { env: NAME } is kept; anything else is refused naming both forms', () => {
    expect(defineProject({ assets: [], store: 'postgres://rivers@db/team' }).store).toBe('postgres://rivers@db/team')
    expect(defineProject({ assets: [], store: { env: 'TEAM_STORE_URL' } }).store).toEqual({ env: 'TEAM_STORE_URL' })
    expect(defineProject({ assets: [] }).store).toBeUndefined()
    expect(() => defineProject({ assets: [], store: 'mysql://db/team' })).toThrow(
      /store: expected a postgres:\/\/ URL \(or \{ env: 'VARIABLE' \}/,
    )
    expect(() => defineProject({ assets: [], store: { env: 'TEAM-URL' } })).toThrow(
      /store\.env: expected the name of an environment variable/,
    )
  })
})
