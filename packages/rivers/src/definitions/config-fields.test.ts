import { describe, expect, it } from 'vitest'
import { z } from 'zod'

import { asset } from './asset.js'
import { unknownFields } from './config-fields.js'
import { secret } from './secret.js'
import { thrown } from './test-helpers.fixture.js'
import { parseConfig } from './validate.js'

const schema = z.object({
  scale: z.number().default(1),
  optimizer: z.object({ name: z.enum(['sgd', 'adam']).default('adam'), lr: z.number().default(0.01) }).default({
    name: 'adam',
    lr: 0.01,
  }),
  layers: z.array(z.object({ size: z.number() })).optional(),
  byEnv: z.record(z.string(), z.object({ url: z.string() })).optional(),
  token: secret(z.string()).optional(),
  extra: z.object({ a: z.number() }).loose().optional(),
})

describe('unknownFields()', () => {
  it('finds unknown fields at every depth, with the closest known field', () => {
    expect(
      unknownFields(schema, {
        scal: 3,
        optimizer: { nme: 'sgd', lr: 0.1 },
        layers: [{ size: 1 }, { sise: 2 }],
        byEnv: { prod: { url: 'x', uri: 'y' } },
      }),
    ).toEqual([
      { path: 'scal', suggestion: 'scale', known: ['scale', 'optimizer', 'layers', 'byEnv', 'token', 'extra'] },
      { path: 'optimizer.nme', suggestion: 'name', known: ['name', 'lr'] },
      { path: 'layers[1].sise', suggestion: 'size', known: ['size'] },
      { path: 'byEnv.prod.uri', suggestion: 'url', known: ['url'] },
    ])
  })

  it('accepts known fields, secrets, and whatever an open object (loose, catchall) takes', () => {
    expect(unknownFields(schema, { scale: 2, token: 'hunter2', extra: { a: 1, anything: true } })).toEqual([])
    expect(unknownFields(z.object({ a: z.number() }).catchall(z.string()), { a: 1, b: 'x' })).toEqual([])
    expect(unknownFields(undefined, { a: 1 })).toEqual([])
  })

  it('picks the union option the value fits, and knows fields of either side of an intersection', () => {
    const union = z.union([
      z.object({ kind: z.literal('a'), x: z.number() }),
      z.object({ kind: z.literal('b'), y: z.number() }),
    ])
    expect(unknownFields(union, { kind: 'b', y: 1 })).toEqual([])
    expect(unknownFields(union, { kind: 'b', y: 1, z: 2 }).map((f) => f.path)).toEqual(['z'])
    const both = z.intersection(z.object({ a: z.number() }), z.object({ b: z.number() }))
    expect(unknownFields(both, { a: 1, b: 2 })).toEqual([])
    expect(unknownFields(both, { a: 1, b: 2, c: 3 }).map((f) => [f.path, f.known])).toEqual([['c', ['a', 'b']]])
  })

  it('walks through pipes, lazies, nullables and defaults', () => {
    const s = z.object({
      piped: z.object({ a: z.number() }).transform((v) => v.a),
      lazy: z.lazy(() => z.object({ b: z.number() })),
      maybe: z.object({ c: z.number() }).nullable().default(null),
    })
    expect(
      unknownFields(s, { piped: { a: 1, x: 1 }, lazy: { b: 1, y: 1 }, maybe: { c: 1, z: 1 } }).map((f) => f.path),
    ).toEqual(['piped.x', 'lazy.y', 'maybe.z'])
  })
})

describe('parseConfig() is strict', () => {
  const model = asset({ key: 'model', config: schema }, () => 1)

  it('refuses unknown fields with the asset, the path and a did-you-mean (exit 2)', () => {
    expect(thrown(() => parseConfig(model, { scal: 3, optimizer: { nme: 'sgd' } }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_UNKNOWN_CONFIG_FIELD
      Unknown config fields for asset 'model':
        - scal: not a field of the config schema (did you mean "scale"?); fields: scale, optimizer, layers, byEnv, token, extra
        - optimizer.nme: not a field of the config schema (did you mean "name"?); fields of optimizer: name, lr
      Fix: correct or remove them in the run config (--config '{"model": {…}}'); unknown fields are refused, not ignored, so a misspelled field never runs silently with its default."
    `)
  })

  it('still applies defaults when nothing is given, and parses known fields', () => {
    expect(parseConfig(model, undefined)).toMatchObject({ scale: 1, optimizer: { name: 'adam', lr: 0.01 } })
    expect(parseConfig(model, { scale: 3, token: 'hunter2' })).toMatchObject({ scale: 3, token: 'hunter2' })
  })
})
