/**
 * JSON encoding of asset results that refuses, with the path inside the value, everything
 * `JSON.stringify` would drop, mangle or choke on: undefined in arrays, BigInt, functions, symbols,
 * cycles, NaN/±Infinity, and objects that have no faithful JSON form (Map, Set, typed arrays,
 * Promise, Error, RegExp...). Objects with `toJSON` (Date) are encoded as JSON does. `undefined`
 * object properties are omitted, as in JSON.
 *
 * One pass: the checks run inside `JSON.stringify`'s replacer, which sees every value after `toJSON`.
 */
import {
  bigintValue,
  cyclicValue,
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
        if (Array.isArray(this)) throw undefinedInArray(key, pathOf(this, prop))
        return v
      case 'object': {
        if (v === null) return v
        const odd = oddObject(ArrayBuffer.isView(original) ? original : v)
        if (odd !== undefined) throw unsupportedObject(key, pathOf(this, prop), odd[0], odd[1])
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
