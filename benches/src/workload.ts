/**
 * Everything the scenarios of one graph share, prepared once and outside every clock: the generated
 * graph, a fully materialized state, the seeded samples of sources and assets to change, the 1%
 * change batch, and (lazily, since they are large) the idiomatic planner's inputs.
 */
import type { IdiomaticAsset, IdiomaticRecord } from './baselines/idiomatic.js'
import { reverse } from './baselines/topo.js'
import type { RecordBatch } from './baselines/types.js'
import {
  generate,
  graphStats,
  toAssetList,
  type CsrGraph,
  type GraphStats,
  type IdOrder,
  type Shape,
} from './graphs.js'
import { materialized, materializedIdiomatic, versionHex, writeVersion, type Materialized } from './records.js'
import { Rng } from './rng.js'

/** Salt of the versions a change writes (the materialized state uses salt 0). */
export const CHANGED = 1

/** One graph and its prepared states. */
export interface Workload {
  shape: Shape
  order: IdOrder
  /** The graph, its keys flattened (see `flatKeys`). */
  g: CsrGraph
  /** The keys as the generator built them (template literals: V8 cons strings), for the phases. */
  generatedKeys: string[]
  stats: GraphStats
  /** Everything built once and fresh (salt 0). */
  mat: Materialized
  /** Children CSR (ascending ids). */
  childOffsets: Uint32Array
  children: Uint32Array
  /** Seeded samples (at most 64 each) that the incremental scenarios rotate over. */
  sampleSources: number[]
  sampleAssets: number[]
  /** Sample of non-source assets with at least one child (re-verification). */
  sampleParents: number[]
  /** Observed versions with 1% of the sources (at least one) changed: the cold and warm state. */
  observedChanged: Uint8Array
  /** Just those 1% of sources: ids, their changed versions and their materialized ones. */
  changedSources: { ids: Uint32Array; changed: Uint8Array; original: Uint8Array }
  /** Records of 1% of the non-source assets with new data versions, and the batch that undoes them. */
  onePct: { change: RecordBatch; undo: RecordBatch }
  /** The idiomatic planner's inputs (built on first use). */
  idiomatic: () => IdiomaticInputs
}

/** Inputs of the idiomatic planner: asset objects, records and observations by key. */
export interface IdiomaticInputs {
  assets: IdiomaticAsset[]
  records: Map<string, IdiomaticRecord>
  observed: Map<string, string>
  /** `observed` with the same 1% of sources changed as `Workload.observedChanged`. */
  observedChanged: Map<string, string>
  /** Just those sources, changed and as materialized. */
  changedSources: { changed: [string, string][]; original: [string, string][] }
  /** The 1% batch as `[key, record]` pairs, and its undo. */
  onePct: { change: [string, IdiomaticRecord][]; undo: [string, IdiomaticRecord][] }
}

/**
 * The same keys as flat (sequential) strings. The generator builds keys with template literals,
 * which V8 keeps as cons strings (trees of parts) that every `keys.join` walks again: at 1M keys
 * the join takes ~10× longer than on flat strings. Keys written as literals or read with
 * `JSON.parse` are flat, so the scenarios use flat keys; the phases measure both.
 * @example flatKeys(['a' + 'b'.repeat(20)])
 */
export function flatKeys(keys: readonly string[]): string[] {
  return JSON.parse(JSON.stringify(keys)) as string[]
}

/** Up to `k` distinct members of `pool`, chosen by a seeded shuffle (stable for a seed). */
export function sample(pool: ArrayLike<number>, k: number, rng: Rng): number[] {
  const a = Array.from(pool)
  const m = Math.min(k, a.length)
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(a.length - i)
    const t = a[i] ?? 0
    a[i] = a[j] ?? 0
    a[j] = t
  }
  return a.slice(0, m)
}

/**
 * Rows `rows` of `batch` as a new batch, their data versions rewritten with `salt` (consumed deps
 * unchanged: they keep the versions the state had).
 */
export function subBatch(batch: RecordBatch, rows: readonly number[], salt: number): RecordBatch {
  const m = rows.length
  let e = 0
  for (const r of rows) e += (batch.depOffsets[r + 1] ?? 0) - (batch.depOffsets[r] ?? 0)
  const out: RecordBatch = {
    ids: new Uint32Array(m),
    codeVersions: new Uint8Array(16 * m),
    configHashes: new Uint8Array(16 * m),
    dataVersions: new Uint8Array(16 * m),
    depOffsets: new Uint32Array(m + 1),
    deps: new Uint32Array(e),
    depVersions: new Uint8Array(16 * e),
  }
  let x = 0
  rows.forEach((r, i) => {
    const id = batch.ids[r] ?? 0
    out.ids[i] = id
    out.codeVersions.set(batch.codeVersions.subarray(16 * r, 16 * r + 16), 16 * i)
    out.configHashes.set(batch.configHashes.subarray(16 * r, 16 * r + 16), 16 * i)
    writeVersion(out.dataVersions, i, id, salt)
    const lo = batch.depOffsets[r] ?? 0
    const hi = batch.depOffsets[r + 1] ?? 0
    out.deps.set(batch.deps.subarray(lo, hi), x)
    out.depVersions.set(batch.depVersions.subarray(16 * lo, 16 * hi), 16 * x)
    x += hi - lo
    out.depOffsets[i + 1] = x
  })
  return out
}

/**
 * Generates `shape` at `n` assets in `order` and prepares its states.
 * @example const w = prepare('dbt', 100_000, 'shuffled')
 */
export function prepare(shape: Shape, n: number, order: IdOrder, seed = 1): Workload {
  const generated = generate(shape, n, { seed, order })
  const g: CsrGraph = { ...generated, keys: flatKeys(generated.keys) }
  const mat = materialized(g)
  const { childOffsets, children } = reverse(g.n, g.depOffsets, g.deps)
  const rng = new Rng(seed * 7919 + 17)
  const sources = mat.observedIds
  const nonSources = mat.batch.ids
  const parents = Array.from(nonSources).filter((v) => (childOffsets[v + 1] ?? 0) > (childOffsets[v] ?? 0))
  // 1% of sources (at least one) observed at a new version: the cold and warm state.
  const changedSourceRows = sample(
    sources.map((_, i) => i),
    Math.max(1, Math.round(sources.length / 100)),
    rng,
  )
  const observedChanged = mat.observed.slice()
  for (const s of changedSourceRows) writeVersion(observedChanged, s, sources[s] ?? 0, CHANGED)
  const changedSources = {
    ids: Uint32Array.from(changedSourceRows, (s) => sources[s] ?? 0),
    changed: new Uint8Array(16 * changedSourceRows.length),
    original: new Uint8Array(16 * changedSourceRows.length),
  }
  changedSourceRows.forEach((s, i) => {
    changedSources.changed.set(observedChanged.subarray(16 * s, 16 * s + 16), 16 * i)
    changedSources.original.set(mat.observed.subarray(16 * s, 16 * s + 16), 16 * i)
  })
  // 1% of the non-source assets (at least one) re-materialized with new data versions.
  const rows = sample(
    nonSources.map((_, i) => i),
    Math.max(1, Math.round(nonSources.length / 100)),
    rng,
  ).sort((a, b) => a - b)
  const onePct = { change: subBatch(mat.batch, rows, CHANGED), undo: subBatch(mat.batch, rows, 0) }
  let idiom: IdiomaticInputs | undefined
  const w: Workload = {
    shape,
    order,
    g,
    generatedKeys: generated.keys,
    stats: graphStats(g),
    mat,
    childOffsets,
    children,
    sampleSources: sample(sources, 64, rng),
    sampleAssets: sample(nonSources, 64, rng),
    sampleParents: sample(parents, 64, rng),
    observedChanged,
    changedSources,
    onePct,
    idiomatic: () => (idiom ??= idiomaticInputs(w, changedSourceRows, rows)),
  }
  return w
}

function idiomaticInputs(w: Workload, changedSourceRows: readonly number[], rows: readonly number[]): IdiomaticInputs {
  const { g, mat } = w
  const { records, observed } = materializedIdiomatic(g)
  const observedChanged = new Map(observed)
  const changedSources: IdiomaticInputs['changedSources'] = { changed: [], original: [] }
  for (const s of changedSourceRows) {
    const v = mat.observedIds[s] ?? 0
    const key = g.keys[v] ?? ''
    observedChanged.set(key, versionHex(v, CHANGED))
    changedSources.changed.push([key, versionHex(v, CHANGED)])
    changedSources.original.push([key, versionHex(v, 0)])
  }
  const pairs = (salt: number): [string, IdiomaticRecord][] =>
    rows.map((r) => {
      const v = mat.batch.ids[r] ?? 0
      const key = g.keys[v] ?? ''
      const rec = records.get(key)
      if (!rec) throw new Error(`no idiomatic record for ${key}`)
      return [key, { ...rec, dataVersion: versionHex(v, salt) }]
    })
  return {
    assets: toAssetList(g),
    records,
    observed,
    observedChanged,
    changedSources,
    onePct: { change: pairs(CHANGED), undo: pairs(0) },
  }
}
