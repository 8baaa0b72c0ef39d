import { beforeAll, describe, expect, test } from 'vitest'
import { tsImport } from 'tsx/esm/api'
import { asset, assetsOf, defineProject, isAssetDef, unwrapResult, type AssetContext } from './index.js'

type Fixture = typeof import('./decorated.fixture.js')
let fx: Fixture

beforeAll(async () => {
  // tsx (esbuild) lowers TC39 decorators; vitest's Oxc transform cannot. This also makes the fixture
  // a second copy of the definitions module, so the tests below prove that copies agree.
  fx = (await tsImport('./decorated.fixture.ts', import.meta.url)) as Fixture
})

const ctx = (config?: unknown) => ({ config }) as AssetContext<any>

describe('@asset under tsx', () => {
  test('assetsOf finds the decorated methods, in declaration order, as asset handles', () => {
    const handles = assetsOf(fx.Pipeline)
    expect(Object.keys(handles)).toEqual(['raw', 'sum', 'scaled'])
    expect(Object.values(handles).every(isAssetDef)).toBe(true)
    expect(handles.raw.key).toBe('deco/raw')
    expect(handles.raw.group).toBe('deco')
    expect(handles.raw.declaredAt).toMatch(/decorated\.fixture\.ts:\d+:\d+, method raw$/)
  })

  test('each call returns the same handles (identity matters for deduplication)', () => {
    expect(assetsOf(fx.Pipeline)).toBe(assetsOf(fx.Pipeline))
    expect(assetsOf(fx.Pipeline).raw).toBe(assetsOf(fx.Pipeline).raw)
  })

  test('methods run with this = one lazily built instance of their class', async () => {
    const { raw, sum, scaled } = assetsOf(fx.Pipeline)
    const before = fx.constructed
    expect(raw.fn({}, ctx())).toEqual([1, 2, 3])
    expect(raw.fn({}, ctx())).toEqual([1, 2, 3])
    expect(sum.fn({ raw: [1, 2, 3] }, ctx())).toBe(6)
    expect(fx.constructed - before).toBeLessThanOrEqual(1)
    expect(unwrapResult(await scaled.fn({}, ctx({ factor: 3 })))).toEqual({
      value: 6,
      metadata: undefined,
      dataVersion: 'factor-3',
    })
  })

  test('inherited methods keep running on an instance of their declaring class', () => {
    const handles = assetsOf(fx.Extended)
    expect(Object.keys(handles)).toEqual(['extra', 'raw', 'sum', 'scaled'])
    expect(handles.raw).toBe(assetsOf(fx.Pipeline).raw)
    expect(handles.extra.fn({ sum: 10 }, ctx())).toBeGreaterThanOrEqual(10)
  })

  test('the code source of a decorated method is the method text', () => {
    const project = defineProject({ assets: [fx.Pipeline] })
    const raw = project.byKey.get('deco/raw')!
    expect(raw.codeIsExplicit).toBe(false)
    // tsx (esbuild) minifies whitespace: the text differs from the file's, see the integrator notes
    expect(raw.codeSource).toMatch(/^raw\(\)\s*\{\s*this\.calls\+\+/)
  })

  test('classes and their handles go into defineProject together, deduplicated', () => {
    const project = defineProject({ assets: [fx.doubled, fx.Pipeline, fx.Extended] })
    expect(project.assets.map((a) => a.key)).toEqual([
      'deco/doubled',
      'deco/extra',
      'deco/raw',
      'deco/scaled',
      'deco/sum',
    ])
    expect(project.byKey.get('deco/sum')!.deps).toEqual([
      { name: 'raw', key: 'deco/raw', mapping: undefined, many: false },
    ])
    expect(project.byKey.get('deco/raw')!.labels).toEqual(['group:deco', 'tag:tier=bronze'])
  })

  test('decorated methods declare partitions and mapped() deps', async () => {
    const { days, week } = assetsOf(fx.Partitioned)
    expect(days.partitions?.describe()).toBe('daily from 2024-01-01 (UTC)')
    const project = defineProject({ assets: [fx.Partitioned] })
    expect(project.byKey.get('deco/week')!.partitions?.kind).toBe('daily')
    expect(project.byKey.get('deco/week')!.deps).toEqual([
      {
        name: 'days',
        key: 'deco/days',
        mapping: { kind: 'window', offset: 0, length: 7, overStatic: false },
        many: true,
      },
    ])
    expect(await week.fn({ days: { '2024-01-01': [1, 2], '2024-01-02': [3] } }, {} as never)).toBe(3)
  })

  test('reading a method that is not an asset throws a clear error', () => {
    const handles = assetsOf(fx.Pipeline) as unknown as Record<string, unknown>
    expect(Object.keys(handles)).not.toContain('offset')
    expect(() => handles.offset).toThrowErrorMatchingInlineSnapshot(`
      [DefinitionError: assetsOf(Pipeline).offset: method 'offset' is not decorated with @asset.
      Fix: add @asset({ key: '…' }) above it, or use another method.]
    `)
  })
})

describe('decorator misuse', () => {
  const method = () =>
    function m() {
      return 1
    }
  const context = (over: object) =>
    ({ kind: 'method', name: 'm', private: false, static: false, ...over }) as unknown as ClassMethodDecoratorContext

  test('a class without @asset methods', () => {
    class Plain {
      m() {
        return 1
      }
    }
    expect(() => assetsOf(Plain)).toThrowErrorMatchingInlineSnapshot(`
      [DefinitionError: Class Plain has no methods decorated with @asset.
      Fix: decorate its methods with @asset({ key: '…' }), or list asset() values instead of the class.]
    `)
  })

  test('private, static, non-method members and double decoration', () => {
    const dec = asset({ key: 'misused' })
    expect(() => dec(method(), context({ private: true, name: '#m' }))).toThrowErrorMatchingInlineSnapshot(`
      [DefinitionError: @asset({ key: 'misused' }) on method #m: private methods cannot be assets (assetsOf cannot reach them).
      Fix: put @asset on a public instance method (no '#', no 'static'), once per method.]
    `)
    expect(() => dec(method(), context({ static: true }))).toThrowErrorMatchingInlineSnapshot(`
      [DefinitionError: @asset({ key: 'misused' }) on method m: static methods cannot be assets.
      Fix: put @asset on a public instance method (no '#', no 'static'), once per method.]
    `)
    expect(() =>
      (dec as (v: unknown, c: unknown) => void)(undefined, { kind: 'field', name: 'f' }),
    ).toThrowErrorMatchingInlineSnapshot(`
      [DefinitionError: @asset({ key: 'misused' }) on field f: @asset decorates methods, not a field.
      Fix: put @asset on a public instance method (no '#', no 'static'), once per method.]
    `)
    const m = method()
    dec(m, context({}))
    expect(() => asset({ key: 'again' })(m, context({}))).toThrowErrorMatchingInlineSnapshot(`
      [DefinitionError: @asset({ key: 'again' }) on method m: the method is already the asset 'misused'.
      Fix: put @asset on a public instance method (no '#', no 'static'), once per method.]
    `)
  })

  test('the spec is validated when the decorator is created', () => {
    expect(() => asset({ key: 'bad key' })).toThrow(/RIVERS_INVALID_KEY|Invalid asset key 'bad key'/)
  })
})
