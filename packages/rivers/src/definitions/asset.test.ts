import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { asset, check, isAssetDef, ref, source, type AssetDef } from './index.js'
import { thrown } from './test-helpers.fixture.js'

describe('asset()', () => {
  test('returns a frozen definition with normalized fields', () => {
    const raw = asset({ key: 'raw' }, () => [1])
    const model = asset(
      {
        key: 'ml/model',
        deps: { raw, extra: 'raw', typed: ref<number[]>('raw') },
        description: 'A model',
        group: 'ml',
        tags: { pii: true, tier: 'gold' },
        kinds: ['pytorch'],
        owners: ['team:ml'],
        metadata: { paper: 'x' },
        codeVersion: 'v2',
        retry: { maxRetries: 2, delay: '1s', backoff: 'exponential', jitter: true },
        timeout: '5m',
        checks: [
          check('ok', (v: number) => v > 0, { blocking: true, description: 'positive' }),
          { name: 'other', fn: () => ({ passed: true }) },
        ],
        resources: { gpus: 2, gpuType: 'h100', cpus: 8, memory: '64GB', timeLimit: '4h', nodes: 1, gpusPerNode: 2 },
      },
      ({ raw }) => raw.length,
    )
    expect(isAssetDef(model)).toBe(true)
    expect(Object.isFrozen(model)).toBe(true)
    expect(model.key).toBe('ml/model')
    expect(Object.keys(model.deps)).toEqual(['raw', 'extra', 'typed'])
    expect(model.deps.raw).toBe(raw)
    expect(model.retry).toEqual({ maxRetries: 2, delayMs: 1000, backoff: 'exponential', jitter: 1, retryOn: undefined })
    expect(model.timeoutMs).toBe(300_000)
    expect(model.checks.map((c) => [c.name, c.blocking, c.description])).toEqual([
      ['ok', true, 'positive'],
      ['other', false, undefined],
    ])
    expect(model.checks[0]!.fn(3, {} as never)).toBe(true)
    expect(model.resources).toEqual({
      gpus: 2,
      gpuType: 'h100',
      cpus: 8,
      memory: '64GB',
      timeLimit: '4h',
      nodes: 1,
      gpusPerNode: 2,
    })
    expect(model.declaredAt).toMatch(/^packages\/rivers\/src\/definitions\/asset\.test\.ts:\d+:\d+$/)
  })

  test('keeps the user function: fn runs it, codeFn is it (its text is the code version)', async () => {
    const fn = async ({ n }: { n: unknown }) => (n as number) + 1
    const def = asset({ key: 'inc', deps: { n: 'raw' } }, fn)
    expect(def.codeFn).toBe(fn)
    expect(await def.fn({ n: 1 }, {} as never)).toBe(2)
    expect(def.codeVersion).toBeUndefined()
  })

  test('defaults: no deps, no retry, no timeout, no checks', () => {
    const def: AssetDef = asset({ key: 'plain' }, () => 1)
    expect(def.deps).toEqual({})
    expect([def.retry, def.timeoutMs, def.config, def.output, def.io, def.resources]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ])
    expect(def.checks).toEqual([])
    expect(def.tags).toEqual({})
  })
})

describe('asset() errors', () => {
  test('invalid keys', () => {
    expect(thrown(() => asset({ key: 'raw orders' }, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_KEY
      Invalid asset key 'raw orders' (defined at packages/rivers/src/definitions/asset.test.ts:L:C): segment 'raw orders' contains ' ' (allowed: A-Z a-z 0-9 _ - .).
      Fix: a key is one or more segments of A-Z a-z 0-9 _ - . joined by '/', e.g. 'raw/orders' or 'models/churn.v2'."
    `)
    expect(thrown(() => asset({ key: '' }, () => 1))).toContain("Invalid asset key '' (defined at")
    expect(thrown(() => asset({ key: '' }, () => 1))).toContain('the key is empty')
    expect(thrown(() => asset({ key: 'raw/../x' }, () => 1))).toContain("segment '..' is not allowed")
    expect(thrown(() => asset({ key: 'raw/' }, () => 1))).toContain("empty segment (leading, trailing or doubled '/')")
    expect(thrown(() => asset({} as never, () => 1))).toContain('Invalid asset key undefined (defined at')
  })

  test('a dep that is not an asset names the asset and the input', () => {
    const notYetDefined = undefined as unknown as AssetDef<number>
    expect(thrown(() => asset({ key: 'features', deps: { raw: notYetDefined } }, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_DEP
      Asset 'features': input 'raw' is undefined, not an asset. It is undefined: the upstream is probably used before its definition runs (declared further down, or an import cycle between files).
      Fix: map each input to an asset() or source() handle, a ref('key'), or an asset key string."
    `)
    expect(thrown(() => asset({ key: 'features', deps: { raw: 42 as never } }, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_DEP
      Asset 'features': input 'raw' is a number (42), not an asset.
      Fix: map each input to an asset() or source() handle, a ref('key'), or an asset key string."
    `)
  })

  test('spec fields of the wrong shape are listed with a hint each', () => {
    const spec = {
      key: 'model',
      deps: { raw: 'raw orders' },
      tags: { 'has space': true },
      retry: { maxRetries: -1, backoff: 'random' },
      timeout: 'soon',
      resources: { gpus: 1.5, memory: 'lots' },
    }
    expect(thrown(() => asset(spec as never, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'model' (defined at packages/rivers/src/definitions/asset.test.ts:L:C):
        - tags.has space: Invalid key in record
          Fix: tags map a name to a string or true, e.g. { pii: true, tier: 'gold' }; names and values use A-Z a-z 0-9 _ . - / : @ +.
        - retry.maxRetries: expected an integer >= 0
          Fix: retry is { maxRetries: 3, delay?: '10s', backoff?: 'exponential' | 'linear' | 'fixed', jitter?: 0..1 | boolean, retryOn?: (error, attempt) => boolean }.
        - retry.backoff: Invalid option: expected one of "exponential"|"linear"|"fixed"
          Fix: retry is { maxRetries: 3, delay?: '10s', backoff?: 'exponential' | 'linear' | 'fixed', jitter?: 0..1 | boolean, retryOn?: (error, attempt) => boolean }.
        - timeout: expected a positive number of milliseconds or a duration string
          Fix: timeout is a positive number of milliseconds or a duration such as '30s', '5m', '2h'.
        - resources.gpus: expected an integer >= 0
          Fix: resources is { gpus?, gpuType?, cpus?, memory?: '16Gi', timeLimit?: '4h', nodes?, gpusPerNode? }.
        - resources.memory: expected bytes or a Kubernetes quantity such as '16Gi', '512Mi' or '2G'
          Fix: resources is { gpus?, gpuType?, cpus?, memory?: '16Gi', timeLimit?: '4h', nodes?, gpusPerNode? }."
    `)
  })

  test('key-string deps must be valid keys; inputs must name deps; check names are unique', () => {
    const spec = {
      key: 'model',
      deps: { raw: 'raw orders' },
      inputs: { rwa: z.number() },
      checks: [check('a', () => true), check('a', () => true)],
    }
    expect(thrown(() => asset(spec as never, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'model' (defined at packages/rivers/src/definitions/asset.test.ts:L:C):
        - inputs.rwa: there is no dep named 'rwa'
          Fix: inputs maps input names (from deps) to zod schemas, e.g. { orders: z.array(Order) }.
        - deps.raw: 'raw orders' is not a valid asset key: segment 'raw orders' contains ' ' (allowed: A-Z a-z 0-9 _ - .)
          Fix: deps maps input names to upstream assets, e.g. { orders: rawOrders } or { orders: 'raw/orders' }.
        - checks[1].name: duplicate check name 'a'
          Fix: checks is an array of check(name, fn, { blocking }) or { name, fn, blocking?, description? } with unique names."
    `)
  })

  test('unknown fields suggest the closest known one', () => {
    expect(thrown(() => asset({ key: 'x', dependencies: {} } as never, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'x' (defined at packages/rivers/src/definitions/asset.test.ts:L:C):
        - dependencies: unknown field
          Fix: did you mean 'deps'?"
    `)
    expect(thrown(() => asset({ key: 'x', retry: { maxRetries: 1, retries: 2 } } as never, () => 1))).toContain(
      'retry.retries: unknown field',
    )
  })

  test('schemas, functions and io are checked for what they are', () => {
    const spec = {
      key: 'x',
      config: { epochs: 3 },
      output: 'number',
      io: {},
      checks: [{ name: 'c' }],
      retry: { maxRetries: 1, retryOn: true },
    }
    expect(thrown(() => asset(spec as never, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'x' (defined at packages/rivers/src/definitions/asset.test.ts:L:C):
        - config: expected a zod schema
          Fix: config is a zod schema, e.g. z.object({ epochs: z.number().default(10) }).
        - output: expected a zod schema
          Fix: output is a zod schema of the returned value, e.g. z.array(z.object({ id: z.number() })).
        - retry.retryOn: expected a function (error, attempt) => boolean
          Fix: retry is { maxRetries: 3, delay?: '10s', backoff?: 'exponential' | 'linear' | 'fixed', jitter?: 0..1 | boolean, retryOn?: (error, attempt) => boolean }.
        - checks[0].fn: expected a function (value, ctx) => boolean | { passed, message?, metadata? }
          Fix: checks is an array of check(name, fn, { blocking }) or { name, fn, blocking?, description? } with unique names.
        - io: expected an IO manager (an object with write() and read() methods)
          Fix: io is an IO manager: an object with write() and read() methods."
    `)
  })

  test('the spec must be an object and the function a function', () => {
    expect(thrown(() => asset('raw' as never, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset '(no key)' (defined at packages/rivers/src/definitions/asset.test.ts:L:C):
        - (spec): expected a spec object, got a string ("raw")
          Fix: write asset({ key: 'raw/orders' }, fn)."
    `)
    expect(thrown(() => (asset as (s: unknown, f: unknown) => unknown)({ key: 'raw' }, 'nope'))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'raw' (defined at packages/rivers/src/definitions/asset.test.ts:L:C):
        - (function): the second argument is a string ("nope")
          Fix: pass the asset function: asset(spec, (inputs, ctx) => value)."
    `)
  })

  test('sources are valid deps', () => {
    const s = source({ key: 's', path: 'a.csv' })
    expect(asset({ key: 'uses', deps: { s } }, ({ s }) => s.length).deps.s).toBe(s)
  })
})

test('an unknown field with no close match lists the known fields', () => {
  expect(thrown(() => asset({ key: 'x', zzzzzz: 1 } as never, () => 1))).toMatchInlineSnapshot(`
    "DefinitionError RIVERS_INVALID_SPEC
    Invalid definition of asset 'x' (defined at packages/rivers/src/definitions/asset.test.ts:L:C):
      - zzzzzz: unknown field
        Fix: known fields: key, deps, description, group, tags, kinds, owners, metadata, codeVersion, config, output, inputs, retry, retention, timeout, checks, io, resources, command, env, cwd, launcher, automation, partitions, batch, model."
  `)
})

test('a dep that is a function hints at the usual mistakes', () => {
  const forgotFn = asset({ key: 'forgot' })
  expect(thrown(() => asset({ key: 'uses', deps: { x: forgotFn as never } }, () => 1))).toMatchInlineSnapshot(`
    "DefinitionError RIVERS_INVALID_DEP
    Asset 'uses': input 'x' is a function, not an asset. A function: was asset(spec) called without its function (that makes a decorator), or a class given instead of assetsOf(Class).method?
    Fix: map each input to an asset() or source() handle, a ref('key'), or an asset key string."
  `)
})
