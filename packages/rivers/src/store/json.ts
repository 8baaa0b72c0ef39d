/**
 * JSON columns: encoding with a clear error, decoding that tolerates NULL.
 */
import { unstorableJson } from './errors.js'

/**
 * `JSON.stringify` for a JSON column; `undefined` becomes SQL NULL. Throws a `RiversError` naming
 * `what` if the value cannot be encoded (a cycle, a BigInt).
 *
 * @example
 * encodeJson({ rows: 3 }, 'metadata of asset raw') // '{"rows":3}'
 */
export function encodeJson(value: unknown, what: string): string | null {
  if (value === undefined) return null
  try {
    return JSON.stringify(value) ?? null
  } catch (e) {
    throw unstorableJson(what, e)
  }
}

/**
 * Parses a JSON column; NULL gives `null`.
 *
 * @example
 * decodeJson('{"rows":3}') // { rows: 3 }
 */
export function decodeJson<T = unknown>(text: string | null | undefined): T | null {
  return text == null ? null : (JSON.parse(text) as T)
}

/**
 * ISO-8601 UTC text with milliseconds, the store's time format.
 *
 * @example
 * isoTime(new Date(0)) // '1970-01-01T00:00:00.000Z'
 */
export function isoTime(d: Date = new Date()): string {
  return d.toISOString()
}
