import { describe, expect, test } from 'vitest'
import { isSourceDef, source } from './index.js'
import { thrown } from './test-helpers.fixture.js'

describe('source()', () => {
  test('a bare path: the executor content-hashes the file and loads its bytes', () => {
    const s = source({
      key: 'raw/orders',
      path: 'data/orders.csv',
      description: 'Orders export',
      group: 'ingest',
      tags: { pii: true },
    })
    expect(isSourceDef(s)).toBe(true)
    expect(Object.isFrozen(s)).toBe(true)
    expect([s.kind, s.key, s.path, s.observesByContentHash, s.loadsFileBytes]).toEqual([
      'source',
      'raw/orders',
      'data/orders.csv',
      true,
      true,
    ])
    expect([s.description, s.group, s.tags]).toEqual(['Orders export', 'ingest', { pii: true }])
    expect(s.declaredAt).toMatch(/source\.test\.ts:\d+:\d+$/)
  })

  test('observe and load replace the defaults', async () => {
    const observe = () => ({ dataVersion: 'snap-1' })
    const load = async () => [{ id: 1 }]
    const s = source({ key: 'warehouse/orders', observe, load })
    expect([s.observesByContentHash, s.loadsFileBytes, s.path]).toEqual([false, false, undefined])
    expect(s.observe).toBe(observe)
    expect(await s.load!({} as never)).toEqual([{ id: 1 }])
  })

  test('a path with a custom load still observes by content hash', () => {
    const s = source({ key: 'cfg', path: 'cfg.json', load: () => ({}) })
    expect([s.observesByContentHash, s.loadsFileBytes]).toEqual([true, false])
  })
})

describe('source() errors', () => {
  test('a source needs path, observe or reportedBy', () => {
    expect(thrown(() => source({ key: 'nowhere', load: () => 1 }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of source 'nowhere' (defined at packages/rivers/src/definitions/source.test.ts:L:C):
        - (spec): a source needs \`path\`, \`observe\` or \`reportedBy\` to know its data version
          Fix: give path: 'data/orders.csv' (the executor content-hashes it), observe: (ctx) => ({ dataVersion: '…' }), or reportedBy: 'a_sensor' (its reports carry the versions)."
    `)
  })

  test('invalid key, bad fields, unknown fields', () => {
    expect(thrown(() => source({ key: 'raw//orders', path: 'x' }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_KEY
      Invalid source key 'raw//orders' (defined at packages/rivers/src/definitions/source.test.ts:L:C): it has an empty segment (leading, trailing or doubled '/').
      Fix: a key is one or more segments of A-Z a-z 0-9 _ - . joined by '/', e.g. 'raw/orders' or 'models/churn.v2'."
    `)
    expect(thrown(() => source({ key: 'raw', path: '', observe: 'daily', file: 'x' } as never))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of source 'raw' (defined at packages/rivers/src/definitions/source.test.ts:L:C):
        - path: expected a non-empty path
          Fix: path is the file the source reads, e.g. 'data/orders.csv' (relative to the project file).
        - observe: expected a function (ctx) => { dataVersion?, metadata? }
          Fix: observe(ctx) returns { dataVersion?: string, metadata?: object } (or a promise of it).
        - file: unknown field
          Fix: did you mean 'path'?"
    `)
  })
})
