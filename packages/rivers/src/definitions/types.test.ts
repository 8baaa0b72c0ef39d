/**
 * Type-level tests: `tsc --noEmit` checks them (every `@ts-expect-error` must hit an error); vitest
 * runs the file too, which also proves the definitions construct at run time.
 */
import { describe, expectTypeOf, test } from 'vitest'
import { z } from 'zod'
import { asset, check, ref, result, source, type AssetContext, type AssetDef, type SourceDef } from './index.js'

const raw = asset({ key: 'raw' }, () => [1, 2, 3])
const asyncRaw = asset({ key: 'async_raw' }, async () => ['a', 'b'])
const wrapped = asset({ key: 'wrapped' }, async () => result({ rows: 3 }, { metadata: { n: 3 }, dataVersion: 'v1' }))
const bytes = source({ key: 'raw/bytes', path: 'data/x.bin' })
const parsed = source({
  key: 'raw/parsed',
  path: 'data/x.json',
  load: async (ctx) => JSON.parse(ctx.path ?? '[]') as { id: number }[],
})
const observed = source({ key: 'raw/observed', observe: () => ({ dataVersion: 'v' }) })

describe('value types', () => {
  test('asset values are the awaited, unwrapped return types', () => {
    expectTypeOf(raw).toEqualTypeOf<AssetDef<number[]>>()
    expectTypeOf(asyncRaw).toEqualTypeOf<AssetDef<string[]>>()
    expectTypeOf(wrapped).toEqualTypeOf<AssetDef<{ rows: number }>>()
  })

  test('source values come from load, else Buffer for a path, else undefined', () => {
    expectTypeOf(bytes).toEqualTypeOf<SourceDef<Buffer>>()
    expectTypeOf(parsed).toEqualTypeOf<SourceDef<{ id: number }[]>>()
    expectTypeOf(observed).toEqualTypeOf<SourceDef<undefined>>()
  })
})

describe('inputs', () => {
  test('flow from upstream handles, including async, result() and sources', () => {
    asset({ key: 'all', deps: { raw, asyncRaw, wrapped, bytes, parsed, observed } }, (inputs) => {
      expectTypeOf(inputs).toEqualTypeOf<{
        raw: number[]
        asyncRaw: string[]
        wrapped: { rows: number }
        bytes: Buffer
        parsed: { id: number }[]
        observed: undefined
      }>()
    })
  })

  test('a key string is unknown, unless spec.inputs gives it a schema; ref() carries its type', () => {
    asset(
      { key: 'strings', deps: { a: 'raw', b: 'raw', c: ref<number[]>('raw') }, inputs: { b: z.array(z.number()) } },
      ({ a, b, c }) => {
        expectTypeOf(a).toEqualTypeOf<unknown>()
        expectTypeOf(b).toEqualTypeOf<number[]>()
        expectTypeOf(c).toEqualTypeOf<number[]>()
      },
    )
  })

  test('an asset without deps gets an empty inputs object', () => {
    asset({ key: 'nodeps' }, (inputs) => expectTypeOf(inputs).toEqualTypeOf<{}>())
  })

  test('using an input as the wrong type is a compile error', () => {
    asset({ key: 'wrong', deps: { raw } }, ({ raw }) => {
      // @ts-expect-error raw is number[], not string[]
      const s: string[] = raw
      return s
    })
    // @ts-expect-error the function's inputs parameter must accept { raw: number[] }
    asset({ key: 'wrong2', deps: { raw } }, (inputs: { raw: string[] }) => inputs.raw.length)
  })

  test('a downstream asset chains the types further', () => {
    const total = asset({ key: 'total', deps: { raw } }, ({ raw }) => raw.reduce((a, b) => a + b, 0))
    // the handle also carries the inputs its function receives (what `testing.runAsset` is given)
    expectTypeOf(total).toEqualTypeOf<AssetDef<number, { raw: number[] }>>()
    asset({ key: 'report', deps: { total, parsed } }, ({ total, parsed }) => {
      expectTypeOf(total).toEqualTypeOf<number>()
      expectTypeOf(parsed).toEqualTypeOf<{ id: number }[]>()
    })
  })
})

describe('context', () => {
  test('ctx.config is z.output of the config schema', () => {
    asset({ key: 'cfg', config: z.object({ epochs: z.number().default(10), lr: z.number() }) }, (_inputs, ctx) => {
      expectTypeOf(ctx.config).toEqualTypeOf<{ epochs: number; lr: number }>()
      expectTypeOf(ctx).toEqualTypeOf<AssetContext<{ epochs: number; lr: number }>>()
      // @ts-expect-error no such config field
      ctx.config.batch
    })
  })

  test('without a config schema ctx.config is undefined', () => {
    asset({ key: 'nocfg' }, (_inputs, ctx) => expectTypeOf(ctx.config).toEqualTypeOf<undefined>())
  })

  test('a context-sensitive retryOn in the spec does not break inference', () => {
    const r = asset(
      { key: 'retrying', deps: { raw }, retry: { maxRetries: 2, retryOn: (e) => e instanceof TypeError } },
      ({ raw }) => raw.map(String),
    )
    expectTypeOf(r).toEqualTypeOf<AssetDef<string[], { raw: number[] }>>()
  })
})

describe('output schemas and checks', () => {
  test('with an output schema, the function must return what it accepts', () => {
    const ok = asset({ key: 'out_ok', output: z.array(z.number()) }, () => [1, 2])
    expectTypeOf(ok).toEqualTypeOf<AssetDef<number[]>>()
    // @ts-expect-error returns strings but the output schema says numbers
    asset({ key: 'out_bad', output: z.array(z.number()) }, () => ['x'])
  })

  test('checks are typed by the output schema', () => {
    asset(
      {
        key: 'checked',
        output: z.array(z.number()),
        checks: [{ name: 'non_empty', fn: (xs) => expectTypeOf(xs).toEqualTypeOf<number[]>() === undefined }],
      },
      () => [1],
    )
    asset(
      // @ts-expect-error the check expects strings but the output schema says numbers
      { key: 'checked_bad', output: z.array(z.number()), checks: [check('s', (xs: string[]) => xs.length > 0)] },
      () => [1],
    )
  })

  test('check() infers its value type from the annotation, and does not disturb the asset type', () => {
    const c = check('positive', (xs: number[]) => xs.every((x) => x > 0), { blocking: true })
    const a = asset({ key: 'with_check', checks: [c] }, () => [1, 2])
    expectTypeOf(a).toEqualTypeOf<AssetDef<number[]>>()
  })
})
