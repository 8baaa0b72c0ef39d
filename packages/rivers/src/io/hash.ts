/**
 * Content hashing for stored outputs, from the native core (XXH3-128, domain `content`; see
 * crates/planner/SPEC.md). Kept in one tiny module so the IO code has a single seam to the binding.
 *
 * The binding is required on first use, not imported: importing the library never loads the
 * addon, so a machine without a fitting binary gets the binding's explanation as an error thrown by
 * the first call (which the caller catches), never while modules load (where Node 20 also reports
 * an error thrown by a CommonJS module imported through ES modules as uncaught, even when caught).
 */
import { createRequire } from 'node:module'

type Native = typeof import('@rivers-orchestrator/native')

const require = createRequire(import.meta.url)
let native: Native | undefined

function binding(): Native {
  native ??= require('@rivers-orchestrator/native') as Native
  return native
}

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
