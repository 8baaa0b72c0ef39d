import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { findSchemaMismatch } from './index.js'

const mismatch = (consumer: z.ZodType, producer: z.ZodType) => findSchemaMismatch(consumer, producer)

describe('findSchemaMismatch()', () => {
  test('compatible: same shape, fewer required properties, wider types', () => {
    expect(mismatch(z.object({ id: z.number() }), z.object({ id: z.number(), name: z.string() }))).toBeUndefined()
    expect(mismatch(z.number(), z.number().int())).toBeUndefined()
    expect(mismatch(z.string().nullable(), z.string())).toBeUndefined()
    expect(mismatch(z.object({ a: z.string().optional() }), z.object({}))).toBeUndefined()
    expect(mismatch(z.union([z.string(), z.number()]), z.literal(3))).toBeUndefined()
    expect(mismatch(z.enum(['a', 'b']), z.literal('a'))).toBeUndefined()
  })

  test('unreadable schemas count as compatible', () => {
    expect(mismatch(z.date(), z.string())).toBeUndefined()
    expect(mismatch(z.instanceof(Buffer), z.number())).toBeUndefined()
    expect(mismatch(z.object({ id: z.number() }), z.record(z.string(), z.unknown()))).toBeUndefined()
    expect(mismatch(z.any(), z.number())).toBeUndefined()
  })

  test('top-level and nested type mismatches, with paths', () => {
    expect(mismatch(z.string(), z.number())).toEqual({
      path: '',
      detail: 'the consumer expects string, the producer gives number',
    })
    expect(mismatch(z.number().int(), z.number())).toEqual({
      path: '',
      detail: 'the consumer expects integer, the producer gives number',
    })
    expect(mismatch(z.string(), z.string().nullable())).toEqual({
      path: '',
      detail: 'the consumer expects string, the producer gives null or string',
    })
    expect(
      mismatch(
        z.object({ a: z.object({ b: z.array(z.string()) }) }),
        z.object({ a: z.object({ b: z.array(z.number()) }) }),
      ),
    ).toEqual({
      path: 'a.b[]',
      detail: 'the consumer expects string, the producer gives number',
    })
  })

  test('required properties that the producer lacks or makes optional', () => {
    expect(mismatch(z.object({ id: z.number() }), z.object({ name: z.string() }))?.path).toBe('id')
    expect(mismatch(z.object({ id: z.number() }), z.object({ id: z.number().optional() }))).toEqual({
      path: 'id',
      detail: 'the consumer requires this property, the producer makes it optional',
    })
  })
})
