import { badBatch, notSource, outOfRange } from './errors.js'
import { DepArena, eq, Hashes } from './store.js'
import { buildGraph, type ValidGraph } from './topo.js'
import { CAUSE_KINDS, FRESH, MISSING, ROOT_KINDS, STALE } from './types.js'
import type { Cause, GraphInput, Plan, RecordBatch, RootCause, StatusCode } from './types.js'

/**
 * The TypeScript twin of the Rust planning core (crates/planner/SPEC.md), on typed arrays. It is the
 * readable reference that property tests compare the native planner against, and a benchmark
 * baseline. Ids are input positions. Statuses are cached; `applyRecords`, `setCodeVersions`,
 * `setConfigHashes` and `setObserved` recompute only the touched assets (and, when a data version
 * can change, their direct children).
 *
 * State layout: per asset, current code/config, record code/config/data and observed version in
 * `Hashes` tables (16 bytes per slot, slot = id, compared as four u32 words); recorded deps in one
 * `DepArena` (a ref per dep, an id `< n` or `n + j` for `externKeys[j]`, and the consumed version).
 * Invalid input throws before any state changes.
 *
 * @example
 * const p = new ReferencePlanner(chain(3))
 * p.statuses() // Uint8Array [0, 0, 0] (all missing)
 * p.plan(null, false) // { ids: [1, 2], layerOffsets: [0, 1, 2] } (id 0 is a source)
 */
export class ReferencePlanner {
  readonly graph: ValidGraph
  readonly n: number
  readonly source: Uint8Array
  /** Keys of recorded deps that are not in the graph; ref `n + j` names `externKeys[j]`. */
  readonly externKeys: string[] = []
  private readonly externIndex = new Map<string, number>()
  private readonly curCode: Hashes
  private readonly curConfig: Hashes
  private readonly hasRec: Uint8Array
  private readonly recCode: Hashes
  private readonly recConfig: Hashes
  private readonly recData: Hashes
  private readonly hasObs: Uint8Array
  private readonly obs: Hashes
  private readonly arena: DepArena
  protected readonly status: Uint8Array
  // Stamp arrays: an entry equals `tick` when set during the current operation.
  private tick = 0
  private readonly markRec: Uint32Array
  private readonly markPos: Uint32Array
  private readonly markCur: Uint32Array
  private readonly markPlan: Uint32Array
  private readonly layer: Uint32Array

  /** Validates the graph (see `buildGraph`): throws `PlannerError` with a `RIVERS_*` code. */
  constructor(input: GraphInput) {
    this.graph = buildGraph(input.keys, input.depOffsets, input.deps)
    const n = (this.n = this.graph.n)
    this.source = input.sources ? Uint8Array.from(input.sources) : new Uint8Array(n)
    this.curCode = new Hashes(n)
    this.curConfig = new Hashes(n)
    this.hasRec = new Uint8Array(n)
    this.recCode = new Hashes(n)
    this.recConfig = new Hashes(n)
    this.recData = new Hashes(n)
    this.hasObs = new Uint8Array(n)
    this.obs = new Hashes(n)
    this.arena = new DepArena(n)
    this.status = new Uint8Array(n)
    this.markRec = new Uint32Array(n)
    this.markPos = new Uint32Array(n)
    this.markCur = new Uint32Array(n)
    this.markPlan = new Uint32Array(n)
    this.layer = new Uint32Array(n)
  }

  /** Id of `key`, or -1. */
  idOf(key: string): number {
    return this.graph.keyIndex.get(key) ?? -1
  }

  /** Replaces all records with `batch` (observations stay), then recomputes every status. */
  loadRecords(batch: RecordBatch): void {
    this.checkBatch(batch)
    this.hasRec.fill(0)
    this.arena.clear(batch.deps.length)
    this.writeBatch(batch)
    for (let v = 0; v < this.n; v++) this.status[v] = this.computeStatus(v)
  }

  /** Sets the records in `batch` (last wins per asset); recomputes those assets and their children. */
  applyRecords(batch: RecordBatch): void {
    this.checkBatch(batch)
    this.writeBatch(batch)
    const { childOffsets, children } = this.graph
    for (const v of batch.ids) {
      this.refresh(v)
      for (let i = childOffsets[v] ?? 0, end = childOffsets[v + 1] ?? 0; i < end; i++) {
        const c = children[i] ?? 0
        this.refresh(c)
      }
    }
  }

  /** Sets current code versions (16 bytes per id); recomputes those assets. */
  setCodeVersions(ids: Uint32Array, hashes: Uint8Array): void {
    this.setCurrent(this.curCode, ids, hashes, 'setCodeVersions')
  }

  /** Sets current config hashes (16 bytes per id); recomputes those assets. */
  setConfigHashes(ids: Uint32Array, hashes: Uint8Array): void {
    this.setCurrent(this.curConfig, ids, hashes, 'setConfigHashes')
  }

  /** Sets observed versions of sources (16 bytes per id); recomputes them and their children. */
  setObserved(ids: Uint32Array, versions: Uint8Array): void {
    this.checkIds(ids, versions, 'setObserved')
    for (const v of ids) if (!this.source[v]) throw notSource(this.graph.keys[v] ?? '')
    ids.forEach((v, i) => {
      this.obs.set(v, versions, i)
      this.hasObs[v] = 1
    })
    const { childOffsets, children } = this.graph
    for (const v of ids) {
      this.refresh(v)
      for (let i = childOffsets[v] ?? 0, end = childOffsets[v + 1] ?? 0; i < end; i++) this.refresh(children[i] ?? 0)
    }
  }

  /** Status per id (0 missing, 1 stale, 2 fresh), a copy of the cached statuses. */
  statuses(): Uint8Array {
    return this.status.slice()
  }

  /** Statuses recomputed for every asset, ignoring the cache (for cross-checks). */
  statusesFromScratch(): Uint8Array {
    const out = new Uint8Array(this.n)
    for (let v = 0; v < this.n; v++) out[v] = this.computeStatus(v)
    return out
  }

  /** Current data version of `id` (observed, else recorded), or null. */
  currentDataVersion(id: number): Uint8Array | null {
    const t = this.dataTable(id)
    return t ? t.bytes.slice(16 * id, 16 * id + 16) : null
  }

  /** Causes of `id` in SPEC.md order (empty unless stale). */
  causes(id: number): Cause[] {
    this.checkId(id, 'causes')
    const out: Cause[] = []
    if (this.status[id] !== STALE) return out
    this.scan(id, (kind, ref) => {
      const k = CAUSE_KINDS[kind] ?? 'code_changed'
      out.push(kind < 2 ? { kind: k } : { kind: k, dep: this.refKey(ref) })
    })
    return out
  }

  /** Root causes of `id`, sorted by topological position of the key, then `ROOT_KINDS` index. */
  rootCauses(id: number): RootCause[] {
    this.checkId(id, 'rootCauses')
    const st = this.status[id]
    if (st === MISSING) return [{ key: this.graph.keys[id] ?? '', kind: 'missing' }]
    if (st === FRESH) return []
    const found = new Set<number>() // key * 8 + root kind
    const visited = new Set<number>([id])
    const stack = [id]
    const causes: number[] = []
    while (stack.length > 0) {
      const w = stack.pop() ?? 0
      causes.length = 0
      this.scan(w, (kind, ref) => causes.push(kind, ref))
      for (let i = 0; i < causes.length; i += 2) {
        const kind = causes[i] ?? 0
        const u = causes[i + 1] ?? 0
        if (kind < 4) found.add(w * 8 + kind)
        else if (this.status[u] === MISSING) found.add(u * 8 + 4)
        else if (this.status[u] === FRESH) found.add(u * 8 + (this.source[u] ? 5 : 6))
        else if (!visited.has(u)) {
          visited.add(u)
          stack.push(u)
        }
      }
    }
    const pos = this.graph.position
    return [...found]
      .sort((a, b) => (pos[Math.floor(a / 8)] ?? 0) - (pos[Math.floor(b / 8)] ?? 0) || (a % 8) - (b % 8))
      .map((c) => ({ key: this.graph.keys[Math.floor(c / 8)] ?? '', kind: ROOT_KINDS[c % 8] ?? 'missing' }))
  }

  /** The plan for `selection` (null = every asset), per SPEC.md, from the cached statuses. */
  plan(selection: Uint32Array | null, force: boolean): Plan {
    return this.planWith(this.status, selection, force)
  }

  /** The same plan from statuses recomputed from scratch (for cross-checks). */
  planFromScratch(selection: Uint32Array | null, force: boolean): Plan {
    return this.planWith(this.statusesFromScratch(), selection, force)
  }

  /**
   * Planned assets with a missing dep outside the selection, as flat pairs
   * `[asset0, input0, asset1, input1, …]` in plan order, then dep order.
   */
  missingInputs(selection: Uint32Array | null, plan: Plan): Uint32Array {
    if (selection === null) return new Uint32Array(0)
    const t = ++this.tick
    for (const v of selection) this.markCur[this.checkId(v, 'missingInputs')] = t
    const { depOffsets, deps } = this.graph
    const out: number[] = []
    for (const v of plan.ids) {
      for (let i = depOffsets[v] ?? 0, end = depOffsets[v + 1] ?? 0; i < end; i++) {
        const u = deps[i] ?? 0
        if (this.markCur[u] !== t && this.status[u] === MISSING) out.push(v, u)
      }
    }
    return Uint32Array.from(out)
  }

  private planWith(status: Uint8Array, selection: Uint32Array | null, force: boolean): Plan {
    const { order, position, depOffsets, deps } = this.graph
    let sel = order
    if (selection !== null) {
      const ps = new Uint32Array(selection.length)
      selection.forEach((v, i) => (ps[i] = position[this.checkId(v, 'plan')] ?? 0))
      ps.sort()
      let m = 0
      let prev = -1
      for (const p of ps) if (p !== prev) ps[m++] = order[(prev = p)] ?? 0
      sel = ps.subarray(0, m)
    }
    const t = ++this.tick
    const planned = new Uint32Array(sel.length)
    let m = 0
    let layers = 0
    for (const v of sel) {
      if (this.source[v]) continue
      let lay = 0
      let dep = false
      for (let i = depOffsets[v] ?? 0, end = depOffsets[v + 1] ?? 0; i < end; i++) {
        const u = deps[i] ?? 0
        if (this.markPlan[u] === t) {
          dep = true
          lay = Math.max(lay, (this.layer[u] ?? 0) + 1)
        }
      }
      if (force || dep || status[v] !== FRESH) {
        this.markPlan[v] = t
        this.layer[v] = lay
        planned[m++] = v
        layers = Math.max(layers, lay + 1)
      }
    }
    const layerOffsets = new Uint32Array(layers + 1)
    for (let i = 0; i < m; i++) layerOffsets[(this.layer[planned[i] ?? 0] ?? 0) + 1]!++
    for (let l = 0; l < layers; l++) layerOffsets[l + 1]! += layerOffsets[l] ?? 0
    const fill = layerOffsets.slice(0, layers)
    const ids = new Uint32Array(m)
    for (let i = 0; i < m; i++) {
      const v = planned[i] ?? 0
      ids[fill[this.layer[v] ?? 0]!++] = v // stable: topological order within a layer
    }
    return { ids, layerOffsets }
  }

  /** Recomputes the cached status of `v` (the incremental twin also keeps its plan counts here). */
  protected refresh(v: number): void {
    this.status[v] = this.computeStatus(v)
  }

  protected computeStatus(v: number): StatusCode {
    if (!this.hasRec[v] && !(this.source[v] && this.hasObs[v])) return MISSING
    if (this.source[v]) return FRESH
    return this.scan(v, null) ? STALE : FRESH
  }

  /**
   * Walks the causes of non-source `v` (which has a record) in SPEC.md order, calling `sink(kind,
   * ref)` with the `CAUSE_KINDS` index and the dep ref (`v` for code/config). Without a sink, stops
   * at the first cause. Returns whether any cause holds.
   */
  private scan(v: number, sink: ((kind: number, ref: number) => void) | null): boolean {
    const n = this.n
    let any = false
    if (!eq(this.recCode.words, v, this.curCode.words, v)) {
      if (!sink) return true
      sink(0, v)
      any = true
    }
    if (!eq(this.recConfig.words, v, this.curConfig.words, v)) {
      if (!sink) return true
      sink(1, v)
      any = true
    }
    const { depOffsets, deps } = this.graph
    const lo = depOffsets[v] ?? 0
    const hi = depOffsets[v + 1] ?? 0
    const rs = this.arena.start[v] ?? 0
    const rl = this.arena.len[v] ?? 0
    const refs = this.arena.refs
    const vers = this.arena.vers.words
    // Fast path (the common case): recorded deps are the current deps in the same order.
    let same = rl === hi - lo
    for (let i = 0; same && i < rl; i++) same = refs[rs + i] === deps[lo + i]
    if (same) {
      for (let i = 0; i < rl; i++) {
        const u = deps[lo + i] ?? 0
        const d = this.dataTable(u)
        if (d !== null && eq(vers, rs + i, d.words, u)) continue
        if (!sink) return true
        sink(4, u)
        any = true
      }
      return any
    }
    const tr = ++this.tick
    for (let i = 0; i < rl; i++) {
      const r = refs[rs + i] ?? 0
      if (r < n) {
        this.markRec[r] = tr
        this.markPos[r] = i
      }
    }
    for (let i = lo; i < hi; i++) {
      const u = deps[i] ?? 0
      if (this.markRec[u] === tr) continue
      if (!sink) return true
      sink(2, u)
      any = true
    }
    const tc = ++this.tick
    for (let i = lo; i < hi; i++) this.markCur[deps[i] ?? 0] = tc
    for (let i = 0; i < rl; i++) {
      const r = refs[rs + i] ?? 0
      if (r < n && this.markCur[r] === tc) continue
      if (!sink) return true
      sink(3, r)
      any = true
    }
    for (let i = lo; i < hi; i++) {
      const u = deps[i] ?? 0
      if (this.markRec[u] !== tr) continue
      const d = this.dataTable(u)
      if (d !== null && eq(vers, rs + (this.markPos[u] ?? 0), d.words, u)) continue
      if (!sink) return true
      sink(4, u)
      any = true
    }
    return any
  }

  private dataTable(u: number): Hashes | null {
    if (this.source[u] && this.hasObs[u]) return this.obs
    return this.hasRec[u] ? this.recData : null
  }

  private refKey(ref: number): string {
    return ref < this.n ? (this.graph.keys[ref] ?? '') : (this.externKeys[ref - this.n] ?? '')
  }

  private checkBatch(b: RecordBatch): void {
    const m = b.ids.length
    const e = b.deps.length
    if (b.codeVersions.length !== 16 * m || b.configHashes.length !== 16 * m || b.dataVersions.length !== 16 * m)
      throw badBatch(`expected ${16 * m} bytes of code, config and data versions for ${m} records`)
    if (
      b.depOffsets.length !== m + 1 ||
      b.depOffsets[0] !== 0 ||
      b.depOffsets[m] !== e ||
      b.depVersions.length !== 16 * e
    )
      throw badBatch(`depOffsets must have ${m + 1} entries from 0 to ${e}, depVersions ${16 * e} bytes`)
    for (let i = 0; i < m; i++)
      if ((b.depOffsets[i + 1] ?? 0) < (b.depOffsets[i] ?? 0)) throw badBatch(`depOffsets decrease at record ${i}`)
    for (const v of b.ids) this.checkId(v, 'record batch')
    const refs = this.n + (b.externKeys?.length ?? 0)
    for (const d of b.deps)
      if (d >= refs)
        throw badBatch(
          `dep ref ${d} is neither an id (< ${this.n}) nor n + an index into the ${refs - this.n} extern keys`,
        )
  }

  /** Writes a checked batch. */
  private writeBatch(b: RecordBatch): void {
    const extern = (b.externKeys ?? []).map((key) => {
      const id = this.graph.keyIndex.get(key)
      if (id !== undefined) return id
      let j = this.externIndex.get(key)
      if (j === undefined) this.externIndex.set(key, (j = this.externKeys.push(key) - 1))
      return this.n + j
    })
    for (let i = 0; i < b.ids.length; i++) {
      const v = b.ids[i] ?? 0
      const lo = b.depOffsets[i] ?? 0
      const hi = b.depOffsets[i + 1] ?? 0
      this.hasRec[v] = 1
      this.recCode.set(v, b.codeVersions, i)
      this.recConfig.set(v, b.configHashes, i)
      this.recData.set(v, b.dataVersions, i)
      const start = this.arena.slot(v, hi - lo)
      const { refs, vers } = this.arena
      const t = ++this.tick
      let k = 0
      for (let x = lo; x < hi; x++) {
        const d = b.deps[x] ?? 0
        const ref = d < this.n ? d : (extern[d - this.n] ?? 0)
        if (ref < this.n) {
          if (this.markRec[ref] === t) continue // repeated dep: the first entry wins
          this.markRec[ref] = t
        } else if (refs.subarray(start, start + k).includes(ref)) continue
        refs[start + k] = ref
        vers.set(start + k, b.depVersions, x)
        k++
      }
      this.arena.len[v] = k
    }
    this.arena.maybeCompact()
  }

  private setCurrent(table: Hashes, ids: Uint32Array, hashes: Uint8Array, what: string): void {
    this.checkIds(ids, hashes, what)
    ids.forEach((v, i) => table.set(v, hashes, i))
    for (const v of ids) this.refresh(v)
  }

  private checkIds(ids: Uint32Array, hashes: Uint8Array, what: string): void {
    if (hashes.length !== 16 * ids.length)
      throw badBatch(`${what}: expected ${16 * ids.length} bytes for ${ids.length} ids, got ${hashes.length}`)
    for (const v of ids) this.checkId(v, what)
  }

  private checkId(v: number, what: string): number {
    if (!(v < this.n)) throw outOfRange(what, v, this.n)
    return v
  }
}
