import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { asset, checkObservation, checkOutcome, parseConfig, source, validateInput, validateOutput } from './index.js'
import { thrown } from './test-helpers.fixture.js'

const Row = z.object({ id: z.number(), name: z.string().default('?') })
const rows = asset({ key: 'rows', output: z.array(Row) }, () => [{ id: 1 }])
const model = asset(
  { key: 'model', config: z.object({ epochs: z.number().default(3), lr: z.number().optional() }) },
  (_i, ctx) => ctx.config.epochs,
)
const plain = asset({ key: 'plain' }, () => 1)

describe('validateOutput()', () => {
  test('returns the parsed value (defaults applied), or the value itself without a schema', () => {
    expect(validateOutput(rows, [{ id: 1 }])).toEqual([{ id: 1, name: '?' }])
    const value = { any: 'thing' }
    expect(validateOutput(plain, value)).toBe(value)
  })

  test('names the asset and the issue paths', () => {
    expect(thrown(() => validateOutput(rows, [{ id: 1 }, { id: 'two' }, 3]))).toMatchInlineSnapshot(`
      "RiversError RIVERS_INVALID_OUTPUT
      Asset 'rows' returned a value that does not match its output schema:
        - [1].id: Invalid input: expected number, received string
        - [2]: Invalid input: expected object, received number
      Fix: change the asset function so it returns what the schema describes, or change its output schema."
    `)
    expect(thrown(() => validateOutput(rows, 'nope'))).toContain(
      '  - (value): Invalid input: expected array, received string',
    )
  })
})

describe('validateInput()', () => {
  test('checks inputs that have a schema', () => {
    const consumer = asset(
      { key: 'consumer', deps: { rows: 'rows', other: 'plain' }, inputs: { rows: z.array(Row) } },
      ({ rows }) => rows.length,
    )
    expect(validateInput(consumer, 'other', 'anything')).toBe('anything')
    expect(validateInput(consumer, 'rows', [{ id: 2 }])).toEqual([{ id: 2, name: '?' }])
    expect(thrown(() => validateInput(consumer, 'rows', [{}]))).toMatchInlineSnapshot(`
      "RiversError RIVERS_INVALID_INPUT
      Asset 'consumer': input 'rows' does not match its schema:
        - [0].id: Invalid input: expected number, received undefined
      Fix: make the upstream asset return what 'consumer'.inputs.rows describes, or relax that schema."
    `)
  })
})

describe('parseConfig()', () => {
  test('applies defaults, also when no config is given', () => {
    expect(parseConfig(model, undefined)).toEqual({ epochs: 3 })
    expect(parseConfig(model, { epochs: 5, lr: 0.1 })).toEqual({ epochs: 5, lr: 0.1 })
    expect(parseConfig(plain, undefined)).toBeUndefined()
  })

  test('names the asset and the config paths', () => {
    expect(thrown(() => parseConfig(model, { epochs: 'many' }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_CONFIG
      Invalid config for asset 'model':
        - epochs: Invalid input: expected number, received string
      Fix: pass config matching the asset's config schema (--config '{"model": {…}}')."
    `)
    expect(thrown(() => parseConfig(plain, { epochs: 1 }))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_CONFIG
      Config was given for asset 'plain', which takes none (its spec has no \`config\` schema).
      Fix: remove 'plain' from the run config, or add config: z.object({ … }) to its spec."
    `)
  })
})

describe('checkObservation()', () => {
  const src = source({ key: 'raw/x', observe: () => ({}) })
  test('keeps the given fields', () => {
    expect(checkObservation(src, { dataVersion: 'v1', metadata: { n: 1 } })).toEqual({
      dataVersion: 'v1',
      metadata: { n: 1 },
    })
    expect(checkObservation(src, {})).toEqual({})
  })
  test('rejects malformed observations', () => {
    expect(thrown(() => checkObservation(src, { dataVersion: 42 }))).toMatchInlineSnapshot(`
      "RiversError RIVERS_INVALID_OBSERVATION
      Source 'raw/x': observe() returned an invalid observation: \`dataVersion\` must be a non-empty string.
      Fix: return { dataVersion?: string, metadata?: object } from observe()."
    `)
    expect(thrown(() => checkObservation(src, 'v1'))).toContain('returned an invalid observation: got a string ("v1")')
  })
})

describe('checkOutcome()', () => {
  test('normalizes booleans and objects', () => {
    expect(checkOutcome('rows', 'c', false)).toEqual({ passed: false })
    expect(checkOutcome('rows', 'c', { passed: true, message: 'ok', metadata: { n: 1 } })).toEqual({
      passed: true,
      message: 'ok',
      metadata: { n: 1 },
    })
  })
  test('rejects anything else', () => {
    expect(thrown(() => checkOutcome('rows', 'non_empty', 'yes'))).toMatchInlineSnapshot(`
      "RiversError RIVERS_INVALID_CHECK_OUTCOME
      Check 'non_empty' of asset 'rows' returned a string ("yes").
      Fix: return a boolean, or { passed: boolean, message?: string, metadata?: object }."
    `)
    expect(thrown(() => checkOutcome('rows', 'c', { passed: true, message: 3 }))).toContain(
      'returned a message that is a number (3)',
    )
  })
})
