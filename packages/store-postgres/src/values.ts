/**
 * Checks and encodings of the values the store writes: keys, partitions, hashes, JSON and times,
 * with the same rules (and messages) as the SQLite store.
 */
import { badStoreKey, badStorePartition, badVersion, unstorableJson } from './errors.js'

/**
 * JSON text of a value (`null` for undefined), naming `what` when it cannot be stored.
 *
 * @example
 * encodeJson({ lr: 0.1 }, "config of run 'r1'") // '{"lr":0.1}'
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
 * The value of a JSON column (`null` for NULL).
 *
 * @example
 * decodeJson<string[]>('["a"]') // ['a']
 */
export function decodeJson<T = unknown>(text: string | null | undefined): T | null {
  return text == null ? null : (JSON.parse(text) as T)
}

/**
 * ISO-8601 UTC with milliseconds, the store's time format.
 *
 * @example
 * isoTime(new Date(0)) // '1970-01-01T00:00:00.000Z'
 */
export function isoTime(d: Date = new Date()): string {
  return d.toISOString()
}

/**
 * A 16-byte hash as a Buffer, or an error naming `what`.
 *
 * @example
 * asHash(Buffer.alloc(16), "codeVersion of asset 'raw'")
 */
export function asHash(buf: Uint8Array, what: string): Buffer {
  if (!(buf instanceof Uint8Array) || buf.length !== 16)
    throw badVersion(what, buf instanceof Uint8Array ? `${buf.length} bytes` : typeof buf)
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
}

/**
 * A key (asset, run id) the packed columns can carry: non-empty, no newline or NUL.
 *
 * @example
 * checkKey('raw', 'Asset key')
 */
export function checkKey(key: string, what: string): string {
  if (typeof key !== 'string' || key === '' || /[\n\0]/.test(key)) throw badStoreKey(what, String(key))
  return key
}

/**
 * A partition key ('' for none): no newline or NUL.
 *
 * @example
 * checkPartition('2024-01-01', "Partition of asset 'events'")
 */
export function checkPartition(partition: string, what: string): string {
  if (typeof partition !== 'string' || /[\n\0]/.test(partition)) throw badStorePartition(what, String(partition))
  return partition
}
