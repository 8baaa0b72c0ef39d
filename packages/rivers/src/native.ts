/**
 * The native module (`@rivers-orchestrator/native`), loaded on first use, and byte helpers for the
 * 16-byte hashes it takes. Below every other layer: the definitions, code versions, IO and the engine
 * reach the binding's hashing through here; the native graph itself only through `engine/planner.ts`.
 *
 * The binding is required on first use, not imported: importing the library never loads the addon,
 * so a machine without a fitting binary gets the binding's explanation as an error thrown by the
 * first call (which the caller catches), never while modules load.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
type NativeModule = typeof import('@rivers-orchestrator/native')
let native: NativeModule | undefined

/**
 * The native module (loaded on first use; a load failure says which platform, package and fix).
 *
 * @example
 * const hex = nativeModule().hashBytes(Buffer.from('x'))
 */
export function nativeModule(): NativeModule {
  native ??= require('@rivers-orchestrator/native') as NativeModule
  return native
}

/**
 * Writes a 32-hex-digit hash into `out` at 16-byte slot `i`.
 *
 * @example
 * putHex(bytes, 2, 'b93de105adc28f5d1f8fa6773400273c')
 */
export function putHex(out: Uint8Array, i: number, hex: string): void {
  out.set(Buffer.from(hex, 'hex'), 16 * i)
}
