/**
 * Conversions between the 16-byte hashes the store keeps (code versions, config hashes, data
 * versions) and their 32-hex-digit text form used in JSON output and by the IO manager.
 */
import { badVersion } from './errors.js'

const HEX32 = /^[0-9a-fA-F]{32}$/

/**
 * All-zero hash: "unset" in the planner's state arrays.
 *
 * @example
 * codeVersions.set(ZERO_HASH, 16 * i) // asset i has no current code version
 */
export const ZERO_HASH: Buffer = Buffer.alloc(16)

/**
 * Lowercase hex of a 16-byte hash.
 *
 * @example
 * toHex(Buffer.alloc(16)) // '00000000000000000000000000000000'
 */
export function toHex(buf: Uint8Array): string {
  if (buf.length !== 16) throw badVersion('A hash', `${buf.length} bytes`)
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('hex')
}

/**
 * The 16 bytes of a 32-hex-digit hash (case-insensitive).
 *
 * @example
 * fromHex('000102030405060708090a0b0c0d0e0f')[15] // 15
 */
export function fromHex(hex: string, what = 'A hash'): Buffer {
  if (!HEX32.test(hex)) throw badVersion(what, JSON.stringify(hex))
  return Buffer.from(hex, 'hex')
}

/**
 * Throws unless `buf` is exactly 16 bytes; returns it as a Buffer view (no copy).
 *
 * @example
 * asHash(new Uint8Array(16), 'dataVersion of raw')
 */
export function asHash(buf: Uint8Array, what: string): Buffer {
  if (!(buf instanceof Uint8Array) || buf.length !== 16) {
    throw badVersion(what, buf instanceof Uint8Array ? `${buf.length} bytes` : typeof buf)
  }
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
}
