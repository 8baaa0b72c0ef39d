import { deepStrictEqual } from 'node:assert'
import { describe, expect, it } from 'vitest'
import { encodeJsonResult } from './serialize.js'

const enc = (v: unknown): string => encodeJsonResult('x', v).toString('utf8')

describe('encodeJsonResult', () => {
  it('encodes plain values as JSON does', () => {
    expect(enc(null)).toBe('null')
    expect(enc({ a: [1, 'two', true, null], b: { c: -0.5 } })).toBe('{"a":[1,"two",true,null],"b":{"c":-0.5}}')
    expect(enc({ when: 0, skip: undefined })).toBe('{"when":0}')
    expect(enc('héllo')).toBe('"héllo"')
  })

  it('encodes a primitive result (its fast path) exactly as the same value inside an array, refusals included', () => {
    const primitives = [0, -0, 1, -1.5, 1e21, 2 ** 53, Number.MIN_VALUE, '', 'a"b\\c\n', '\u2028é😀', true, false, null]
    for (const v of primitives) expect(enc(v), String(v)).toBe(enc([v]).slice(1, -1))
    // What no JSON primitive is takes the checked path, and is refused at `$` as before.
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, 10n, Symbol('s'), () => 1])
      expect(() => enc(v), String(typeof v)).toThrow(/\$/)
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

  it('stores -0 as 0, null-prototype objects as plain ones, getters as their value (documented choices)', () => {
    expect(enc({ z: -0, list: [-0] })).toBe('{"z":0,"list":[0]}')
    expect(enc(Object.assign(Object.create(null) as object, { a: 1 }))).toBe('{"a":1}')
    expect(
      enc({
        get n() {
          return 2
        },
      }),
    ).toBe('{"n":2}')
  })

  it('refuses values whose type would not survive storage: Dates, class instances, boxed primitives, toJSON, holes', () => {
    class Point {
      constructor(readonly x = 1) {}
    }
    class Money {
      toJSON() {
        return '1 EUR'
      }
    }
    class Rows extends Array<number> {}
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    const sparse = [1, , 3]
    expect(() => enc({ d: new Date(0) })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Date at $.d: JSON would store it as a string, so its consumers (in this run and later ones) would get a string, not a Date. Return date.toISOString() or date.getTime() instead and parse it in the consumer.]`,
    )
    expect(() => enc(new Date(0))).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Date at $: JSON would store it as a string, so its consumers (in this run and later ones) would get a string, not a Date. Return date.toISOString() or date.getTime() instead and parse it in the consumer.]`,
    )
    expect(() => enc({ p: new Point() })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Point (a class instance) at $.p: its prototype and methods would not survive storage (consumers would get a plain object). Return plain data, e.g. { ...value } with the fields consumers need.]`,
    )
    expect(() => enc({ rows: new Rows() })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Rows (a class instance) at $.rows: its prototype and methods would not survive storage (consumers would get a plain object). Return plain data, e.g. { ...value } with the fields consumers need.]`,
    )
    expect(() => enc({ n: [new Number(1)] })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a boxed Number (an object wrapping a primitive) at $.n[0]: consumers would get the bare primitive. Return the primitive itself (value.valueOf()).]`,
    )
    expect(() => enc(Object('s'))).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a boxed String (an object wrapping a primitive) at $: consumers would get the bare primitive. Return the primitive itself (value.valueOf()).]`,
    )
    expect(() => enc({ big: Object(1n) })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a boxed BigInt (an object wrapping a primitive) at $.big: consumers would get the bare primitive. Return the primitive itself (value.valueOf()).]`,
    )
    expect(() => enc({ price: new Money() })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Money with a toJSON method at $.price: JSON would store what toJSON returns, not the object, so consumers would get something else. If that is what they should get, return value.toJSON() yourself.]`,
    )
    expect(() => enc({ plain: { toJSON: () => 1 } })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a Object with a toJSON method at $.plain: JSON would store what toJSON returns, not the object, so consumers would get something else. If that is what they should get, return value.toJSON() yourself.]`,
    )
    expect(() => enc({ a: sparse })).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a sparse array with a hole at $.a[1]: JSON would store it as null. Fill the holes (e.g. Array.from(array, (x) => x ?? null)).]`,
    )
    expect(() => enc(new Array(2))).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'x' returned a sparse array with a hole at $[0]: JSON would store it as null. Fill the holes (e.g. Array.from(array, (x) => x ?? null)).]`,
    )
  })

  it('what it accepts, JSON.parse gives back deep-equal, prototypes included', () => {
    const value = { a: [1, 'x', true, null, { b: [[]] }], c: { 'odd key': 1.5, n: -2 }, s: 'é\u2028' }
    deepStrictEqual(JSON.parse(enc(value)), value)
  })

  it('marks these failures as unserializable results of the asset (exit 1)', () => {
    expect(() => enc({ n: 1n })).toThrow(expect.objectContaining({ code: 'RIVERS_IO_UNSERIALIZABLE', exitCode: 1 }))
  })
})
