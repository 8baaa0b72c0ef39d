import type { IdiomaticRecord } from './baselines/idiomatic.js'
import type { RecordBatch } from './baselines/types.js'
import type { CsrGraph } from './graphs.js'

/**
 * Writes a deterministic 16-byte version for `(id, salt)` at `out[16 * at ..]` (a cheap integer
 * mix, not a real hash: benchmarks need distinct, reproducible versions, not security).
 */
export function writeVersion(out: Uint8Array, at: number, id: number, salt: number): void {
  let h = (Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 1, 0xc2b2ae35)) >>> 0
  for (let w = 0; w < 4; w++) {
    h ^= h >>> 16
    h = Math.imul(h, 0x7feb352d) >>> 0
    h ^= h >>> 15
    h = (Math.imul(h, 0x846ca68b) + w + 1) >>> 0
    out[16 * at + 4 * w] = h >>> 24
    out[16 * at + 4 * w + 1] = (h >>> 16) & 255
    out[16 * at + 4 * w + 2] = (h >>> 8) & 255
    out[16 * at + 4 * w + 3] = h & 255
  }
}

/** Lowercase hex of the version `(id, salt)`, the idiomatic baseline's form of the same value. */
export function versionHex(id: number, salt: number): string {
  const b = new Uint8Array(16)
  writeVersion(b, 0, id, salt)
  return Buffer.from(b).toString('hex')
}

/** State of a graph where everything was built once and is fresh. */
export interface Materialized {
  /** One record per non-source asset: code and config unset (zero), data `(v, salt)`, deps consumed at their current versions. */
  batch: RecordBatch
  /** Sources and their observed versions `(v, salt)`. */
  observedIds: Uint32Array
  observed: Uint8Array
}

/**
 * A consistent, fully fresh state for `g` in the planners' input formats.
 * @example
 * const { batch, observedIds, observed } = materialized(g)
 * planner.setObserved(observedIds, observed); planner.loadRecords(batch) // everything fresh
 */
export function materialized(g: CsrGraph, salt = 0): Materialized {
  const { n, depOffsets, deps, sources } = g
  let m = 0
  let e = 0
  for (let v = 0; v < n; v++) if (!sources[v]) m++, (e += (depOffsets[v + 1] ?? 0) - (depOffsets[v] ?? 0))
  const ids = new Uint32Array(m)
  const data = new Uint8Array(16 * m)
  const offsets = new Uint32Array(m + 1)
  const recDeps = new Uint32Array(e)
  const depVersions = new Uint8Array(16 * e)
  const observedIds = new Uint32Array(n - m)
  const observed = new Uint8Array(16 * (n - m))
  for (let v = 0, i = 0, s = 0, x = 0; v < n; v++) {
    if (sources[v]) {
      observedIds[s] = v
      writeVersion(observed, s++, v, salt)
      continue
    }
    ids[i] = v
    writeVersion(data, i, v, salt)
    for (let k = depOffsets[v] ?? 0, end = depOffsets[v + 1] ?? 0; k < end; k++, x++) {
      recDeps[x] = deps[k] ?? 0
      writeVersion(depVersions, x, deps[k] ?? 0, salt)
    }
    offsets[++i] = x
  }
  const zeros = new Uint8Array(16 * m)
  return {
    batch: {
      ids,
      codeVersions: zeros,
      configHashes: zeros,
      dataVersions: data,
      depOffsets: offsets,
      deps: recDeps,
      depVersions,
    },
    observedIds,
    observed,
  }
}

/**
 * The same fully fresh state for the idiomatic planner: records by key, observations by key.
 * @example planner.loadRecords(materializedIdiomatic(g).records)
 */
export function materializedIdiomatic(
  g: CsrGraph,
  salt = 0,
): { records: Map<string, IdiomaticRecord>; observed: Map<string, string> } {
  const records = new Map<string, IdiomaticRecord>()
  const observed = new Map<string, string>()
  for (let v = 0; v < g.n; v++) {
    const key = g.keys[v] ?? ''
    if (g.sources[v]) {
      observed.set(key, versionHex(v, salt))
      continue
    }
    const deps = new Map<string, string>()
    for (let k = g.depOffsets[v] ?? 0; k < (g.depOffsets[v + 1] ?? 0); k++)
      deps.set(g.keys[g.deps[k] ?? 0] ?? '', versionHex(g.deps[k] ?? 0, salt))
    records.set(key, { codeVersion: '', configHash: '', dataVersion: versionHex(v, salt), deps })
  }
  return { records, observed }
}
