import { describe, expect, test } from 'vitest'
import {
  check,
  isResult,
  isValidKey,
  keyProblem,
  labelsOf,
  parseDuration,
  result,
  retryDelayMs,
  unwrapResult,
} from './index.js'
import { frozenRecord } from './frozen.js'
import { describeValue } from './key.js'
import { normalizeRetry } from './retry.js'
import { closest, editDistance } from './suggest.js'
import { thrown } from './test-helpers.fixture.js'

describe('keys', () => {
  test.each(['raw', 'raw/orders', 'models/churn.v2', 'a-b_c/D.9', '...', 'a/.b', 'a..b/.c.', '.../a'])(
    '%s is valid',
    (key) => expect(isValidKey(key)).toBe(true),
  )
  test.each([
    ['', 'the key is empty'],
    ['/raw', "it has an empty segment (leading, trailing or doubled '/')"],
    ['a//b', "it has an empty segment (leading, trailing or doubled '/')"],
    ['a/./b', "segment '.' is not allowed"],
    ['..', "segment '..' is not allowed"],
    ['a/..', "segment '..' is not allowed"],
    ['./a', "segment '.' is not allowed"],
    ['a/b/.', "segment '.' is not allowed"],
    ['raw.orders!', "segment 'raw.orders!' contains '!' (allowed: A-Z a-z 0-9 _ - .)"],
    ['é', "segment 'é' contains 'é' (allowed: A-Z a-z 0-9 _ - .)"],
  ])('%j is invalid: %s', (key, problem) => expect(keyProblem(key)).toBe(problem))
  test('non-strings', () => {
    expect(keyProblem(3)).toBe('expected a string, got a number (3)')
    expect(describeValue(new Map())).toBe('an instance of Map')
    expect(describeValue('x'.repeat(50))).toBe(`a string ("${'x'.repeat(40)}…")`)
  })
})

describe('result()', () => {
  test('wraps and unwraps', () => {
    const r = result([1], { metadata: { n: 1 }, dataVersion: 'v1' })
    expect(isResult(r)).toBe(true)
    expect(isResult({ value: 1 })).toBe(false)
    expect(unwrapResult(r)).toEqual({ value: [1], metadata: { n: 1 }, dataVersion: 'v1' })
    expect(unwrapResult(5)).toEqual({ value: 5, metadata: undefined, dataVersion: undefined })
  })
  test('rejects malformed extras', () => {
    expect(thrown(() => result(1, { dataVersion: '' }))).toMatchInlineSnapshot(`
      "RiversError RIVERS_INVALID_RESULT
      result(value, extras): \`dataVersion\` must be a non-empty string.
      Fix: call result(value, { metadata?: object, dataVersion?: string })."
    `)
    expect(thrown(() => result(1, { metadata: [] as never }))).toContain('`metadata` must be a plain object')
  })
})

describe('durations and retries', () => {
  test('parseDuration', () => {
    expect(['250ms', '30s', '5m', '2h', '1d', '1.5s', '10 s', 1500].map(parseDuration)).toEqual([
      250, 30_000, 300_000, 7_200_000, 86_400_000, 1500, 10_000, 1500,
    ])
    expect(['soon', '5', '-1s', '1w', NaN, -1, Infinity, null].map(parseDuration)).toEqual(Array(8).fill(undefined))
  })
  test('retry delays by backoff, with jitter', () => {
    const base = normalizeRetry({ maxRetries: 5, delay: '100ms' })
    expect([1, 2, 3].map((n) => retryDelayMs(base, n))).toEqual([100, 100, 100])
    expect([1, 2, 3].map((n) => retryDelayMs({ ...base, backoff: 'linear' }, n))).toEqual([100, 200, 300])
    expect([1, 2, 3].map((n) => retryDelayMs({ ...base, backoff: 'exponential' }, n))).toEqual([100, 200, 400])
    expect(retryDelayMs({ ...base, jitter: 0.5 }, 1, () => 0.5)).toBe(75)
    expect(normalizeRetry({ maxRetries: 1, jitter: false })).toEqual({
      maxRetries: 1,
      delayMs: 0,
      backoff: 'fixed',
      jitter: 0,
      retryOn: undefined,
    })
  })
})

describe('check()', () => {
  test('builds a check, blocking only when asked', () => {
    const fn = (xs: number[]) => xs.length > 0
    expect(check('non_empty', fn)).toEqual({ name: 'non_empty', fn })
    expect(check('non_empty', fn, { blocking: true, description: 'd' })).toEqual({
      name: 'non_empty',
      fn,
      blocking: true,
      description: 'd',
    })
  })
})

describe('labels and suggestions', () => {
  test('frozenRecord: a frozen plain copy with the same own keys, a JSON __proto__ key included', () => {
    const given = { b: 1, a: 2 }
    const copy = frozenRecord(given)
    expect([Object.isFrozen(copy), copy !== given, Object.keys(copy)]).toEqual([true, true, ['b', 'a']])
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 2}') as Record<string, unknown>
    const copied = frozenRecord(parsed)
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype)
    expect(Object.keys(copied)).toEqual(['__proto__', 'a'])
    expect((copied as { polluted?: unknown }).polluted).toBeUndefined()
  })
  test('labelsOf is sorted and deduplicated within each kind', () => {
    expect(
      labelsOf({
        group: 'ml',
        tags: { tier: 'gold', pii: true },
        kinds: ['torch', 'duckdb', 'torch'],
        owners: ['b', 'a'],
      }),
    ).toEqual(['group:ml', 'tag:pii', 'tag:tier=gold', 'kind:duckdb', 'kind:torch', 'owner:a', 'owner:b'])
  })
  test('labelsOf orders tags by name (not by label text), small and large lists alike', () => {
    // By name 'a' < 'a-b' < 'a.c' < 'b', though the label 'tag:a=x' sorts after 'tag:a-b'.
    const tags = { b: true, 'a.c': true, a: 'x', 'a-b': 'y' } as const
    expect(labelsOf({ group: undefined, tags, kinds: [], owners: [] })).toEqual([
      'tag:a=x',
      'tag:a-b=y',
      'tag:a.c',
      'tag:b',
    ])
    const many = labelsOf({ group: 'g', tags: {}, kinds: ['z', 'a', 'z', 'm', 'a'], owners: ['o'] })
    expect(many).toEqual(['group:g', 'kind:a', 'kind:m', 'kind:z', 'owner:o'])
    const again = labelsOf({ group: 'g', tags: {}, kinds: [], owners: [] })
    expect(again).toEqual(['group:g'])
    expect(labelsOf({ group: undefined, tags: {}, kinds: [], owners: [] })).toEqual([])
    const names = Array.from({ length: 40 }, (_, i) => `k${(i * 7) % 23}`)
    const expected = [...new Set(names)].sort().map((k) => `kind:${k}`)
    expect(labelsOf({ group: undefined, tags: {}, kinds: names, owners: [] })).toEqual(expected)
    const manyTags = Object.fromEntries(names.map((k) => [`${k}-x`, true as const]))
    expect(labelsOf({ group: undefined, tags: manyTags, kinds: [], owners: [] })).toEqual(
      Object.keys(manyTags)
        .sort()
        .map((k) => `tag:${k}`),
    )
  })
  test('closest', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(closest('raw/order', ['features', 'raw/orders'])).toBe('raw/orders')
    expect(closest('modle', ['model', 'models'])).toBe('model')
    expect(closest('zzz', ['raw/orders'])).toBeUndefined()
    expect(closest('x', [])).toBeUndefined()
  })
})
