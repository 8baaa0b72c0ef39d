/**
 * The project handed to the Rust core once: keys, CSR dependency arrays, source flags, labels, and
 * code versions, all as typed arrays. Ids are positions in `project.assets` (sorted by key).
 */
import { createRequire } from 'node:module'

import type { NativeGraph as NativeGraphT } from '@rivers-orchestrator/native'

import { closureCodeVersions, type CodeVersionOptions } from '../code/index.js'
import { DefinitionError, RiversError } from '../errors.js'
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

export type NativeGraph = NativeGraphT

/** Codes of errors the core raises for definitions (exit 2). */
const DEFINITION_CODES = new Set([
  'RIVERS_INVALID_KEY',
  'RIVERS_DUPLICATE_KEY',
  'RIVERS_UNKNOWN_DEP',
  'RIVERS_SELF_DEP',
  'RIVERS_CYCLE',
  'RIVERS_SOURCE_WITH_DEPS',
])

/**
 * Turns an error thrown by the native core into a RiversError with the same code and message.
 *
 * @example
 * try { graph.select(['a and']) } catch (e) { throw fromNative(e) }
 */
export function fromNative(e: unknown): unknown {
  if (!(e instanceof Error)) return e
  const code = (e as { code?: unknown }).code
  if (typeof code !== 'string' || !code.startsWith('RIVERS_')) return e
  if (DEFINITION_CODES.has(code)) return new DefinitionError(code, e.message)
  return new RiversError(code, e.message)
}

/**
 * Calls into the core, mapping its errors.
 *
 * @example
 * const ids = callNative(() => graph.select(['*']))
 */
export function callNative<T>(f: () => T): T {
  try {
    return f()
  } catch (e) {
    throw fromNative(e)
  }
}

/** Writes a 32-hex-digit hash into `out` at 16-byte slot `i`. */
export function putHex(out: Uint8Array, i: number, hex: string): void {
  out.set(Buffer.from(hex, 'hex'), 16 * i)
}

/**
 * Code version (hex) of each asset of the project, per SPEC.md: `code-version` of a given
 * `codeVersion`; else `code-function` over the function's text, its definition texts and the closure
 * of the local modules and npm packages its definition stack reaches (see `code/version.ts`).
 * With `storeDir`, file hashes are cached and version manifests kept in the store folder.
 *
 * @example
 * const versions = codeVersions(project) // one hex string per asset
 */
export function codeVersions(project: Project, options: CodeVersionOptions = {}): string[] {
  return closureCodeVersions(project, options)
}

/**
 * Builds the native graph of a project. Cost: one pass over the assets to make the arrays, then
 * one native call (the core validates: cycles, duplicate keys, invalid keys).
 *
 * @example
 * const graph = buildNativeGraph(project, codeVersions(project))
 */
export function buildNativeGraph(project: Project, code: readonly string[]): NativeGraph {
  const n = project.assets.length
  const ids = new Map<string, number>()
  project.assets.forEach((a, i) => ids.set(a.key, i))
  const depOffsets = new Uint32Array(n + 1)
  const deps: number[] = []
  const sources = new Uint8Array(n)
  const labelIndex = new Map<string, number>()
  const labelOffsets = new Uint32Array(n + 1)
  const labelIds: number[] = []
  const codeBytes = new Uint8Array(16 * n)
  project.assets.forEach((a, i) => {
    const seen = new Set<number>()
    for (const d of a.deps) {
      const id = ids.get(d.key)
      if (id === undefined)
        throw new DefinitionError(
          'RIVERS_UNKNOWN_DEP',
          `asset "${a.key}" depends on "${d.key}", which is not an asset of this project`,
        )
      if (!seen.has(id)) deps.push(id)
      seen.add(id)
    }
    depOffsets[i + 1] = deps.length
    sources[i] = a.isSource ? 1 : 0
    for (const l of a.labels) {
      let li = labelIndex.get(l)
      if (li === undefined) {
        li = labelIndex.size
        labelIndex.set(l, li)
      }
      labelIds.push(li)
    }
    labelOffsets[i + 1] = labelIds.length
    putHex(codeBytes, i, code[i] ?? '')
  })
  return callNative(() =>
    nativeModule().NativeGraph.build({
      keys: project.assets.map((a) => a.key).join('\n'),
      depOffsets,
      deps: Uint32Array.from(deps),
      sources,
      labels: [...labelIndex.keys()].join('\n'),
      labelOffsets,
      labelIds: Uint32Array.from(labelIds),
      codeVersions: codeBytes,
    }),
  )
}
