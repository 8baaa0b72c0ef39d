/**
 * Content hashing for stored outputs, from the native core (XXH3-128, domain `content`; see
 * crates/planner/SPEC.md). Kept in one tiny module so the IO code has a single seam to the binding.
 * The binding is loaded on first use (`../native.ts`), never while modules load.
 */
import { nativeModule as binding } from '../native.js'

/**
 * Content hash of bytes: 32 lowercase hex digits. Runs on the calling thread.
 *
 * @example
 * hashBytes(Buffer.from('hello')) // 32 hex digits
 */
export function hashBytes(data: Uint8Array): string {
  return binding().hashBytes(data)
}

/**
 * Content hash of a file, equal to `hashBytes` of its bytes; reads the file in a streaming way on the
 * calling thread (synchronous), so files larger than memory are fine.
 *
 * @example
 * import { readFileSync } from 'node:fs'
 * hashFile('/tmp/out.bin') === hashBytes(readFileSync('/tmp/out.bin')) // true
 */
export function hashFile(path: string): string {
  return binding().hashFile(path)
}
