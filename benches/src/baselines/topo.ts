import { cycle, duplicateKey, invalidKey, selfDep, unknownDep } from './errors.js'

/** A validated graph: deps deduplicated (first occurrence kept), children CSR, topological order. */
export interface ValidGraph {
  n: number
  keys: string[]
  keyIndex: Map<string, number>
  depOffsets: Uint32Array
  deps: Uint32Array
  /** Dependents of `u`: `children[childOffsets[u] .. childOffsets[u + 1])`, ascending id. */
  childOffsets: Uint32Array
  children: Uint32Array
  /** Kahn order taking ready assets by ascending id (a min-heap). */
  order: Uint32Array
  /** `position[v]`: index of `v` in `order`. */
  position: Uint32Array
}

const SEGMENT = /^[A-Za-z0-9_.-]+$/

/** Whether `key` is a valid asset key (SPEC.md, Graph). */
export function isValidKey(key: string): boolean {
  for (const seg of key.split('/')) if (!SEGMENT.test(seg) || seg === '.' || seg === '..') return false
  return true
}

/**
 * Validates and freezes a graph. Checks, in this order, each reporting the first offender: invalid
 * key and duplicate key (by id), then per asset by id and per dep in list order: dep out of range,
 * self-dependency; last, a cycle.
 *
 * @example
 * buildGraph(['a', 'b'], Uint32Array.of(0, 0, 1), Uint32Array.of(0)).order // [0, 1]
 */
export function buildGraph(keys: string[], depOffsets: Uint32Array, deps: Uint32Array): ValidGraph {
  const n = keys.length
  const keyIndex = new Map<string, number>()
  for (let v = 0; v < n; v++) {
    const key = keys[v] ?? ''
    if (!isValidKey(key)) throw invalidKey(key, v)
    const first = keyIndex.get(key)
    if (first !== undefined) throw duplicateKey(key, first, v)
    keyIndex.set(key, v)
  }
  // Validate and deduplicate deps (stamp array: seen[u] === v + 1 means u already listed for v).
  const seen = new Uint32Array(n)
  const offsets = new Uint32Array(n + 1)
  const out = new Uint32Array(deps.length)
  let e = 0
  for (let v = 0; v < n; v++) {
    for (let i = depOffsets[v] ?? 0, end = depOffsets[v + 1] ?? 0; i < end; i++) {
      const u = deps[i] ?? 0
      if (u >= n) throw unknownDep(keys[v] ?? '', u, n)
      if (u === v) throw selfDep(keys[v] ?? '')
      if (seen[u] === v + 1) continue
      seen[u] = v + 1
      out[e++] = u
    }
    offsets[v + 1] = e
  }
  const flat = e === out.length ? out : out.slice(0, e)
  const { childOffsets, children } = reverse(n, offsets, flat)
  const order = kahnMinId(n, offsets, childOffsets, children)
  if (order.length < n) throw cycle(findCycle(keys, offsets, flat, order))
  const position = new Uint32Array(n)
  for (let i = 0; i < n; i++) position[order[i] ?? 0] = i
  return { n, keys, keyIndex, depOffsets: offsets, deps: flat, childOffsets, children, order, position }
}

/** Children CSR of a deps CSR (children of each asset in ascending id). */
export function reverse(
  n: number,
  depOffsets: Uint32Array,
  deps: Uint32Array,
): { childOffsets: Uint32Array; children: Uint32Array } {
  const childOffsets = new Uint32Array(n + 1)
  for (const u of deps) childOffsets[u + 1] = (childOffsets[u + 1] ?? 0) + 1
  for (let v = 0; v < n; v++) childOffsets[v + 1] = (childOffsets[v + 1] ?? 0) + (childOffsets[v] ?? 0)
  const fill = childOffsets.slice(0, n)
  const children = new Uint32Array(deps.length)
  for (let v = 0; v < n; v++) {
    for (let i = depOffsets[v] ?? 0, end = depOffsets[v + 1] ?? 0; i < end; i++) {
      const u = deps[i] ?? 0
      children[fill[u]!++] = v
    }
  }
  return { childOffsets, children }
}

/**
 * Kahn's algorithm taking ready assets (all deps done) smallest id first. Returns fewer than `n`
 * ids when there is a cycle.
 */
export function kahnMinId(
  n: number,
  depOffsets: Uint32Array,
  childOffsets: Uint32Array,
  children: Uint32Array,
): Uint32Array {
  const indeg = new Uint32Array(n)
  const heap = new Uint32Array(n)
  let size = 0
  const push = (x: number): void => {
    let i = size++
    while (i > 0) {
      const p = (i - 1) >> 1
      const px = heap[p] ?? 0
      if (px <= x) break
      heap[i] = px
      i = p
    }
    heap[i] = x
  }
  const pop = (): number => {
    const top = heap[0] ?? 0
    const x = heap[--size] ?? 0
    let i = 0
    for (;;) {
      let c = 2 * i + 1
      if (c >= size) break
      if (c + 1 < size && (heap[c + 1] ?? 0) < (heap[c] ?? 0)) c++
      const cx = heap[c] ?? 0
      if (cx >= x) break
      heap[i] = cx
      i = c
    }
    heap[i] = x
    return top
  }
  for (let v = 0; v < n; v++) {
    indeg[v] = (depOffsets[v + 1] ?? 0) - (depOffsets[v] ?? 0)
    if (indeg[v] === 0) push(v)
  }
  const order = new Uint32Array(n)
  let len = 0
  while (size > 0) {
    const u = pop()
    order[len++] = u
    for (let i = childOffsets[u] ?? 0, end = childOffsets[u + 1] ?? 0; i < end; i++) {
      const c = children[i] ?? 0
      if (--indeg[c]! === 0) push(c)
    }
  }
  return len === n ? order : order.slice(0, len)
}

/**
 * The cycle to report when Kahn stopped early: start at the smallest unordered id, follow each
 * asset's first unordered dep (list order) until an asset repeats; the loop from that asset is the
 * cycle, rotated to start at its smallest key.
 */
export function findCycle(keys: string[], depOffsets: Uint32Array, deps: Uint32Array, order: Uint32Array): string[] {
  const n = keys.length
  const done = new Uint8Array(n)
  for (const v of order) done[v] = 1
  let v = done.indexOf(0)
  const step = new Int32Array(n).fill(-1)
  const path: number[] = []
  while (step[v] === -1) {
    step[v] = path.length
    path.push(v)
    let next = -1
    for (let i = depOffsets[v] ?? 0, end = depOffsets[v + 1] ?? 0; i < end && next < 0; i++)
      if (!done[deps[i] ?? 0]) next = deps[i] ?? 0
    v = next // an unordered asset always has an unordered dep
  }
  const loop = path.slice(step[v]).map((id) => keys[id] ?? '')
  let min = 0
  for (let i = 1; i < loop.length; i++) if ((loop[i] ?? '') < (loop[min] ?? '')) min = i
  return [...loop.slice(min), ...loop.slice(0, min)]
}
