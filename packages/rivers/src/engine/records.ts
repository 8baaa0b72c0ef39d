/**
 * The store's latest records, loaded into the core in one call by key, plus what the engine reads
 * of them per asset (last run, data version) for status output and input loading.
 */
import { packLatest } from '../store/latest-packed.js'
import type { LatestRecords, PackedLatestRecords, RecordKind } from '../store/types.js'
import type { Planner, RecordsArrays } from './planner.js'

/** What the engine remembers of an asset's latest record. */
export interface LastRecord {
  runId: string
  at: string
  dataVersion: string
  kind: 'materialization' | 'observation'
}

/**
 * The store's latest records as loaded into the core: which record row each asset has, and the
 * packed columns the rows point into. Nothing is made per asset until it is asked for (status
 * output asks for each asset's last run; most commands ask for a few).
 *
 * @example
 * const loaded = LoadedRecords.load(planner, await store.latestRecordsPacked(), project.assets.length)
 * loaded.last(id) // { runId, at, dataVersion, kind } | undefined
 */
export class LoadedRecords {
  /** Record row of each asset id, -1 when it has none. */
  readonly #rowOf: Int32Array
  readonly #packed: PackedLatestRecords
  #columns: { runIds: string[]; finishedAt: string[]; data: string } | undefined
  #kinds: string[] | undefined
  #finishedMs: Float64Array | undefined
  #inputs: { starts: Uint32Array; keys: string[]; versions: string } | undefined

  private constructor(rowOf: Int32Array, packed: PackedLatestRecords) {
    this.#rowOf = rowOf
    this.#packed = packed
  }

  /**
   * Loads packed records into the core (it maps keys to ids; records of keys that are no longer
   * assets are dropped, recorded inputs that are no longer assets become `dep_removed` causes).
   *
   * @example
   * const loaded = LoadedRecords.load(planner, packed, n)
   */
  static load(planner: Planner, packed: PackedLatestRecords, n: number): LoadedRecords {
    const rowIds = planner.loadRecordsByKey({
      keys: packed.keys,
      codeVersions: packed.codeVersions,
      configHashes: packed.configHashes,
      dataVersions: packed.dataVersions,
      inputCounts: packed.inputCounts,
      inputKeys: packed.inputKeys,
      inputVersions: packed.inputVersions,
    })
    const rowOf = new Int32Array(n).fill(-1)
    const none = planner.noId
    for (let r = 0; r < rowIds.length; r++) {
      const id = rowIds[r]!
      if (id !== none) rowOf[id] = r
    }
    return new LoadedRecords(rowOf, packed)
  }

  /** No record at all (before the first load). */
  static empty(n: number): LoadedRecords {
    return new LoadedRecords(new Int32Array(n).fill(-1), packLatest(emptyLatest()))
  }

  #cols(): { runIds: string[]; finishedAt: string[]; data: string } {
    const p = this.#packed
    this.#columns ??= { runIds: lines(p.runIds), finishedAt: lines(p.finishedAt), data: p.dataVersions.toString('hex') }
    return this.#columns
  }

  /** Whether the asset has a loaded record. */
  hasRecord(id: number): boolean {
    return (this.#rowOf[id] ?? -1) >= 0
  }

  /** Data version (hex) of the asset's loaded record; '' when it has none. */
  dataVersion(id: number): string {
    const r = this.#rowOf[id] ?? -1
    return r < 0 ? '' : this.#cols().data.slice(32 * r, 32 * r + 32)
  }

  /** When the asset's loaded record finished (epoch ms), if it has one; parsed once per row. */
  finishedAtMs(id: number): number | undefined {
    const r = this.#rowOf[id] ?? -1
    if (r < 0) return undefined
    this.#finishedMs ??= new Float64Array(this.#packed.count).fill(Number.NaN)
    let ms = this.#finishedMs[r]!
    if (Number.isNaN(ms)) this.#finishedMs[r] = ms = Date.parse(this.#cols().finishedAt[r]!)
    return ms
  }

  /** The run, time and data version of the asset's loaded record, if it has one. */
  lastRun(id: number): { runId: string; at: string; dataVersion: string } | undefined {
    const r = this.#rowOf[id] ?? -1
    if (r < 0) return undefined
    const c = this.#cols()
    return { runId: c.runIds[r]!, at: c.finishedAt[r]!, dataVersion: c.data.slice(32 * r, 32 * r + 32) }
  }

  /**
   * The inputs the asset's loaded record consumed: dep key -> data version (hex); undefined when it
   * has no record. The columns are split once, on the first call.
   *
   * @example
   * loaded.inputs(id)?.get('features') // '3f9a…'
   */
  inputs(id: number): Map<string, string> | undefined {
    const r = this.#rowOf[id] ?? -1
    if (r < 0) return undefined
    const p = this.#packed
    if (this.#inputs === undefined) {
      const starts = new Uint32Array(p.count + 1)
      for (let i = 0; i < p.count; i++) starts[i + 1] = starts[i]! + p.inputCounts[i]!
      this.#inputs = { starts, keys: lines(p.inputKeys), versions: p.inputVersions.toString('hex') }
    }
    const { starts, keys, versions } = this.#inputs
    const out = new Map<string, string>()
    for (let j = starts[r]!; j < starts[r + 1]!; j++) out.set(keys[j]!, versions.slice(32 * j, 32 * j + 32))
    return out
  }

  /** The asset's loaded record, if it has one. */
  last(id: number): LastRecord | undefined {
    const run = this.lastRun(id)
    if (run === undefined) return undefined
    this.#kinds ??= lines(this.#packed.kinds)
    return { ...run, kind: this.#kinds[this.#rowOf[id]!] as RecordKind }
  }
}

const lines = (text: string): string[] => (text === '' ? [] : text.split('\n'))

function emptyLatest(): LatestRecords {
  const none = Buffer.alloc(0)
  return {
    keys: [],
    codeVersions: none,
    configHashes: none,
    dataVersions: none,
    depOffsets: Uint32Array.of(0),
    depKeys: [],
    depVersions: none,
    runIds: [],
    finishedAt: [],
    kinds: [],
  }
}

/**
 * One record as the native `applyRecords` argument.
 *
 * @example
 * graph.applyRecords(singleRecord(id, code, config, data, [[depId, depVersion]]))
 */
export function singleRecord(
  id: number,
  codeVersion: string,
  configHash: string,
  dataVersion: string,
  inputs: readonly (readonly [number, string])[],
): RecordsArrays {
  const depVersions = new Uint8Array(16 * inputs.length)
  inputs.forEach(([, v], i) => depVersions.set(Buffer.from(v, 'hex'), 16 * i))
  return {
    ids: Uint32Array.of(id),
    codeVersions: Buffer.from(codeVersion, 'hex'),
    configHashes: Buffer.from(configHash, 'hex'),
    dataVersions: Buffer.from(dataVersion, 'hex'),
    depOffsets: Uint32Array.of(0, inputs.length),
    deps: Uint32Array.from(inputs.map(([d]) => d)),
    depVersions,
  }
}

/** One changed latest record, as the engine keeps it per asset (see {@link changedRecords}). */
export interface ChangedRecord {
  id: number
  last: LastRecord
  /** The inputs it consumed: dep key -> data version (hex). */
  inputs: Map<string, string>
}

/**
 * Latest records read since a cursor (a few, packed), mapped to ids: the native `applyRecords`
 * argument and what the engine keeps per asset. Records of keys that are no longer assets are
 * dropped; consumed deps that are no longer assets become extern keys (`dep_removed`).
 *
 * @example
 * const { arrays, rows } = changedRecords(packed, (key) => state.idOf(key), state.size)
 */
export function changedRecords(
  packed: PackedLatestRecords,
  idOf: (key: string) => number | undefined,
  size: number,
): { arrays: RecordsArrays; rows: ChangedRecord[] } {
  // Hashes are copied and hex-encoded in JS into buffers sized up front: a Buffer view, `copy` or
  // `toString` range per 16-byte hash (a call into C++ each) cost more than the rest together.
  const keys = lines(packed.keys)
  const inputKeys = lines(packed.inputKeys)
  const runIds = lines(packed.runIds)
  const finishedAt = lines(packed.finishedAt)
  const kinds = lines(packed.kinds)
  const m = packed.count
  const totalInputs = inputKeys.length
  const extern = new Map<string, number>()
  const ids = new Uint32Array(m)
  const codeVersions = Buffer.allocUnsafe(16 * m)
  const configHashes = Buffer.allocUnsafe(16 * m)
  const dataVersions = Buffer.allocUnsafe(16 * m)
  const depOffsets = new Uint32Array(m + 1)
  const deps = new Uint32Array(totalInputs)
  const depVersions = Buffer.allocUnsafe(16 * totalInputs)
  const rows: ChangedRecord[] = []
  let kept = 0
  let k = 0
  let j = 0
  for (let r = 0; r < m; r++) {
    const n = packed.inputCounts[r]!
    const id = idOf(keys[r]!)
    if (id === undefined) {
      j += n
      continue
    }
    const inputs = new Map<string, string>()
    for (let e = 0; e < n; e++, j++) {
      const dep = inputKeys[j]!
      let depId = idOf(dep)
      if (depId === undefined) {
        depId = extern.get(dep)
        if (depId === undefined) extern.set(dep, (depId = size + extern.size))
      }
      deps[k] = depId
      copy16(packed.inputVersions, 16 * j, depVersions, 16 * k)
      k++
      inputs.set(dep, hex16(packed.inputVersions, 16 * j))
    }
    ids[kept] = id
    copy16(packed.codeVersions, 16 * r, codeVersions, 16 * kept)
    copy16(packed.configHashes, 16 * r, configHashes, 16 * kept)
    copy16(packed.dataVersions, 16 * r, dataVersions, 16 * kept)
    kept++
    depOffsets[kept] = k
    rows.push({
      id,
      inputs,
      last: {
        runId: runIds[r]!,
        at: finishedAt[r]!,
        dataVersion: hex16(packed.dataVersions, 16 * r),
        kind: kinds[r] as RecordKind,
      },
    })
  }
  const arrays: RecordsArrays = {
    ids: ids.subarray(0, kept),
    codeVersions: codeVersions.subarray(0, 16 * kept),
    configHashes: configHashes.subarray(0, 16 * kept),
    dataVersions: dataVersions.subarray(0, 16 * kept),
    depOffsets: depOffsets.subarray(0, kept + 1),
    deps: deps.subarray(0, k),
    depVersions: depVersions.subarray(0, 16 * k),
    ...(extern.size === 0 ? {} : { externKeys: [...extern.keys()].join('\n') }),
  }
  return { arrays, rows }
}

function copy16(src: Uint8Array, from: number, dst: Uint8Array, to: number): void {
  for (let b = 0; b < 16; b++) dst[to + b] = src[from + b]!
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function hex16(src: Uint8Array, from: number): string {
  let out = ''
  for (let b = 0; b < 16; b++) out += HEX[src[from + b]!]
  return out
}
