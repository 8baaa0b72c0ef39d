/**
 * Checks and encodings of the values the store writes: keys, partitions, hashes, JSON and times,
 * with the same rules (and messages) as the SQLite store (JSON and times are its own functions).
 */
import { badStoreKey, badStorePartition, badVersion } from './errors.js'

export { decodeJson, encodeJson, isoTime } from '@rivers-orchestrator/rivers/plugin'

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
