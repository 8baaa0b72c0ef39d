/**
 * The planner: the only module that talks to the native graph. It hands the project to the Rust
 * core once (key table, CSR dependency arrays, labels, code versions), then answers in typed
 * results with branded ids. Everything crosses as typed arrays; ids are mapped to keys here.
 */
import type { CauseRows, NativeGraph, RecordsByKey, RecordsInit, RootCauseRows } from '@rivers-orchestrator/native'

import type { Project } from '../definitions/index.js'
import { fromNative, unknownDependency } from './errors.js'
import { nativeModule, putHex } from '../native.js'

/** The native `loadRecords` / `applyRecords` argument (the binding's generated type). */
export type RecordsArrays = RecordsInit

declare const assetIdBrand: unique symbol

/**
 * An asset's id: its position in `project.assets` (sorted by key), which is the core's external id.
 * Topological positions stay inside the core; only these ids cross.
 *
 * @example
 * const id = state.idOf('model') // AssetId | undefined
 */
export type AssetId = number & { readonly [assetIdBrand]: true }

/** Status of an asset. */
export type StatusName = 'missing' | 'stale' | 'fresh'

/**
 * Statuses, causes, root causes of some assets, and the plan of the same selection, as the core
 * returns them: row `r` is `ids[r]`; its causes are `causes.offsets[r] .. causes.offsets[r + 1]` of
 * the cause columns (a dep of `noDep`: the cause is about no dep), its root causes likewise.
 */
export interface StatusRows {
  /** Ids, in the order asked. */
  ids: readonly AssetId[]
  /** Status of each row. */
  statuses: StatusName[]
  causes: CauseRows
  roots: RootCauseRows
  /** The `deps` entry of a cause about no dep (code and config causes). */
  noDep: number
  /** 1 at the id of each planned asset. */
  planned: Uint8Array
}

/** A plan in layers, and the planned assets whose unselected input was never built. */
export interface PlanLayers {
  layers: AssetId[][]
  /** `[asset, input]` pairs. */
  missingInputs: [AssetId, AssetId][]
}

function call<T>(f: () => T): T {
  try {
    return f()
  } catch (e) {
    throw fromNative(e)
  }
}

const ids = (a: Uint32Array): AssetId[] => Array.from(a) as AssetId[]

/** 16 bytes per asset from hex strings ('' or a missing one: zeros), decoded in one go when all are whole. */
function hashBytes(hex: readonly string[], n: number): Uint8Array {
  const joined = hex.length === n ? hex.join('') : ''
  // Hex decoding stops at the first character that is not hex: all whole iff all 16n bytes came out.
  const bytes = joined.length === 32 * n ? Buffer.from(joined, 'hex') : undefined
  if (bytes !== undefined && bytes.length === 16 * n) return bytes
  const out = new Uint8Array(16 * n)
  for (let i = 0; i < n; i++) putHex(out, i, hex[i] ?? '')
  return out
}

/**
 * The core's state for one project: graph, current versions, records, maintained plan.
 *
 * @example
 * const planner = Planner.build(project, codeVersions(project))
 * const { layers } = planner.plan(null, false)
 */
export class Planner {
  readonly #graph: NativeGraph
  readonly #statusName: Record<number, StatusName>
  readonly #noDep: number

  private constructor(graph: NativeGraph) {
    this.#graph = graph
    const { Status, NO_DEP } = nativeModule()
    this.#statusName = { [Status.Missing]: 'missing', [Status.Stale]: 'stale', [Status.Fresh]: 'fresh' }
    this.#noDep = NO_DEP
  }

  /**
   * Builds the native graph of a project. Cost: one pass over the assets to make the arrays, then
   * one native call (the core validates: cycles, duplicate keys, invalid keys). `index` (key to id)
   * saves building it again when the caller has it; `configHashes` (16 bytes per asset) are set in
   * the same call.
   *
   * @example
   * const planner = Planner.build(project, codeVersions(project))
   */
  static build(
    project: Project,
    code: readonly string[],
    index?: ReadonlyMap<string, number>,
    configHashes?: Uint8Array,
  ): Planner {
    const assets = project.assets
    const n = assets.length
    const ids = index ?? new Map(assets.map((a, i) => [a.key, i]))
    // Exact sizes first: typed arrays filled in place, no growing arrays copied at the end.
    let depCount = 0
    let labelCount = 0
    for (let i = 0; i < n; i++) {
      depCount += assets[i]!.deps.length
      labelCount += assets[i]!.labels.length
    }
    const depOffsets = new Uint32Array(n + 1)
    const depIds = new Uint32Array(depCount)
    let d = 0
    const sources = new Uint8Array(n)
    const labelIndex = new Map<string, number>()
    const labelOffsets = new Uint32Array(n + 1)
    const labelIds = new Uint32Array(labelCount)
    let l = 0
    const keys = new Array<string>(n)
    // seenBy[d] === i + 1: asset i already lists dep d (a dep named twice crosses once).
    const seenBy = new Uint32Array(n)
    for (let i = 0; i < n; i++) {
      const a = assets[i]!
      keys[i] = a.key
      const deps = a.deps
      for (let j = 0; j < deps.length; j++) {
        const key = deps[j]!.key
        const id = ids.get(key)
        if (id === undefined) throw unknownDependency(a.key, key)
        if (seenBy[id] === i + 1) continue
        seenBy[id] = i + 1
        depIds[d++] = id
      }
      depOffsets[i + 1] = d
      sources[i] = a.isSource ? 1 : 0
      const labels = a.labels
      for (let j = 0; j < labels.length; j++) {
        const label = labels[j]!
        let li = labelIndex.get(label)
        if (li === undefined) {
          li = labelIndex.size
          labelIndex.set(label, li)
        }
        labelIds[l++] = li
      }
      labelOffsets[i + 1] = l
    }
    return new Planner(
      call(() =>
        nativeModule().NativeGraph.build({
          keys: keys.join('\n'),
          depOffsets,
          deps: d === depCount ? depIds : depIds.subarray(0, d),
          sources,
          labels: [...labelIndex.keys()].join('\n'),
          labelOffsets,
          labelIds,
          codeVersions: hashBytes(code, n),
          ...(configHashes === undefined ? {} : { configHashes }),
        }),
      ),
    )
  }

  /** Number of assets. */
  get size(): number {
    return this.#graph.size
  }

  /**
   * Key of an id, or of `size + j` for the j-th recorded dep that is no longer an asset.
   *
   * @example
   * planner.keyOf(cause.dep!) // 'raw'
   */
  keyOf(id: number): string {
    return this.#graph.keyOf(id) ?? `#${id}`
  }

  /**
   * Sets current config hashes: `hashes` holds 16 bytes per id of `which`.
   *
   * @example
   * planner.setConfigHashes(Uint32Array.of(id), hashBytes)
   */
  setConfigHashes(which: Uint32Array, hashes: Uint8Array): void {
    call(() => this.#graph.setConfigHashes(which, hashes))
  }

  /**
   * Replaces every record (records mapped to ids; the store's latest records load by key, see
   * `loadRecordsByKey`).
   *
   * @example
   * planner.loadRecords(singleRecord(id, code, config, data, [[depId, depVersion]]))
   */
  loadRecords(arrays: RecordsArrays): void {
    call(() => this.#graph.loadRecords(arrays))
  }

  /**
   * Replaces every record with the store's latest records given by key (the core maps keys to ids;
   * records of keys that are not assets are dropped). Returns the id of each record's asset, or
   * `NO_DEP` for a dropped record.
   *
   * @example
   * const rowIds = planner.loadRecordsByKey(packed)
   */
  loadRecordsByKey(records: RecordsByKey): Uint32Array {
    return call(() => this.#graph.loadRecordsByKey(records))
  }

  /** The id `loadRecordsByKey` gives a dropped record. */
  get noId(): number {
    return this.#noDep
  }

  /**
   * Applies records just written (early cutoff for their children).
   *
   * @example
   * planner.applyRecords(singleRecord(id, code, config, data, inputs))
   */
  applyRecords(arrays: RecordsArrays): void {
    call(() => this.#graph.applyRecords(arrays))
  }

  /**
   * Sets observed data versions of sources (16 bytes each).
   *
   * @example
   * planner.setObserved([id], versionBytes)
   */
  setObserved(which: readonly AssetId[], versions: Uint8Array): void {
    call(() => this.#graph.setObserved(Uint32Array.from(which), versions))
  }

  /**
   * Ids selected by the union of `exprs`, ascending.
   *
   * @example
   * planner.select(['+model']) // [0, 3, 7]
   */
  select(exprs: readonly string[]): AssetId[] {
    return ids(call(() => this.#graph.select([...exprs])))
  }

  /**
   * The plan of a selection (`null`: every asset, read from the maintained plan when not forced).
   *
   * @example
   * const { layers, missingInputs } = planner.plan(null, false)
   */
  plan(selection: readonly AssetId[] | null, force: boolean): PlanLayers {
    const p = call(() => this.#graph.plan(selection === null ? null : Uint32Array.from(selection), force))
    const layers: AssetId[][] = []
    for (let l = 0; l + 1 < p.layerOffsets.length; l++)
      layers.push(ids(p.ids.subarray(p.layerOffsets[l]!, p.layerOffsets[l + 1]!)))
    const missingInputs: [AssetId, AssetId][] = []
    for (let i = 0; i + 1 < p.missingInputs.length; i += 2)
      missingInputs.push([p.missingInputs[i]! as AssetId, p.missingInputs[i + 1]! as AssetId])
    return { layers, missingInputs }
  }

  /**
   * Whether an asset must run now (missing or stale): the re-verification just before it runs.
   *
   * @example
   * const skipped = !planner.needsRun(id) // its inputs came out unchanged: early cutoff
   */
  needsRun(id: AssetId): boolean {
    return call(() => this.#graph.needsRun(id))
  }

  /**
   * Statuses and causes of some assets (no plan, no root causes): O(assets asked and their deps).
   *
   * @example
   * const { statuses, causes } = planner.statusesOf([id])
   */
  statusesOf(which: readonly AssetId[]): Pick<StatusRows, 'ids' | 'statuses' | 'causes' | 'noDep'> {
    const ids32 = Uint32Array.from(which)
    const codes = call(() => this.#graph.statuses(ids32))
    const causes = call(() => this.#graph.causes(ids32))
    const statuses = new Array<StatusName>(which.length)
    for (let row = 0; row < which.length; row++) statuses[row] = this.#statusName[codes[row]!]!
    return { ids: which, statuses, causes, noDep: this.#noDep }
  }

  /**
   * Statuses, causes and root causes of `which`, and the plan of the same selection (of every
   * asset when `wholeGraph`), from one native call.
   *
   * @example
   * const { statuses, planned } = planner.statusReport(selected, true)
   */
  statusReport(which: readonly AssetId[], wholeGraph: boolean): StatusRows {
    const r = call(() => this.#graph.statusReport(Uint32Array.from(which), wholeGraph))
    const statuses = new Array<StatusName>(which.length)
    for (let row = 0; row < which.length; row++) statuses[row] = this.#statusName[r.statuses[row]!]!
    const planned = new Uint8Array(this.size)
    for (const id of r.planned) planned[id] = 1
    return { ids: which, statuses, causes: r.causes, roots: r.rootCauses, noDep: this.#noDep, planned }
  }
}
