/**
 * The field layouts of the closure-based code version (crates/planner/SPEC.md, "Code versions"):
 * every hash is `hash_fields(domain, fields)` over UTF-8 string fields, and every variable-length
 * list is written as its length (decimal) followed by its items, so that no two layouts share an
 * encoding. Changing anything here changes every stored code version: the golden values in
 * `layout.test.ts` fail on purpose.
 */
import { nativeModule } from '../native.js'

/**
 * Hash of a definition region: the pieces of its normalized text (tokens; see `normalize.ts`)
 * between the regions nested in it.
 *
 * @example
 * regionHash(["const raw = asset({ key: 'raw' }, () =>", ')']) // 32 hex digits
 */
export function regionHash(pieces: readonly string[]): string {
  return nativeModule().hashStrings('code-region', [...pieces])
}

/**
 * Hash of a module's code: one field, its normalized text outside all definition regions (the
 * whole normalized text when it has none).
 *
 * @example
 * moduleHash(["import { asset } from '@rivers-orchestrator/rivers'\nexport default"])
 */
export function moduleHash(fields: readonly [string]): string {
  return nativeModule().hashStrings('code-module', [...fields])
}

/**
 * Hash of an asset's own definition texts: per module (sorted by path), the regions it sees in text
 * order as (place, region hash) pairs, flattened (`['at 12', hash, 'child 0', hash]`).
 *
 * @example
 * ownHash([['rivers.config.ts', ['at 12', regionHash(['const raw = asset(…)'])]]])
 */
export function ownHash(modules: readonly (readonly [string, readonly string[]])[]): string {
  const fields = [String(modules.length)]
  for (const [file, hashes] of modules) fields.push(file, String(hashes.length), ...hashes)
  return nativeModule().hashStrings('code-own', fields)
}

/**
 * Hash of a closure: files (path relative to the project folder, module hash), packages (name,
 * version), loads that could not be followed, and then a random nonce when there are any (such a
 * closure must never match a later one).
 *
 * @example
 * closureHash([['rivers.config.ts', moduleHash(['…'])]], [['zod', '4.1.0']], [])
 */
export function closureHash(
  files: readonly (readonly [string, string])[],
  packages: readonly (readonly [string, string])[],
  unresolved: readonly string[],
  nonce?: string,
): string {
  const fields = [String(files.length), ...files.flat(), String(packages.length), ...packages.flat()]
  fields.push(String(unresolved.length), ...unresolved)
  if (unresolved.length > 0) fields.push(nonce ?? '')
  return nativeModule().hashStrings('code-closure', fields)
}

/**
 * The code version of an asset: its function's text, its own texts, its closure, and the loader
 * versions of the sources it reads (deduplicated, sorted).
 *
 * @example
 * functionVersion('() => 1', ownHash([]), closureHash([], [], []), [])
 */
export function functionVersion(fn: string, own: string, closure: string, loaders: readonly string[]): string {
  return nativeModule().hashStrings('code-function', [fn, own, closure, String(loaders.length), ...loaders])
}
