/**
 * The code version of every asset of a project, as the engine hands it to the core (see
 * `code/version.ts` for what it covers, and docs/staleness.md).
 */
import { type CodeVersionOptions, closureCodeVersions } from '../code/index.js'
import type { Project } from '../definitions/index.js'

export type { CodeVersionOptions }

/**
 * Code version (hex) of each asset of the project, per SPEC.md: `code-version` of a given
 * `codeVersion`; else `code-function` over the function's text, its definition texts and the closure
 * of the local modules and npm packages its definition stack reaches (see `code/version.ts`).
 * With `storeDir`, file hashes are cached and version manifests kept in the store folder.
 *
 * @example
 * const versions = codeVersions(project, { storeDir: '.rivers' }) // one hex string per asset
 */
export function codeVersions(project: Project, options: CodeVersionOptions = {}): string[] {
  return closureCodeVersions(project, options)
}
