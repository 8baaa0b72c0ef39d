/**
 * The per-partition view of a project with partitioned assets: one `NativePartitionedPlanner` over
 * every asset (an unpartitioned asset is a space of one partition), loaded with the store's latest
 * records of every (asset, partition). It answers statuses, summaries and plans per partition, and
 * gives each partitioned asset a roll-up version: the fingerprint of all its partitions' data, which
 * is what an unpartitioned reader of every partition records as consumed and what the
 * asset-level planner sees as the asset's data version (see docs/partitions.md, "How staleness is
 * tracked").
 *
 * Versions cross as hex: a data version is 16 bytes; a fingerprint of partitioned data (a roll-up,
 * or what a partition consumed of a partitioned input) is 8 bytes, written as 16 with a marker so it
 * never equals a data version.
 */
import type { MappingInit, NativePartitionedPlanner, PartitionRecordsInit } from '@rivers-orchestrator/native'

import type { Project, ResolvedAsset } from '../definitions/index.js'
import type { DynamicPartitions } from '../partitions/dynamic.js'
import type { PartitionDefinition } from '../partitions/types.js'
import type { Store } from '../store/store.js'
import { type CoreMapping, upstreamOf } from '../partitions/core-mapping.js'
import { resolveMapping } from '../partitions/resolve.js'
import type { PackedLatestRecords, PackedPartitionRecords } from '../store/types.js'
import { nativeModule } from '../native.js'
import type { AssetId } from './planner.js'

/** A version no record holds. */
const ZERO = '0'.repeat(32)

/** Marker of a fingerprint written as a 16-byte version: bytes 8..16 spell `partset1`. */
const MARKER = Buffer.from('partset1', 'latin1').toString('hex')

/**
 * A fingerprint of partitioned data as a 16-byte version (hex): 8 bytes little-endian, then the marker.
 *
 * @example
 * fingerprintVersion(1n) // '0100000000000000' + '7061727473657431'
 */
export function fingerprintVersion(fp: bigint): string {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(BigInt.asUintN(64, fp))
  return b.toString('hex') + MARKER
}

/** The fingerprint a 16-byte version holds, or undefined when it is a data version. */
function fingerprintOf(bytes: Uint8Array, at: number): bigint | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset + at, 16)
  if (b.toString('hex', 8, 16) !== MARKER) return undefined
  return b.readBigUInt64LE(0)
}

/** Status counts of one asset's partitions. */
export interface PartitionCounts {
  total: number
  fresh: number
  stale: number
  missing: number
}

/** A planned partitioned run: layers of assets and, per asset, the partitions to build. */
export interface PartitionPlan {
  layers: AssetId[][]
  /** The partitions (wire format `start, end` pairs) of every planned asset. */
  sets: Map<AssetId, Float64Array>
  /** `[asset, input]` pairs: a planned asset reads partitions of an unselected input that were never built. */
  missingInputs: [AssetId, AssetId][]
}

/** A record to apply: an asset's partition (0 for an unpartitioned asset) and its versions (hex). */
export interface PartitionRecord {
  id: AssetId
  partition: number
  code: string
  config: string
  data: string
  /** Consumed versions (hex) by dep id: data versions, or fingerprints written by `fingerprintVersion`. */
  inputs: readonly (readonly [AssetId, string])[]
}

const toInit = (m: CoreMapping): MappingInit => {
  switch (m.kind) {
    case 'window':
      return { kind: 'window', from: m.from, to: m.to }
    case 'coarsen':
    case 'refine':
      return { kind: m.kind, boundaries: Float64Array.from(m.boundaries) }
    case 'product':
      return {
        kind: 'product',
        dims: m.dims.map((d) => ({ mapping: toInit(d.mapping), downSize: d.downSize, upSize: d.upSize })),
      }
    case 'explicit':
      return { kind: 'explicit', upstream: m.upstream.map((s) => Float64Array.from(s)) }
    default:
      return { kind: m.kind }
  }
}

/** As a window `[p + from, p + to]`, when the mapping is one (identity is the window `[p, p]`). */
function asWindow(m: CoreMapping): { from: number; to: number } | undefined {
  if (m.kind === 'identity') return { from: 0, to: 0 }
  return m.kind === 'window' ? { from: m.from, to: m.to } : undefined
}

/**
 * One mapping that reads the union of what `list` reads: the mapping itself when they are equal,
 * `all` when one is, one window when windows overlap or touch, else an explicit table (per
 * downstream partition, the union of the ranges each reads).
 */
function unionMapping(list: readonly CoreMapping[], downSize: number, upSize: number): CoreMapping {
  const first = list[0]!
  const same = JSON.stringify(first)
  if (list.every((m) => JSON.stringify(m) === same)) return first
  if (list.some((m) => m.kind === 'all')) return { kind: 'all' }
  const windows = list.map(asWindow)
  if (windows.every((w) => w !== undefined)) {
    const sorted = [...windows].sort((x, y) => x!.from - y!.from)
    let merged = { ...sorted[0]! }
    let contiguous = true
    for (const w of sorted.slice(1)) {
      if (w!.from > merged.to + 1) contiguous = false
      merged = { from: merged.from, to: Math.max(merged.to, w!.to) }
    }
    if (contiguous) return { kind: 'window', ...merged }
  }
  const upstream: number[][] = []
  for (let p = 0; p < downSize; p++) {
    const flat = list.flatMap((m) => upstreamOf(m, p, upSize).flatMap((r) => [r.start, r.end]))
    upstream.push(Array.from(nativeModule().partitionSetNormalize(Float64Array.from(flat))))
  }
  return { kind: 'explicit', upstream }
}

/**
 * Per-partition staleness of a project.
 *
 * @example
 * const parts = PartitionState.build(project, ids, code, configBytes) // undefined without partitioned assets
 * parts?.summary(id) // { total: 365, fresh: 300, stale: 5, missing: 60 }
 */
export class PartitionState {
  readonly #project: Project
  readonly #ids: ReadonlyMap<string, AssetId>
  readonly #native: NativePartitionedPlanner
  readonly #defs: (PartitionDefinition | undefined)[]
  readonly #sizes: number[]
  /** Per asset, the core mapping of each dep (in `deps` order). */
  readonly #mappings: MappingInit[][]
  readonly #now: Date
  /** Latest records of partitions whose key is no longer in the definition, per asset key. */
  #orphans = new Map<string, number>()

  private constructor(
    project: Project,
    ids: ReadonlyMap<string, AssetId>,
    defs: (PartitionDefinition | undefined)[],
    now: Date,
  ) {
    this.#project = project
    this.#ids = ids
    this.#defs = defs
    this.#now = now
    this.#sizes = defs.map((d) => (d === undefined ? 1 : d.size(now)))
    const n = project.assets.length
    const depOffsets = new Uint32Array(n + 1)
    const deps: number[] = []
    const mappings: MappingInit[] = []
    this.#mappings = []
    const validIds: number[] = []
    const validSets: Float64Array[] = []
    const sources = new Uint8Array(n)
    project.assets.forEach((a, i) => {
      const own: MappingInit[] = []
      // Two inputs may read one upstream asset (a window and the day itself): the core's one edge
      // to it reads the union of what they read.
      const byUp = new Map<number, CoreMapping[]>()
      for (const d of a.deps) {
        const up = ids.get(d.key)!
        const m = resolveMapping({
          down: defs[i],
          up: defs[up],
          ...(d.mapping === undefined ? {} : { mapping: d.mapping }),
          downKey: a.key,
          upKey: d.key,
          now,
        }).mapping
        own.push(toInit(m))
        const list = byUp.get(up)
        if (list === undefined) byUp.set(up, [m])
        else list.push(m)
      }
      for (const [up, list] of byUp) {
        deps.push(up)
        mappings.push(toInit(unionMapping(list, this.#sizes[i]!, this.#sizes[up]!)))
      }
      this.#mappings.push(own)
      depOffsets[i + 1] = deps.length
      if (a.isSource) sources[i] = 1
      const def = defs[i]
      if (def?.kind === 'dynamic') {
        validIds.push(i)
        validSets.push(Float64Array.from(def.validRanges(0, this.#sizes[i]!, now).flatMap((r) => [r.start, r.end])))
      }
    })
    this.#native = nativeModule().NativePartitionedPlanner.build({
      keys: project.assets.map((a) => a.key).join('\n'),
      depOffsets,
      deps: Uint32Array.from(deps),
      mappings,
      sizes: Float64Array.from(this.#sizes),
      sources,
      ...(validIds.length > 0 ? { validIds: Uint32Array.from(validIds), validSets } : {}),
    })
  }

  /**
   * The partition state of a project, or undefined when no asset is partitioned. `defs` overrides
   * the declared definitions (dynamic sets with their stored keys).
   *
   * @example
   * const parts = PartitionState.build(project, ids, new Map())
   */
  static build(
    project: Project,
    ids: ReadonlyMap<string, AssetId>,
    defs: ReadonlyMap<string, PartitionDefinition>,
    now: Date = new Date(),
  ): PartitionState | undefined {
    if (!project.assets.some((a) => a.partitions !== undefined)) return undefined
    return new PartitionState(
      project,
      ids,
      project.assets.map((a) => defs.get(a.key) ?? a.partitions),
      now,
    )
  }

  /**
   * The partition state of a project against its store (dynamic sets with their stored keys), with
   * the current code versions and config hashes; undefined when no asset is partitioned.
   *
   * @example
   * const parts = await PartitionState.open(project, ids, store, code, config.hashBytes())
   */
  static async open(
    project: Project,
    ids: ReadonlyMap<string, AssetId>,
    store: Pick<Store, 'dynamicPartitionSlots'>,
    code: readonly string[],
    configHashes: Uint8Array,
  ): Promise<PartitionState | undefined> {
    if (!project.assets.some((a) => a.partitions !== undefined)) return undefined
    const defs = new Map<string, PartitionDefinition>()
    for (const a of project.assets) {
      if (a.partitions?.kind !== 'dynamic') continue
      const def = a.partitions as DynamicPartitions
      const slots = (await store.dynamicPartitionSlots?.(def.name)) ?? []
      defs.set(a.key, def.withKeys(slots))
    }
    const parts = PartitionState.build(project, ids, defs)!
    const all = Uint32Array.from(project.assets, (_, i) => i)
    parts.setCodeVersions(all, Buffer.from(code.join(''), 'hex'))
    parts.setConfigHashes(all, configHashes)
    return parts
  }

  /**
   * Whether the partition spaces moved since this state was built: a time window completed (the
   * set grows with `now`), or a dynamic set's keys changed in the store (by command, or another
   * process). The state is then rebuilt; a daemon sees new partitions without a restart.
   *
   * @example
   * const rebuild = await parts.moved(store) // then PartitionState.open(...) again
   */
  async moved(store: Pick<Store, 'dynamicPartitionSlots'>, now: Date = new Date()): Promise<boolean> {
    for (const [i, def] of this.#defs.entries()) {
      if (def === undefined) continue
      if (def.kind !== 'dynamic') {
        if (def.size(now) !== this.#sizes[i]) return true
        continue
      }
      const dyn = def as DynamicPartitions
      const slots = (await store.dynamicPartitionSlots?.(dyn.name)) ?? []
      if (slots.length !== dyn.slots.length || slots.some((k, j) => k !== dyn.slots[j])) return true
    }
    return false
  }

  /** The time the spaces were sized at (time windows count the partitions complete by then). */
  get now(): Date {
    return this.#now
  }

  /** The definition of a partitioned asset (dynamic sets with their stored keys). */
  definition(id: AssetId): PartitionDefinition | undefined {
    return this.#defs[id]
  }

  /** Size of an asset's index space (1 when unpartitioned). */
  size(id: AssetId): number {
    return this.#sizes[id]!
  }

  /** Latest records whose partition key is no longer in the asset's definition, per key. */
  get orphans(): ReadonlyMap<string, number> {
    return this.#orphans
  }

  /** Sets current code versions (16 bytes per id). */
  setCodeVersions(ids: Uint32Array, bytes: Uint8Array): void {
    this.#native.setCodeVersions(ids, bytes)
  }

  /** Sets current config hashes (16 bytes per id). */
  setConfigHashes(ids: Uint32Array, bytes: Uint8Array): void {
    this.#native.setConfigHashes(ids, bytes)
  }

  /**
   * Replaces every record: the unpartitioned latest records, and the partitioned ones.
   *
   * @example
   * parts.load(await store.latestRecordsPacked(), await store.latestPartitionRecords(keys))
   */
  load(plain: PackedLatestRecords, partitioned: PackedPartitionRecords | undefined): void {
    this.#orphans = new Map()
    this.#native.loadRecords(this.#batchOf(plain, partitioned, true))
  }

  /**
   * Applies records read since the last load or refresh (`Store.latestRecordsSince`): the
   * unpartitioned ones of unpartitioned assets, and the partitioned rows.
   *
   * @example
   * parts.applyChanges(changes.packed, changes.partitions)
   */
  applyChanges(plain: PackedLatestRecords, partitioned: PackedPartitionRecords | undefined): void {
    if (plain.count === 0 && (partitioned === undefined || partitioned.count === 0)) return
    this.#native.applyRecords(this.#batchOf(plain, partitioned, false))
  }

  /** The core's record batch of packed rows; `orphans`: count the partitions not in their definition. */
  #batchOf(
    plain: PackedLatestRecords,
    partitioned: PackedPartitionRecords | undefined,
    orphans: boolean,
  ): ReturnType<RecordBatch['finish']> {
    const b = new RecordBatch(this.#ids)
    const keys = plain.count === 0 ? [] : plain.keys.split('\n')
    const inputKeys = plain.inputKeys === '' ? [] : plain.inputKeys.split('\n')
    let input = 0
    for (let r = 0; r < plain.count; r++) {
      const n = plain.inputCounts[r]!
      const id = this.#ids.get(keys[r]!)
      if (id !== undefined && this.#defs[id] === undefined)
        b.add(id, 0, plain, r, inputKeys, plain.inputVersions, input, n)
      input += n
    }
    if (partitioned !== undefined && partitioned.count > 0) {
      const pkeys = partitioned.keys.split('\n')
      const parts = partitioned.partitions.split('\n')
      const pInputKeys = partitioned.inputKeys === '' ? [] : partitioned.inputKeys.split('\n')
      input = 0
      for (let r = 0; r < partitioned.count; r++) {
        const n = partitioned.inputCounts[r]!
        const key = pkeys[r]!
        const id = this.#ids.get(key)
        const def = id === undefined ? undefined : this.#defs[id]
        const index = def === undefined ? -1 : this.#indexOf(def, parts[r]!)
        if (id !== undefined && index >= 0 && index < this.#sizes[id]!)
          b.add(id, index, partitioned, r, pInputKeys, partitioned.inputVersions, input, n)
        else if (orphans) this.#orphans.set(key, (this.#orphans.get(key) ?? 0) + 1)
        input += n
      }
    }
    return b.finish()
  }

  #indexOf(def: PartitionDefinition, key: string): number {
    try {
      return def.indexOf(key, this.#now)
    } catch {
      return -1
    }
  }

  /**
   * Applies new records (early cutoff downstream happens in the core).
   *
   * @example
   * parts.apply([{ id, partition: 4, code, config, data, inputs: [] }])
   */
  apply(records: readonly PartitionRecord[]): void {
    const b = new RecordBatch(this.#ids)
    for (const r of records) b.addHex(r)
    this.#native.applyRecords(b.finish())
  }

  /** Status counts of an asset's valid partitions. O(1). */
  summary(id: AssetId): PartitionCounts {
    const s = this.#native.summary(id)
    return { total: s.total, fresh: s.fresh, stale: s.stale, missing: s.missing }
  }

  /** Statuses of `set` (all partitions by default) as `[start, end, status]` runs (0 missing, 1 stale, 2 fresh). */
  statuses(id: AssetId, set?: Float64Array): [number, number, number][] {
    const flat = this.#native.statuses(id, set ?? Float64Array.of(0, this.#sizes[id]!))
    const out: [number, number, number][] = []
    for (let i = 0; i < flat.length; i += 3) out.push([flat[i]!, flat[i + 1]!, flat[i + 2]!])
    return out
  }

  /** Status of one partition: 0 missing, 1 stale, 2 fresh; null for a removed dynamic key. */
  status(id: AssetId, partition: number): number | null {
    return this.#native.status(id, partition)
  }

  /** Cause bits of one partition: 1 code, 2 config, 4 dep added, 8 dep removed, 16 upstream data. */
  causes(id: AssetId, partition: number): number {
    return this.#native.causes(id, partition)
  }

  /** The roll-up version (hex) of a partitioned asset: the fingerprint of all its partitions' data. */
  rollup(id: AssetId): string {
    return fingerprintVersion(this.#native.dataFingerprint(id, Float64Array.of(0, this.#sizes[id]!)))
  }

  /** The roll-up version of each of `ids` that has at least one partition recorded. */
  rollups(ids: readonly AssetId[]): [AssetId, string][] {
    const out: [AssetId, string][] = []
    for (const id of ids) {
      const s = this.#native.summary(id)
      if (s.fresh + s.stale > 0) out.push([id, this.rollup(id)])
    }
    return out
  }

  /**
   * The record the asset-level core gets for partitioned asset `id`: its roll-up as data version,
   * the current versions of its deps as consumed, except that it reads stale (a zero version
   * consumed, or a zero code version without deps) while any partition is missing or stale, so
   * everything that reads it does too.
   */
  rollupRecord(
    id: AssetId,
    deps: Uint32Array,
    versionOf: (dep: AssetId) => string,
    code: string,
    config: string,
  ): { code: string; config: string; data: string; inputs: [AssetId, string][] } {
    const s = this.#native.summary(id)
    const behind = s.stale + s.missing > 0
    const inputs = Array.from(
      deps,
      (d, j) => [d as AssetId, behind && j === 0 ? ZERO : versionOf(d as AssetId)] as [AssetId, string],
    )
    return { code: behind && deps.length === 0 ? ZERO : code, config, data: this.rollup(id), inputs }
  }

  /** The upstream partitions (wire format) that partition `p` of `id` reads of its `j`-th dep. */
  upstreamOf(id: AssetId, j: number, p: number): Float64Array {
    const up = this.#ids.get(this.#project.assets[id]!.deps[j]!.key)!
    return nativeModule().mappingUpstreamOf(this.#mappings[id]![j]!, Float64Array.of(p, p + 1), this.#sizes[up]!)
  }

  /**
   * Plans `selection`: missing and stale partitions (every one with `force`), within `ranges` for
   * the assets it names, and what reads planned partitions.
   *
   * @example
   * const { layers, sets } = parts.plan(selection, new Map([[id, Float64Array.of(0, 7)]]), false)
   */
  plan(selection: readonly AssetId[], ranges: ReadonlyMap<AssetId, Float64Array>, force: boolean): PartitionPlan {
    const rangeIds = [...ranges.keys()]
    const out = this.#native.plan(
      Uint32Array.from(selection),
      rangeIds.length === 0 ? undefined : Uint32Array.from(rangeIds),
      rangeIds.length === 0 ? undefined : rangeIds.map((id) => ranges.get(id)!),
      force,
    )
    const layers: AssetId[][] = []
    const sets = new Map<AssetId, Float64Array>()
    for (const a of out.assets) {
      ;(layers[a.layer] ??= []).push(a.id as AssetId)
      sets.set(a.id as AssetId, a.ranges)
    }
    const missingInputs = out.missingInputs.map((m) => [m.id as AssetId, m.dep as AssetId] as [AssetId, AssetId])
    return { layers: layers.filter((l) => l !== undefined), sets, missingInputs }
  }

  /** The asset (resolved) of an id. */
  asset(id: AssetId): ResolvedAsset {
    return this.#project.assets[id]!
  }
}

/**
 * What a reader consumed of the partitions `partitions` (indices) of a partitioned input, with the
 * data version (hex) of each (`''` for a missing one): the fingerprint as a 16-byte version.
 *
 * @example
 * consumedFingerprint([3, 4], ['9f86d081884c7d659a2feaa0c55ad015', ''])
 */
export function consumedFingerprint(partitions: readonly number[], versions: readonly string[]): string {
  const bytes = new Uint8Array(16 * versions.length)
  versions.forEach((v, i) => {
    if (v !== '') bytes.set(Buffer.from(v, 'hex'), 16 * i)
  })
  return fingerprintVersion(nativeModule().inputFingerprintOfVersions(Float64Array.from(partitions), bytes))
}

/** Records as the core's batch: converts consumed versions to input fingerprints in one native call. */
class RecordBatch {
  readonly #ids: ReadonlyMap<string, AssetId>
  readonly #rows: number[] = []
  readonly #partitions: number[] = []
  readonly #code: Buffer[] = []
  readonly #config: Buffer[] = []
  readonly #data: Buffer[] = []
  readonly #offsets: number[] = [0]
  readonly #deps: number[] = []
  /** Per input: its fingerprint, or -1n while it waits for the batched conversion of data versions. */
  readonly #fps: bigint[] = []
  readonly #pending: number[] = []
  readonly #pendingVersions: Buffer[] = []

  constructor(ids: ReadonlyMap<string, AssetId>) {
    this.#ids = ids
  }

  add(
    id: AssetId,
    partition: number,
    packed: Pick<PackedLatestRecords, 'codeVersions' | 'configHashes' | 'dataVersions'>,
    r: number,
    inputKeys: readonly string[],
    inputVersions: Buffer,
    first: number,
    n: number,
  ): void {
    this.#rows.push(id)
    this.#partitions.push(partition)
    this.#code.push(packed.codeVersions.subarray(16 * r, 16 * r + 16))
    this.#config.push(packed.configHashes.subarray(16 * r, 16 * r + 16))
    this.#data.push(packed.dataVersions.subarray(16 * r, 16 * r + 16))
    for (let i = first; i < first + n; i++) {
      const dep = this.#ids.get(inputKeys[i]!)
      if (dep === undefined) continue
      this.#input(dep, inputVersions.subarray(16 * i, 16 * i + 16))
    }
    this.#offsets.push(this.#deps.length)
  }

  addHex(r: PartitionRecord): void {
    this.#rows.push(r.id)
    this.#partitions.push(r.partition)
    this.#code.push(Buffer.from(r.code, 'hex'))
    this.#config.push(Buffer.from(r.config, 'hex'))
    this.#data.push(Buffer.from(r.data, 'hex'))
    for (const [dep, v] of r.inputs) this.#input(dep, Buffer.from(v, 'hex'))
    this.#offsets.push(this.#deps.length)
  }

  #input(dep: AssetId, version: Buffer): void {
    this.#deps.push(dep)
    const fp = version.length === 16 ? fingerprintOf(version, 0) : undefined
    if (fp !== undefined) this.#fps.push(fp)
    else {
      this.#pending.push(this.#fps.length)
      this.#pendingVersions.push(version.length === 16 ? version : Buffer.alloc(16))
      this.#fps.push(-1n)
    }
  }

  finish(): PartitionRecordsInit {
    const fps = BigUint64Array.from(this.#fps.map((f) => (f < 0n ? 0n : f)))
    if (this.#pending.length > 0) {
      const converted = nativeModule().versionFingerprints(Buffer.concat(this.#pendingVersions))
      this.#pending.forEach((at, i) => (fps[at] = converted[i]!))
    }
    return {
      ids: Uint32Array.from(this.#rows),
      partitions: Float64Array.from(this.#partitions),
      codeVersions: Buffer.concat(this.#code),
      configHashes: Buffer.concat(this.#config),
      dataVersions: Buffer.concat(this.#data),
      inputOffsets: Uint32Array.from(this.#offsets),
      inputDeps: Uint32Array.from(this.#deps),
      inputFingerprints: fps,
    }
  }
}
