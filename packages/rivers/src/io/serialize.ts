/**
 * JSON encoding of asset results that refuses, with the path inside the value, everything
 * `JSON.stringify` would drop, mangle or choke on, so that `JSON.parse` of the bytes is deep-equal,
 * type for type, to what was returned: undefined in arrays and holes of sparse arrays, BigInt,
 * functions, symbols, cycles, NaN/±Infinity, Dates, objects with a `toJSON`, boxed primitives, class
 * instances (any object whose prototype is not `Object.prototype` or `null`, arrays aside), and
 * objects with no faithful JSON form (Map, Set, typed arrays, Promise, Error, RegExp...).
 *
 * Stored as JSON stores them (documented, not refused): `undefined` object properties are omitted,
 * `-0` becomes `0`, getters are stored as the value they return, and only own enumerable string keys
 * are kept (symbol keys and non-enumerable properties are dropped).
 *
 * One pass: the checks run inside `JSON.stringify`'s replacer, which sees every value after `toJSON`
 * (so the original is read from the holder).
 */
import {
  arrayHole,
  bigintValue,
  boxedPrimitive,
  classInstance,
  customToJson,
  cyclicValue,
  dateValue,
  functionValue,
  jsonTooLarge,
  nonFiniteNumber,
  symbolValue,
  undefinedInArray,
  undefinedResult,
  unsupportedObject,
} from './errors.js'

type Holder = Record<string, unknown>
interface Place {
  holder: object
  key: string
}

/**
 * The UTF-8 JSON bytes of an asset's result, or a `RiversError` naming the asset and the path.
 *
 * @example
 * encodeJsonResult('raw', { rows: [1, 2] }).toString() // '{"rows":[1,2]}'
 */
export function encodeJsonResult(key: string, value: unknown): Buffer {
  if (value === undefined) throw undefinedResult(key)
  // A JSON primitive as the whole result: nothing to check inside it, and it is stored as it is.
  const type = typeof value
  if (value === null || type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value)))
    return Buffer.from(JSON.stringify(value), 'utf8')
  // Where each object was met (its holder and property), to name paths and to detect cycles.
  const places = new Map<object, Place>()
  // The holder of the top-level value is JSON.stringify's own wrapper `{ '': value }`: the one holder
  // never recorded in `places`, which is where a path starts.
  const pathOf = (holder: object, prop: string): string => {
    const parts: string[] = []
    let h = holder
    let k = prop
    for (let place = places.get(h); place !== undefined; place = places.get(h)) {
      parts.push(segment(h, k))
      h = place.holder
      k = place.key
    }
    return `$${parts.reverse().join('')}`
  }
  function replacer(this: Holder, prop: string, v: unknown): unknown {
    const original = this[prop]
    if (typeof original === 'object' && original !== null && original !== v) refuseConverted(this, prop, original)
    if (typeof original === 'bigint') throw bigintValue(key, pathOf(this, prop))
    switch (typeof v) {
      case 'number':
        if (!Number.isFinite(v)) throw nonFiniteNumber(key, pathOf(this, prop), v)
        return v
      case 'bigint':
        throw bigintValue(key, pathOf(this, prop))
      case 'function':
        throw functionValue(key, pathOf(this, prop))
      case 'symbol':
        throw symbolValue(key, pathOf(this, prop))
      case 'undefined':
        if (Array.isArray(this) && !Object.hasOwn(this, prop)) throw arrayHole(key, pathOf(this, prop))
        if (Array.isArray(this)) throw undefinedInArray(key, pathOf(this, prop))
        return v
      case 'object': {
        if (v === null) return v
        const odd = oddObject(ArrayBuffer.isView(original) ? original : v)
        if (odd !== undefined) throw unsupportedObject(key, pathOf(this, prop), odd[0], odd[1])
        refuseUnplain(this, prop, v)
        for (let h: object | undefined = this; h !== undefined; h = places.get(h)?.holder) {
          const place = places.get(h)
          if (h === v && place !== undefined)
            throw cyclicValue(key, pathOf(this, prop), pathOf(place.holder, place.key))
        }
        places.set(v, { holder: this, key: prop })
        return v
      }
      default:
        return v
    }
  }
  // An object `toJSON` replaced (a Date, a Buffer, a class with toJSON): JSON would store something else.
  function refuseConverted(holder: Holder, prop: string, original: object): never | undefined {
    const odd = oddObject(original)
    if (odd !== undefined) throw unsupportedObject(key, pathOf(holder, prop), odd[0], odd[1])
    if (original instanceof Date) throw dateValue(key, pathOf(holder, prop))
    if (typeof (original as { toJSON?: unknown }).toJSON === 'function')
      throw customToJson(key, pathOf(holder, prop), kindOf(original))
    return undefined
  }
  // Boxed primitives and class instances: consumers would get a different type.
  function refuseUnplain(holder: Holder, prop: string, v: object): void {
    const proto = Object.getPrototypeOf(v) as object | null
    if (proto === Object.prototype || proto === null || (proto === Array.prototype && Array.isArray(v))) return
    const boxed = boxedKind(v)
    if (boxed !== undefined) throw boxedPrimitive(key, pathOf(holder, prop), boxed)
    throw classInstance(key, pathOf(holder, prop), kindOf(v))
  }
  let text: string
  try {
    text = JSON.stringify(value, replacer)
  } catch (e) {
    if (e instanceof RangeError && /string length/i.test(e.message)) throw jsonTooLarge(key, e)
    throw e
  }
  return Buffer.from(text, 'utf8')
}

/** `.name`, `["odd key"]` or `[3]`. */
function segment(holder: object, prop: string): string {
  if (Array.isArray(holder)) return `[${prop}]`
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(prop) ? `.${prop}` : `[${JSON.stringify(prop)}]`
}

/** For objects JSON mangles silently: their kind and how to store them instead. */
function oddObject(v: object): [string, string] | undefined {
  if (ArrayBuffer.isView(v)) {
    const kind = v.constructor.name
    return [kind, 'convert it with Array.from(x), or return the bytes (a Buffer or Uint8Array) as the whole result']
  }
  if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer)) {
    return [v.constructor.name, 'return new Uint8Array(buffer) as the whole result']
  }
  if (v instanceof Map) return ['Map', 'convert it with Object.fromEntries(map) or Array.from(map)']
  if (v instanceof Set) return ['Set', 'convert it with Array.from(set)']
  if (v instanceof WeakMap || v instanceof WeakSet) return [v.constructor.name, 'return plain data instead']
  if (v instanceof Promise) return ['Promise', 'await it before returning']
  if (v instanceof Error) return [v.constructor.name, 'return { message: error.message } or rethrow it']
  if (v instanceof RegExp) return ['RegExp', 'store its source text (regexp.source)']
  return undefined
}

/** `Number`, `String`, `Boolean`, `Symbol` or `BigInt` for a boxed primitive. */
function boxedKind(v: object): string | undefined {
  if (v instanceof Number) return 'Number'
  if (v instanceof String) return 'String'
  if (v instanceof Boolean) return 'Boolean'
  if (typeof Symbol !== 'undefined' && v instanceof Symbol) return 'Symbol'
  if (v instanceof BigInt) return 'BigInt'
  return undefined
}

/** The constructor name of an object, for messages. */
function kindOf(v: object): string {
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name
  return typeof name === 'string' && name !== '' ? name : 'object with a custom prototype'
}
