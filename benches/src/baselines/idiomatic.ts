import { createHash } from 'node:crypto'
import type { Cause, RootCause, RootCauseKind, StatusName } from './types.js'
import { ROOT_KINDS } from './types.js'

/** An asset as a typical user would describe it. */
export interface IdiomaticAsset {
  key: string
  deps: string[]
  source?: boolean
}

/** A materialization record with hex-string versions; `deps` maps dep key to consumed version. */
export interface IdiomaticRecord {
  codeVersion: string
  configHash: string
  dataVersion: string
  deps: Map<string, string>
}

interface AssetState {
  key: string
  deps: string[]
  source: boolean
  /** '' means unset. */
  codeVersion: string
  configHash: string
  observed?: string
  record?: IdiomaticRecord
}

/**
 * SHA-256 hex of a string, how a typical user versions things.
 * @example sha256('') // 'e3b0c442…'
 */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * The planner a typical TypeScript user would write: a `Map` of objects keyed by string, string
 * versions, an explicit-stack DFS topological sort, statuses recomputed on every call. Same
 * semantics as SPEC.md, so benchmarks compare like with like. Its topological order (DFS post-order)
 * differs from the reference's, so only the order inside a plan layer (and of root causes) may differ.
 *
 * @example
 * const p = new IdiomaticPlanner([{ key: 'a', deps: [], source: true }, { key: 'b', deps: ['a'] }])
 * p.plan(null, false) // [['b']]
 */
export class IdiomaticPlanner {
  private readonly assets = new Map<string, AssetState>()
  /** Keys in topological order (deps first). */
  readonly order: string[] = []
  private readonly position = new Map<string, number>()

  constructor(assets: IdiomaticAsset[]) {
    for (const a of assets) {
      if (this.assets.has(a.key)) throw new Error(`duplicate asset key '${a.key}'`)
      this.assets.set(a.key, {
        key: a.key,
        deps: [...new Set(a.deps)],
        source: a.source ?? false,
        codeVersion: '',
        configHash: '',
      })
    }
    for (const a of this.assets.values()) {
      for (const d of a.deps) {
        if (d === a.key) throw new Error(`asset '${a.key}' depends on itself`)
        if (!this.assets.has(d)) throw new Error(`asset '${a.key}' depends on unknown asset '${d}'`)
      }
    }
    this.topoSort()
  }

  private topoSort(): void {
    const state = new Map<string, 1 | 2>() // 1: on the stack, 2: done
    for (const root of this.assets.keys()) {
      if (state.has(root)) continue
      const stack: { key: string; next: number }[] = [{ key: root, next: 0 }]
      state.set(root, 1)
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!
        const deps = this.get(top.key).deps
        if (top.next < deps.length) {
          const d = deps[top.next++]!
          const s = state.get(d)
          if (s === 1) throw new Error(`dependency cycle through '${d}'`)
          if (s === undefined) {
            state.set(d, 1)
            stack.push({ key: d, next: 0 })
          }
        } else {
          stack.pop()
          state.set(top.key, 2)
          this.position.set(top.key, this.order.length)
          this.order.push(top.key)
        }
      }
    }
  }

  private get(key: string): AssetState {
    const a = this.assets.get(key)
    if (!a) throw new Error(`unknown asset '${key}'`)
    return a
  }

  setCodeVersion(key: string, version: string): void {
    this.get(key).codeVersion = version
  }

  setConfigHash(key: string, hash: string): void {
    this.get(key).configHash = hash
  }

  /** Records a source's observed version. */
  observe(key: string, version: string): void {
    const a = this.get(key)
    if (!a.source) throw new Error(`asset '${key}' is not a source`)
    a.observed = version
  }

  /** Sets (replaces) the record of one asset. */
  record(key: string, record: IdiomaticRecord): void {
    this.get(key).record = record
  }

  /** Replaces all records. */
  loadRecords(records: Map<string, IdiomaticRecord>): void {
    for (const a of this.assets.values()) delete a.record
    for (const [key, r] of records) this.record(key, r)
  }

  /** Current data version: a source's observation, else the record's. */
  dataVersion(key: string): string | undefined {
    const a = this.get(key)
    return (a.source ? a.observed : undefined) ?? a.record?.dataVersion
  }

  causes(key: string): Cause[] {
    const a = this.get(key)
    const r = a.record
    if (a.source || !r) return []
    const causes: Cause[] = []
    if (r.codeVersion !== a.codeVersion) causes.push({ kind: 'code_changed' })
    if (r.configHash !== a.configHash) causes.push({ kind: 'config_changed' })
    for (const d of a.deps) if (!r.deps.has(d)) causes.push({ kind: 'dep_added', dep: d })
    for (const d of r.deps.keys()) if (!a.deps.includes(d)) causes.push({ kind: 'dep_removed', dep: d })
    for (const d of a.deps) {
      const consumed = r.deps.get(d)
      if (consumed !== undefined && consumed !== this.dataVersion(d))
        causes.push({ kind: 'upstream_data_changed', dep: d })
    }
    return causes
  }

  status(key: string): StatusName {
    const a = this.get(key)
    if (!a.record && !(a.source && a.observed !== undefined)) return 'missing'
    return this.causes(key).length > 0 ? 'stale' : 'fresh'
  }

  statuses(): Map<string, StatusName> {
    const out = new Map<string, StatusName>()
    for (const key of this.assets.keys()) out.set(key, this.status(key))
    return out
  }

  /** Root causes, sorted by this planner's topological position, then kind. */
  rootCauses(key: string): RootCause[] {
    const st = this.status(key)
    if (st === 'missing') return [{ key, kind: 'missing' }]
    if (st === 'fresh') return []
    const found = new Map<string, RootCause>()
    const add = (k: string, kind: RootCauseKind): void => void found.set(`${k}\n${kind}`, { key: k, kind })
    const visited = new Set([key])
    const stack = [key]
    while (stack.length > 0) {
      const w = stack.pop()!
      for (const c of this.causes(w)) {
        if (c.kind !== 'upstream_data_changed') add(w, c.kind)
        else {
          const u = c.dep!
          const s = this.status(u)
          if (s === 'missing') add(u, 'missing')
          else if (s === 'fresh') add(u, this.get(u).source ? 'source_changed' : 'new_data_version')
          else if (!visited.has(u)) {
            visited.add(u)
            stack.push(u)
          }
        }
      }
    }
    const rank = (c: RootCause): number => this.position.get(c.key)! * 8 + ROOT_KINDS.indexOf(c.kind)
    return [...found.values()].sort((a, b) => rank(a) - rank(b))
  }

  /** The plan as layers of keys (null selection = every asset). */
  plan(selection: string[] | null, force: boolean): string[][] {
    const selected = selection === null ? null : new Set(selection)
    const statuses = this.statuses()
    const layerOf = new Map<string, number>()
    const layers: string[][] = []
    for (const key of this.order) {
      const a = this.get(key)
      if (a.source || (selected !== null && !selected.has(key))) continue
      let layer = -1
      for (const d of a.deps) {
        const l = layerOf.get(d)
        if (l !== undefined) layer = Math.max(layer, l)
      }
      if (force || layer >= 0 || statuses.get(key) !== 'fresh') {
        layerOf.set(key, layer + 1)
        ;(layers[layer + 1] ??= []).push(key)
      }
    }
    return layers
  }

  /** `[asset, input]` pairs: planned assets with a missing dep outside the selection. */
  missingInputs(selection: string[] | null, plan: string[][]): [string, string][] {
    if (selection === null) return []
    const selected = new Set(selection)
    const out: [string, string][] = []
    for (const key of plan.flat())
      for (const d of this.get(key).deps) if (!selected.has(d) && this.status(d) === 'missing') out.push([key, d])
    return out
  }
}
