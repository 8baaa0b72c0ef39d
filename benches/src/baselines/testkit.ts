import { createHash } from 'node:crypto'
import type { CsrGraph } from '../graphs.js'
import { IdiomaticPlanner, type IdiomaticRecord } from './idiomatic.js'
import { IncrementalPlanner } from './incremental.js'
import { ReferencePlanner } from './reference.js'
import type { Plan, RecordBatch } from './types.js'

/**
 * Test support: drives the reference and the idiomatic planner with the same state, written with
 * small integer **tokens** for versions. Token 0 is "unset" (zero bytes / ''); token t > 0 is
 * `sha256('v' + t)`, as 16 bytes (its first half) for the reference and as hex for the idiomatic one.
 */

export function tokenHex(t: number): string {
  return t === 0 ? '' : createHash('sha256').update(`v${t}`).digest('hex')
}

export function tokenBytes(t: number): Uint8Array {
  return t === 0 ? new Uint8Array(16) : Uint8Array.from(Buffer.from(tokenHex(t), 'hex').subarray(0, 16))
}

/** Hashes of several tokens packed 16 bytes each. */
export function packTokens(ts: readonly number[]): Uint8Array {
  const out = new Uint8Array(16 * ts.length)
  ts.forEach((t, i) => out.set(tokenBytes(t), 16 * i))
  return out
}

/** A record in tokens; `deps` name keys (graph keys or extern ones). */
export interface TokRecord {
  key: string
  code: number
  config: number
  data: number
  deps: { key: string; ver: number }[]
}

/** Builds a `RecordBatch` (extern keys collected in first-use order). */
export function toBatch(ref: ReferencePlanner, recs: readonly TokRecord[]): RecordBatch {
  const externKeys: string[] = []
  const deps: number[] = []
  const vers: number[] = []
  const depOffsets = new Uint32Array(recs.length + 1)
  recs.forEach((r, i) => {
    for (const d of r.deps) {
      let id = ref.idOf(d.key)
      if (id < 0) {
        const j = externKeys.indexOf(d.key)
        id = ref.n + (j >= 0 ? j : externKeys.push(d.key) - 1)
      }
      deps.push(id)
      vers.push(d.ver)
    }
    depOffsets[i + 1] = deps.length
  })
  return {
    ids: Uint32Array.from(recs.map((r) => ref.idOf(r.key))),
    codeVersions: packTokens(recs.map((r) => r.code)),
    configHashes: packTokens(recs.map((r) => r.config)),
    dataVersions: packTokens(recs.map((r) => r.data)),
    depOffsets,
    deps: Uint32Array.from(deps),
    depVersions: packTokens(vers),
    externKeys,
  }
}

export function toIdiomaticRecord(r: TokRecord): IdiomaticRecord {
  return {
    codeVersion: tokenHex(r.code),
    configHash: tokenHex(r.config),
    dataVersion: tokenHex(r.data),
    deps: new Map(r.deps.map((d) => [d.key, tokenHex(d.ver)])),
  }
}

/** Both planners over one graph, fed the same edits. */
export class Twin {
  readonly ref: ReferencePlanner
  readonly idi: IdiomaticPlanner
  /** Token of each asset's current data version (undefined = none), tracked for building records. */
  readonly data = new Map<string, number>()
  private readonly observedKeys = new Set<string>()

  /** `incremental`: the reference side is the incremental twin (same API, maintained plan). */
  constructor(
    readonly g: CsrGraph,
    incremental = false,
  ) {
    this.ref = incremental ? new IncrementalPlanner(g) : new ReferencePlanner(g)
    const assets = []
    for (let v = 0; v < g.n; v++) {
      const deps: string[] = []
      for (let i = g.depOffsets[v] ?? 0; i < (g.depOffsets[v + 1] ?? 0); i++) deps.push(g.keys[g.deps[i] ?? 0] ?? '')
      assets.push({ key: g.keys[v] ?? '', deps, source: g.sources[v] === 1 })
    }
    this.idi = new IdiomaticPlanner(assets)
  }

  key(id: number): string {
    return this.g.keys[id] ?? ''
  }

  /** Current deps of `id` as keys. */
  depKeys(id: number): string[] {
    const { depOffsets, deps } = this.ref.graph
    return [...deps.subarray(depOffsets[id] ?? 0, depOffsets[id + 1] ?? 0)].map((u) => this.key(u))
  }

  setCode(id: number, t: number): void {
    this.ref.setCodeVersions(Uint32Array.of(id), tokenBytes(t))
    this.idi.setCodeVersion(this.key(id), tokenHex(t))
  }

  setConfig(id: number, t: number): void {
    this.ref.setConfigHashes(Uint32Array.of(id), tokenBytes(t))
    this.idi.setConfigHash(this.key(id), tokenHex(t))
  }

  observe(id: number, t: number): void {
    this.ref.setObserved(Uint32Array.of(id), tokenBytes(t))
    this.idi.observe(this.key(id), tokenHex(t))
    this.data.set(this.key(id), t)
    this.observedKeys.add(this.key(id))
  }

  /** Applies records incrementally (or, with `load`, replaces all records). */
  apply(recs: TokRecord[], load = false): void {
    const batch = toBatch(this.ref, recs)
    if (load) {
      for (const k of [...this.data.keys()]) if (!this.observedKeys.has(k)) this.data.delete(k)
      this.ref.loadRecords(batch)
      this.idi.loadRecords(new Map(recs.map((r) => [r.key, toIdiomaticRecord(r)])))
    } else {
      this.ref.applyRecords(batch)
      for (const r of recs) this.idi.record(r.key, toIdiomaticRecord(r))
    }
    for (const r of recs) if (!this.observedKeys.has(r.key)) this.data.set(r.key, r.data)
  }

  /** A record as a correct executor would write it for `id` now: current code, config, deps. */
  rebuild(id: number, code: number, config: number, data: number): TokRecord {
    return {
      key: this.key(id),
      code,
      config,
      data,
      deps: this.depKeys(id).map((k) => ({ key: k, ver: this.data.get(k) ?? 0 })),
    }
  }
}

/** A reference plan as layers of keys. */
export function planLayers(g: { keys: string[] }, plan: Plan): string[][] {
  const out: string[][] = []
  for (let l = 0; l + 1 < plan.layerOffsets.length; l++)
    out.push([...plan.ids.subarray(plan.layerOffsets[l], plan.layerOffsets[l + 1])].map((v) => g.keys[v] ?? ''))
  return out
}

/** Layers with each layer sorted (to compare planners whose in-layer order differs). */
export function layerSets(layers: string[][]): string[][] {
  return layers.map((l) => [...l].sort())
}
