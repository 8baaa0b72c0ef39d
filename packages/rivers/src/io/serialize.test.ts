import { describe, expect, it } from 'vitest'
import { encodeJsonResult } from './serialize.js'

const enc = (v: unknown): string => encodeJsonResult('x', v).toString('utf8')

describe('encodeJsonResult', () => {
  it('encodes plain values as JSON does', () => {
    expect(enc(null)).toBe('null')
    expect(enc({ a: [1, 'two', true, null], b: { c: -0.5 } })).toBe('{"a":[1,"two",true,null],"b":{"c":-0.5}}')
    expect(enc(new Date('2026-01-01T00:00:00.000Z'))).toBe('"2026-01-01T00:00:00.000Z"')
    expect(enc({ when: new Date(0), skip: undefined })).toBe('{"when":"1970-01-01T00:00:00.000Z"}')
    expect(enc('héllo')).toBe('"héllo"')
  })

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { n: 1 }
    expect(enc({ a: shared, b: [shared, shared] })).toBe('{"a":{"n":1},"b":[{"n":1},{"n":1}]}')
  })

  it('refuses what JSON would drop or mangle, naming the asset and the path', () => {
    const cyclic: Record<string, unknown> = { a: { b: {} } }
    ;(cyclic.a as { b: Record<string, unknown> }).b.back = cyclic.a
    const selfList: unknown[] = []
    selfList.push(selfList)
    expect(() => encodeJsonResult('x', undefined)).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned undefined; return a value, or null.]`,
    )
    expect(() => enc({ rows: [1, undefined] })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned undefined at $.rows[1]; JSON would silently store it as null. Use null explicitly.]`,
    )
    expect(() => enc({ n: 10n })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a BigInt at $.n, which JSON cannot store. Convert it with String(value), or Number(value) if it fits.]`,
    )
    expect(() => enc(5n)).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a BigInt at $, which JSON cannot store. Convert it with String(value), or Number(value) if it fits.]`,
    )
    expect(() => enc({ f: () => 1 })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a function at $.f, which cannot be stored. Return data, not functions (did you forget to call it?).]`,
    )
    expect(() => enc(() => 1)).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a function at $, which cannot be stored. Return data, not functions (did you forget to call it?).]`,
    )
    expect(() => enc([Symbol('s')])).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a symbol at $[0], which cannot be stored. Use a string instead.]`,
    )
    expect(() => enc(cyclic)).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a cyclic value: $.a.b.back refers back to $.a. JSON cannot store cycles; return a tree (refer to shared parts by id).]`,
    )
    expect(() => enc(selfList)).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a cyclic value: $[0] refers back to $. JSON cannot store cycles; return a tree (refer to shared parts by id).]`,
    )
    expect(() => enc({ m: { loss: Number.NaN } })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned NaN at $.m.loss; JSON would silently store it as null. Replace it with null or a finite number.]`,
    )
    expect(() => enc({ 'odd key': [0, Number.POSITIVE_INFINITY] })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned Infinity at $["odd key"][1]; JSON would silently store it as null. Replace it with null or a finite number.]`,
    )
    expect(() => enc({ index: new Map() })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Map at $.index, which JSON would not store faithfully. To store it, convert it with Object.fromEntries(map) or Array.from(map).]`,
    )
    expect(() => enc(new Set([1]))).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Set at $, which JSON would not store faithfully. To store it, convert it with Array.from(set).]`,
    )
    expect(() => enc({ w: new Float32Array(2) })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Float32Array at $.w, which JSON would not store faithfully. To store it, convert it with Array.from(x), or return the bytes (a Buffer or Uint8Array) as the whole result.]`,
    )
    expect(() => enc({ raw: Buffer.from('hi') })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Buffer at $.raw, which JSON would not store faithfully. To store it, convert it with Array.from(x), or return the bytes (a Buffer or Uint8Array) as the whole result.]`,
    )
    expect(() => enc({ p: Promise.resolve(1) })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Promise at $.p, which JSON would not store faithfully. To store it, await it before returning.]`,
    )
    expect(() => enc({ e: new TypeError('boom') })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a TypeError at $.e, which JSON would not store faithfully. To store it, return { message: error.message } or rethrow it.]`,
    )
  })

  it('marks these failures as unserializable results of the asset (exit 1)', () => {
    expect(() => enc({ n: 1n })).toThrow(expect.objectContaining({ code: 'RIVERS_IO_UNSERIALIZABLE', exitCode: 1 }))
  })
})
