import { describe, expect, test } from 'vitest'
import { z } from 'zod'

import { asset } from './asset.js'
import { source } from './source.js'
import { assetSpecIsValid, projectOptionsAreValid, sourceSpecIsValid } from './spec-fast.js'
import { assetSpecSchema, projectOptionsSchema, sourceSpecSchema, specIssues } from './spec-schema.js'

const raw = source({ key: 'raw', path: 'raw.csv' })
const fn = () => 1
const withSymbol = Object.assign({ a: 1 }, { [Symbol('s')]: 2 })
const withConstructor = { constructor: 'x' }
class Spec {
  key = 'a'
}

/** Specs the fast path must accept, and specs it must leave to zod (valid or not). */
const assetSpecs: [string, object, boolean][] = [
  ['bare key', { key: 'a' }, true],
  [
    'labels',
    { key: 'a', group: 'g', kinds: ['k1', 'k2'], owners: ['team:ml'], tags: { pii: true, tier: 'gold' } },
    true,
  ],
  ['deps of handles and keys', { key: 'a', deps: { raw, other: 'x/y', r: 'raw' }, description: 'd' }, true],
  ['metadata and codeVersion', { key: 'a', metadata: { any: [1] }, codeVersion: 'v1' }, true],
  ['undefined optional fields', { key: 'a', group: undefined, deps: undefined, tags: undefined }, true],
  ['a null prototype', Object.assign(Object.create(null), { key: 'a' }), true],
  ['an empty codeVersion', { key: 'a', codeVersion: '' }, false],
  ['a bad group', { key: 'a', group: 'has space' }, false],
  ['a bad kind', { key: 'a', kinds: ['ok', 3] }, false],
  ['kinds not an array', { key: 'a', kinds: 'duckdb' }, false],
  ['a bad tag name', { key: 'a', tags: { 'a b': true } }, false],
  ['a bad tag value', { key: 'a', tags: { a: false } }, false],
  ['deps an array', { key: 'a', deps: [raw] }, false],
  ['a bad dep key', { key: 'a', deps: { x: 'a//b' } }, false],
  ['metadata with a symbol key', { key: 'a', metadata: withSymbol }, false],
  ['metadata with its own constructor', { key: 'a', metadata: withConstructor }, false],
  ['an unknown field', { key: 'a', dependencies: {} }, false],
  ['a field left to zod', { key: 'a', timeout: '5m' }, false],
  ['a class instance', new Spec(), false],
]

describe('assetSpecIsValid', () => {
  test.each(assetSpecs)('%s', (_name, spec, fast) => {
    expect(assetSpecIsValid(spec)).toBe(fast)
    // Whatever the fast path accepts, zod accepts.
    if (fast) expect(specIssues(assetSpecSchema, spec)).toEqual([])
  })

  test('a spec the fast path accepts defines the same asset as before', () => {
    const a = asset({ key: 'a', deps: { raw }, group: 'g', tags: { t: true } }, fn)
    expect(a.deps).toEqual({ raw })
    expect(Object.isFrozen(a.tags) && Object.isFrozen(a.kinds) && Object.isFrozen(a.deps)).toBe(true)
    expect(a.kinds).toEqual([])
  })

  test('the fast path leaves zod 4 schemas to zod', () => {
    expect(assetSpecIsValid({ key: 'a', output: z.number() })).toBe(false)
  })
})

const sourceSpecs: [string, object, boolean][] = [
  ['a path', { key: 'raw', path: 'raw.csv' }, true],
  ['observe and load', { key: 'raw', observe: fn, load: fn, group: 'g', owners: ['me'] }, true],
  ['neither path nor observe', { key: 'raw', load: fn }, false],
  ['an empty path', { key: 'raw', path: '' }, false],
  ['observe not a function', { key: 'raw', observe: 'x' }, false],
  ['load not a function', { key: 'raw', path: 'x', load: 1 }, false],
  ['an unknown field', { key: 'raw', file: 'x' }, false],
  ['a bad owner', { key: 'raw', path: 'x', owners: [''] }, false],
]

describe('sourceSpecIsValid', () => {
  test.each(sourceSpecs)('%s', (_name, spec, fast) => {
    expect(sourceSpecIsValid(spec)).toBe(fast)
    if (fast) expect(specIssues(sourceSpecSchema, spec)).toEqual([])
  })
})

const projectOptions: [string, object, boolean][] = [
  ['assets only', { assets: [raw] }, true],
  [
    'name, concurrency, schedules, sensors',
    { name: 'shop', assets: [], concurrency: 4, schedules: [], sensors: [] },
    true,
  ],
  ['undefined optional fields', { assets: [], name: undefined, concurrency: undefined }, true],
  ['a null prototype', Object.assign(Object.create(null), { assets: [] }), true],
  ['no assets', { name: 'shop' }, false],
  ['assets not an array', { assets: raw }, false],
  ['an empty name', { assets: [], name: '' }, false],
  ['a name not a string', { assets: [], name: 3 }, false],
  ['concurrency 0', { assets: [], concurrency: 0 }, false],
  ['a fractional concurrency', { assets: [], concurrency: 1.5 }, false],
  ['concurrency as a string', { assets: [], concurrency: '4' }, false],
  ['an unsafe integer concurrency', { assets: [], concurrency: 2 ** 60 }, false],
  ['schedules not an array', { assets: [], schedules: {} }, false],
  ['a field left to zod', { assets: [], retry: { maxRetries: 2 } }, false],
  ['an unknown field', { assets: [], concurency: 4 }, false],
  [
    'a class instance',
    new (class {
      assets = []
    })(),
    false,
  ],
]

describe('projectOptionsAreValid', () => {
  test.each(projectOptions)('%s', (_name, options, fast) => {
    expect(projectOptionsAreValid(options)).toBe(fast)
    if (fast) expect(specIssues(projectOptionsSchema, options)).toEqual([])
  })
})

describe('definitions', () => {
  test('declaredAt is an own enumerable getter, read from the definition site', () => {
    const a = asset({ key: 'a' }, fn)
    const descriptor = Object.getOwnPropertyDescriptor(a, 'declaredAt')
    expect(descriptor?.get).toBeTypeOf('function')
    expect(descriptor?.enumerable).toBe(true)
    expect(a.declaredAt).toMatch(/spec-fast\.test\.ts:\d+:\d+$/)
    expect({ ...raw }.declaredAt).toMatch(/spec-fast\.test\.ts:\d+:\d+$/)
    expect(Object.isFrozen(a)).toBe(true)
  })
})
