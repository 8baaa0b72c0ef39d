/**
 * What a workspace keeps between automation ticks so that a tick costs what changed, not the size
 * of the project: for each asset with a condition, its last decision, the time a clock in its
 * condition may flip (automation/wake.ts) and whether something it reads changed since it was last
 * evaluated (dirty); the index from an asset to the conditioned assets that read its record (itself,
 * its consumers, those reading its metrics); the layers (upstream first); and the committed memory,
 * leases, sensor and schedule state as last read or written.
 *
 * The first tick of a workspace evaluates everything; later ticks evaluate the dirty assets, those
 * whose wake-up time has come, and the consumers of assets requested in the same tick.
 */
import { conditionReferences } from '../definitions/automation.js'
import type { AssetId } from './planner.js'
import type { ProjectState } from './project-state.js'

/**
 * The state a workspace keeps across ticks (see the module comment).
 *
 * @example
 * const memo = TickMemo.build(state, conditioned)
 * memo.markAsset(state.idOf('raw')!)
 */
export class TickMemo {
  /** Conditioned assets, by position. */
  readonly ids: readonly AssetId[]
  readonly keys: readonly string[]
  /** Layer of each position: after every conditioned input. */
  readonly depth: Int32Array
  /**
   * Conditioned consumers of each position (requested inputs make them evaluate in the same tick):
   * those of `p` are `consumerList[consumerStart[p] .. consumerStart[p + 1])`, flat arrays that a
   * tick reaching thousands of assets reads without touching one object per asset.
   */
  readonly consumerStart: Int32Array
  readonly consumerList: Int32Array
  /** When each position must be evaluated again although nothing it reads changed (epoch ms). */
  readonly #wakeAt: Float64Array
  /** The earliest of `#wakeAt` (an idle tick checks this one number). */
  #nextWake = Infinity
  readonly #dirty: Uint8Array
  #dirtyCount = 0
  /** Positions marked since the last `dirtyLayers` (some may be clean again; all when undefined). */
  #marked: number[] | undefined
  /** Positions reading the record of an asset id. */
  readonly #readers: Map<AssetId, number[]>
  readonly #position: Map<AssetId, number>
  /** Positions whose condition takes the tick's fused `eager` path (automation-eager.ts), once known. */
  plainEager: Uint8Array | undefined
  /** Condition memory by key as committed (stored), undefined until read from the store. */
  memories: Map<string, unknown> | undefined
  /** Lease holders (key -> run) seen by the last tick. */
  holders: Map<string, string> | undefined
  sensorStates: Map<string, unknown> | undefined
  scheduleStates: Map<string, unknown> | undefined
  /** The run config in force at the last tick (another one changes config hashes: all dirty). */
  config: unknown
  /** Id of the last tick this workspace stored: another process's tick in between resets the memo. */
  lastTickId: number | undefined

  private constructor(st: ProjectState, ids: readonly AssetId[]) {
    this.ids = ids
    this.keys = ids.map((id) => st.asset(id).key)
    this.#position = new Map(ids.map((id, p) => [id, p]))
    this.#wakeAt = new Float64Array(ids.length).fill(Infinity)
    this.#dirty = new Uint8Array(ids.length).fill(1)
    this.#dirtyCount = ids.length
    this.#readers = new Map()
    const consumers: number[][] = ids.map(() => [])
    const read = (id: AssetId | undefined, p: number) => {
      if (id === undefined) return
      let r = this.#readers.get(id)
      if (r === undefined) this.#readers.set(id, (r = []))
      if (r[r.length - 1] !== p) r.push(p)
    }
    ids.forEach((id, p) => {
      const a = st.asset(id)
      read(id, p)
      for (const d of a.deps) {
        const depId = st.idOf(d.key)
        read(depId, p)
        const q = depId === undefined ? undefined : this.#position.get(depId)
        if (q !== undefined && q !== p) consumers[q]!.push(p)
      }
      if (a.def.kind === 'asset' && a.def.automation !== undefined)
        for (const [, key] of conditionReferences(a.def.automation.node).assets) read(st.idOf(key), p)
    })
    this.consumerStart = new Int32Array(ids.length + 1)
    for (let p = 0; p < ids.length; p++) this.consumerStart[p + 1] = this.consumerStart[p]! + consumers[p]!.length
    this.consumerList = Int32Array.from(consumers.flat())
    this.depth = layerDepths(consumers, ids.length)
  }

  /**
   * The memo of `ids` (assets with a condition), everything dirty.
   *
   * @example
   * const memo = TickMemo.build(state, conditioned)
   */
  static build(st: ProjectState, ids: readonly AssetId[]): TickMemo {
    return new TickMemo(st, ids)
  }

  /** Position of a conditioned asset. */
  position(id: AssetId): number | undefined {
    return this.#position.get(id)
  }

  /** Number of dirty positions. */
  get dirtyCount(): number {
    return this.#dirtyCount
  }

  isDirty(p: number): boolean {
    return this.#dirty[p] === 1
  }

  mark(p: number): void {
    if (this.#dirty[p] === 1) return
    this.#dirty[p] = 1
    this.#dirtyCount++
    this.#marked?.push(p)
  }

  clear(p: number): void {
    if (this.#dirty[p] === 0) return
    this.#dirty[p] = 0
    this.#dirtyCount--
  }

  /** Everything dirty (first tick, a full reload, another config, another process's tick). */
  markAll(): void {
    this.#dirty.fill(1)
    this.#dirtyCount = this.ids.length
    this.#marked = undefined
  }

  /** The record (or observation) of `id` changed: its readers are dirty. */
  markAsset(id: AssetId): void {
    for (const p of this.#readers.get(id) ?? []) this.mark(p)
  }

  /** Sets when position `p` must be evaluated again although nothing it reads changed. */
  setWake(p: number, at: number): void {
    this.#wakeAt[p] = at
    if (at < this.#nextWake) this.#nextWake = at
  }

  /** Marks the positions whose wake-up time has come: O(1) until one has, then O(positions). */
  markDue(now: number): void {
    if (now < this.#nextWake) return
    const w = this.#wakeAt
    let next = Infinity
    for (let p = 0; p < w.length; p++) {
      const t = w[p]!
      if (t <= now) {
        this.mark(p)
        w[p] = Infinity // set again when it is evaluated
      } else if (t < next) next = t
    }
    this.#nextWake = next
  }

  /** The dirty positions, in layers (upstream first); O(dirty) but after `markAll`. */
  dirtyLayers(): number[][] {
    const layers: number[][] = []
    const marked = this.#marked
    const dirty = this.#dirty
    if (marked === undefined) {
      for (let p = 0; p < this.ids.length; p++) if (dirty[p] === 1) (layers[this.depth[p]!] ??= []).push(p)
    } else {
      const seen = new Set<number>()
      for (const p of marked)
        if (dirty[p] === 1 && !seen.has(p)) {
          seen.add(p)
          ;(layers[this.depth[p]!] ??= []).push(p)
        }
    }
    // Still dirty after the tick (dry runs, requests) are marked again by it: start a fresh list.
    this.#marked = []
    for (const layer of layers) for (const p of layer ?? []) if (dirty[p] === 1) this.#marked.push(p)
    return layers
  }
}

/**
 * The layer of each position: 0 without conditioned inputs, else one more than its deepest
 * conditioned input (iterative: graphs can be deep; the core refused cycles).
 */
function layerDepths(consumers: readonly (readonly number[])[], n: number): Int32Array {
  const indegree = new Int32Array(n)
  for (const cs of consumers) for (const c of cs) indegree[c]!++
  const depth = new Int32Array(n)
  const queue: number[] = []
  for (let p = 0; p < n; p++) if (indegree[p] === 0) queue.push(p)
  for (let i = 0; i < queue.length; i++) {
    const p = queue[i]!
    for (const c of consumers[p]!) {
      if (depth[c]! < depth[p]! + 1) depth[c] = depth[p]! + 1
      if (--indegree[c]! === 0) queue.push(c)
    }
  }
  return depth
}
