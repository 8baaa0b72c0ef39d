import { ReferencePlanner } from './reference.js'
import { FRESH } from './types.js'
import type { GraphInput, Plan, RecordBatch } from './types.js'

/**
 * The incremental TypeScript twin: the reference planner's statuses (cached, recomputed for the
 * touched assets), plus the Rust core's maintained plan (crates/planner/src/state.rs) on typed
 * arrays. `count[v]` is 1 when `v` itself needs a run (not a source, and missing or stale) plus the
 * number of its deps that are planned; `v` is planned when `count[v] > 0`. A status change bumps the
 * count and propagates to the children only where the planned state flips, so a re-plan costs the
 * assets that flip, not the graph. `plan(null, false)` reads the planned list (compacted lazily,
 * sorted by topological position) and layers only its members; with a selection or `force` it plans
 * like the reference. Same algorithm as Rust, so the report's "Rust vs TypeScript" row compares
 * languages, and the reference (from scratch) row compares algorithms.
 *
 * @example
 * const p = new IncrementalPlanner(chain(3))
 * p.plannedCount() // 2 (id 0 is a source)
 * p.plan(null, false) // { ids: [1, 2], layerOffsets: [0, 1, 2] }
 */
export class IncrementalPlanner extends ReferencePlanner {
  private count!: Uint32Array
  /** 1 while the id is in `list` (which may hold ids no longer planned, until compacted). */
  private inList!: Uint8Array
  private list!: Uint32Array
  private listLen = 0
  private live = 0
  private work!: Uint32Array
  private readonly planLayer: Uint32Array

  constructor(input: GraphInput) {
    super(input)
    this.planLayer = new Uint32Array(this.n)
    this.rebuild()
  }

  /** Assets planned by `plan(null, false)`, in O(1). */
  plannedCount(): number {
    return this.live
  }

  override loadRecords(batch: RecordBatch): void {
    super.loadRecords(batch)
    this.rebuild()
  }

  override plan(selection: Uint32Array | null, force: boolean): Plan {
    if (selection !== null || force) return super.plan(selection, force)
    const { position, order, depOffsets, deps } = this.graph
    // Compact, then sort the members by topological position (deps before dependents).
    const pos = new Uint32Array(this.live)
    let m = 0
    for (let i = 0; i < this.listLen; i++) {
      const v = this.list[i] ?? 0
      if ((this.count[v] ?? 0) > 0) {
        this.list[m] = v
        pos[m++] = position[v] ?? 0
      } else this.inList[v] = 0
    }
    this.listLen = m
    pos.sort()
    let layers = 0
    for (let i = 0; i < m; i++) {
      const v = order[pos[i] ?? 0] ?? 0
      pos[i] = v
      let lay = 0
      for (let e = depOffsets[v] ?? 0, end = depOffsets[v + 1] ?? 0; e < end; e++) {
        const u = deps[e] ?? 0
        if ((this.count[u] ?? 0) > 0) lay = Math.max(lay, (this.planLayer[u] ?? 0) + 1)
      }
      this.planLayer[v] = lay
      layers = Math.max(layers, lay + 1)
    }
    const layerOffsets = new Uint32Array(layers + 1)
    for (let i = 0; i < m; i++) layerOffsets[(this.planLayer[pos[i] ?? 0] ?? 0) + 1]!++
    for (let l = 0; l < layers; l++) layerOffsets[l + 1]! += layerOffsets[l] ?? 0
    const fill = layerOffsets.slice(0, layers)
    const ids = new Uint32Array(m)
    for (let i = 0; i < m; i++) {
      const v = pos[i] ?? 0
      ids[fill[this.planLayer[v] ?? 0]!++] = v // stable: topological order within a layer
    }
    return { ids, layerOffsets }
  }

  protected override refresh(v: number): void {
    const was = this.dirty(v)
    super.refresh(v)
    const now = this.dirty(v)
    if (was !== now) this.bump(v, now)
  }

  private dirty(v: number): boolean {
    return !this.source[v] && this.status[v] !== FRESH
  }

  /** Adds (`up`) or removes one reason for `v` to be planned; propagates where the planned state flips. */
  private bump(v: number, up: boolean): void {
    const { childOffsets, children } = this.graph
    // `work` holds ids, with bit 31 set for "up"; it can hold one entry per edge plus one.
    let top = 0
    this.work[top++] = up ? (v | 0x80000000) >>> 0 : v
    while (top > 0) {
      const item = this.work[--top] ?? 0
      const x = item & 0x7fffffff
      const inc = item >= 0x80000000
      const before = (this.count[x] ?? 0) > 0
      this.count[x] = (this.count[x] ?? 0) + (inc ? 1 : -1)
      const after = (this.count[x] ?? 0) > 0
      if (before === after) continue
      if (after) {
        this.live++
        if (!this.inList[x]) this.push(x)
      } else this.live--
      for (let i = childOffsets[x] ?? 0, end = childOffsets[x + 1] ?? 0; i < end; i++)
        this.work[top++] = after ? ((children[i] ?? 0) | 0x80000000) >>> 0 : (children[i] ?? 0)
    }
  }

  private push(x: number): void {
    if (this.listLen === this.list.length) {
      const grown = new Uint32Array(Math.max(16, 2 * this.list.length))
      grown.set(this.list)
      this.list = grown
    }
    this.list[this.listLen++] = x
    this.inList[x] = 1
  }

  /** Recomputes every count from the statuses, in topological order. O(n + e). */
  private rebuild(): void {
    const { order, depOffsets, deps, children } = this.graph
    this.count = new Uint32Array(this.n)
    this.inList = new Uint8Array(this.n)
    this.list = new Uint32Array(Math.max(16, this.n >> 3))
    this.work ??= new Uint32Array(children.length + 1)
    this.listLen = 0
    this.live = 0
    for (const v of order) {
      let c = this.dirty(v) ? 1 : 0
      for (let i = depOffsets[v] ?? 0, end = depOffsets[v + 1] ?? 0; i < end; i++)
        if ((this.count[deps[i] ?? 0] ?? 0) > 0) c++
      this.count[v] = c
      if (c > 0) {
        this.live++
        this.push(v)
      }
    }
  }
}
