/**
 * Shapes shared by the baseline planners and (by design) the native binding.
 *
 * Hashes (code versions, config hashes, data versions) cross the API as 16 bytes each, packed into
 * one `Uint8Array` of `16 * m` bytes for `m` items (big-endian XXH3-128, see SPEC.md). All zero
 * means "unset" for code and config.
 */

/** Status codes in `statuses()`. */
export const MISSING = 0
export const STALE = 1
export const FRESH = 2
export type StatusCode = typeof MISSING | typeof STALE | typeof FRESH
export const STATUS_NAMES = ['missing', 'stale', 'fresh'] as const
export type StatusName = (typeof STATUS_NAMES)[number]

/** Cause kinds, in SPEC.md order. */
export const CAUSE_KINDS = [
  'code_changed',
  'config_changed',
  'dep_added',
  'dep_removed',
  'upstream_data_changed',
] as const
export type CauseKind = (typeof CAUSE_KINDS)[number]

/**
 * Root cause kinds. Root causes sort by topological position of the key, then by the index of the
 * kind in this list (for the kinds that can share a key, code..dep_removed, this is also
 * alphabetical order).
 */
export const ROOT_KINDS = [
  'code_changed',
  'config_changed',
  'dep_added',
  'dep_removed',
  'missing',
  'source_changed',
  'new_data_version',
] as const
export type RootCauseKind = (typeof ROOT_KINDS)[number]

/** One reason an asset is stale; `dep` (a key) for dep_added, dep_removed, upstream_data_changed. */
export interface Cause {
  kind: CauseKind
  dep?: string
}

/** An asset where a change started. */
export interface RootCause {
  key: string
  kind: RootCauseKind
}

/**
 * Records of `m` materializations (the native API's format too). Record `i` is for asset `ids[i]`;
 * its consumed deps are `deps[depOffsets[i] .. depOffsets[i + 1])`, each an asset id `< n` or
 * `n + j` for the extern key `externKeys[j]` (a dep no longer in the graph), with the data version
 * consumed at `depVersions[16 * e ..]`.
 */
export interface RecordBatch {
  ids: Uint32Array
  codeVersions: Uint8Array
  configHashes: Uint8Array
  dataVersions: Uint8Array
  depOffsets: Uint32Array
  deps: Uint32Array
  depVersions: Uint8Array
  externKeys?: string[]
}

/** A plan: `ids[layerOffsets[l] .. layerOffsets[l + 1])` is layer `l`. */
export interface Plan {
  ids: Uint32Array
  layerOffsets: Uint32Array
}

/** The graph input of the reference planner (a `CsrGraph` from `graphs.ts` fits). */
export interface GraphInput {
  keys: string[]
  depOffsets: Uint32Array
  deps: Uint32Array
  /** `1` marks a source asset; absent means none. */
  sources?: Uint8Array
}

/** Lowercase hex of the 16 bytes at `bytes[16 * i ..]`. */
export function hashHex(bytes: Uint8Array, i = 0): string {
  let s = ''
  for (let k = 16 * i; k < 16 * i + 16; k++) s += (bytes[k] ?? 0).toString(16).padStart(2, '0')
  return s
}
