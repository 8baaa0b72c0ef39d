/**
 * The native module (loaded on first use) and the hashes the engine computes with it: code
 * versions, byte helpers. The native graph itself is reached only through `planner.ts`.
 */
import { createRequire } from 'node:module'

import type { Project } from '../definitions/index.js'

const require = createRequire(import.meta.url)
type NativeModule = typeof import('@rivers-orchestrator/native')
let native: NativeModule | undefined

/**
 * The native module (loaded on first use; a load failure says which file and platform).
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

/**
 * Code version (hex) of each asset of the project, per SPEC.md: `code-version` of a given
 * `codeVersion`, else `code-source` of the function's source text.
 *
 * @example
 * const versions = codeVersions(project) // one hex string per asset
 */
export function codeVersions(project: Project): string[] {
  const { hashStrings } = nativeModule()
  return project.assets.map((a) => hashStrings(a.codeIsExplicit ? 'code-version' : 'code-source', [a.codeSource]))
}
