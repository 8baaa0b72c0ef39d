import { hub, wideFanIn } from './graphs/hubs.js'
import { Rng } from './rng.js'

/**
 * Labels of a graph as CSR: asset `v` carries the label names `names[ids[i]]` for
 * `offsets[v] <= i < offsets[v + 1]` (`offsets` has `n + 1` entries).
 */
export interface GraphLabels {
  names: string[]
  offsets: Uint32Array
  ids: Uint32Array
}

/**
 * A generated asset graph in compact CSR form: the deps of asset `v` are
 * `deps[depOffsets[v] .. depOffsets[v + 1])` (ids `< n`, distinct, never `v`). `sources[v] === 1`
 * marks a source asset. Ids are external ids, i.e. input positions for the planners.
 */
export interface CsrGraph {
  name: string
  n: number
  keys: string[]
  depOffsets: Uint32Array
  deps: Uint32Array
  sources: Uint8Array
  labels?: GraphLabels
}

/** `topo`: every dep id is smaller than its dependent. `shuffled`: ids permuted deterministically. */
export type IdOrder = 'topo' | 'shuffled'

/** Options shared by all generators; shape-specific ones are ignored by other shapes. */
export interface GenOptions {
  /** PRNG seed (default 1). Same seed, same graph. */
  seed?: number
  /** Id order (default `topo`). */
  order?: IdOrder
  /** `layered`: nodes per layer (default `round(sqrt(n))`). */
  width?: number
  /** `powerLaw`: deps picked per new node (default 3). */
  k?: number
  /** `dbt`: assets per domain (default 500). */
  domainSize?: number
}

export type Shape = 'chain' | 'fanOut' | 'fanIn' | 'layered' | 'diamond' | 'dbt' | 'powerLaw' | 'hub' | 'wideFanIn'

/** Every shape, in the order benchmark tables list them. */
export const SHAPES: readonly Shape[] = [
  'chain',
  'fanOut',
  'fanIn',
  'layered',
  'diamond',
  'dbt',
  'powerLaw',
  'hub',
  'wideFanIn',
]

/** Appends deps node by node into growable typed arrays. */
export class CsrBuilder {
  readonly offsets: Uint32Array
  private deps: Uint32Array
  private len = 0
  private node = 0

  constructor(n: number, expectedEdges: number) {
    this.offsets = new Uint32Array(n + 1)
    this.deps = new Uint32Array(Math.max(16, expectedEdges))
  }

  /** Start of the current node's deps. */
  get start(): number {
    return this.offsets[this.node] ?? 0
  }

  /** The `i`-th dep appended so far. */
  at(i: number): number {
    return this.deps[i] ?? 0
  }

  /** Deps appended so far (all nodes). */
  get length(): number {
    return this.len
  }

  /** Whether the current node already has dep `u`. */
  has(u: number): boolean {
    for (let i = this.start; i < this.len; i++) if (this.deps[i] === u) return true
    return false
  }

  /** Adds dep `u` to the current node unless present; returns whether it was added. */
  add(u: number): boolean {
    if (this.has(u)) return false
    this.push(u)
    return true
  }

  /** Adds dep `u`, known to be new for the current node. */
  push(u: number): void {
    if (this.len === this.deps.length) {
      const grown = new Uint32Array(this.deps.length * 2)
      grown.set(this.deps)
      this.deps = grown
    }
    this.deps[this.len++] = u
  }

  /** Closes the current node. */
  next(): void {
    this.offsets[++this.node] = this.len
  }

  finish(): { depOffsets: Uint32Array; deps: Uint32Array } {
    return { depOffsets: this.offsets, deps: this.deps.slice(0, this.len) }
  }
}

/** Marks the assets without deps as sources. */
function rootsAsSources(n: number, depOffsets: Uint32Array): Uint8Array {
  const sources = new Uint8Array(n)
  for (let v = 0; v < n; v++) if (depOffsets[v] === depOffsets[v + 1]) sources[v] = 1
  return sources
}

function keysOf(n: number, key: (v: number) => string): string[] {
  const keys = new Array<string>(n)
  for (let v = 0; v < n; v++) keys[v] = key(v)
  return keys
}

/** Packs a built graph (sources default to the assets without deps), shuffling ids if asked. */
export function finish(
  name: string,
  n: number,
  keys: string[],
  b: CsrBuilder,
  opts: GenOptions,
  rng: Rng,
  sources?: Uint8Array,
  labels?: GraphLabels,
): CsrGraph {
  const { depOffsets, deps } = b.finish()
  const g: CsrGraph = { name, n, keys, depOffsets, deps, sources: sources ?? rootsAsSources(n, depOffsets) }
  if (labels) g.labels = labels
  return opts.order === 'shuffled' ? shuffleIds(g, rng) : g
}

/**
 * `n0 <- n1 <- … `: each asset depends on the previous one.
 * @example chain(1_000_000).deps.length // 999_999
 */
export function chain(n: number, opts: GenOptions = {}): CsrGraph {
  const b = new CsrBuilder(n, n)
  for (let v = 0; v < n; v++) {
    if (v > 0) b.push(v - 1)
    b.next()
  }
  return finish(
    'chain',
    n,
    keysOf(n, (v) => `chain/n${v}`),
    b,
    opts,
    new Rng(opts.seed ?? 1),
  )
}

/**
 * One root, `n - 1` children that each depend on it.
 * @example fanOut(10).deps // all zeros
 */
export function fanOut(n: number, opts: GenOptions = {}): CsrGraph {
  const b = new CsrBuilder(n, n)
  for (let v = 0; v < n; v++) {
    if (v > 0) b.push(0)
    b.next()
  }
  return finish(
    'fanOut',
    n,
    keysOf(n, (v) => (v === 0 ? 'fan/root' : `fan/n${v}`)),
    b,
    opts,
    new Rng(opts.seed ?? 1),
  )
}

/**
 * `n - 1` roots and one sink that depends on all of them.
 * @example fanIn(10).depOffsets[10] // 9
 */
export function fanIn(n: number, opts: GenOptions = {}): CsrGraph {
  const b = new CsrBuilder(n, n)
  for (let v = 0; v < n; v++) {
    if (v === n - 1) for (let u = 0; u < n - 1; u++) b.push(u)
    b.next()
  }
  return finish(
    'fanIn',
    n,
    keysOf(n, (v) => (v === n - 1 && n > 1 ? 'fan/sink' : `fan/n${v}`)),
    b,
    opts,
    new Rng(opts.seed ?? 1),
  )
}

/**
 * Random layered DAG: layers of `width` nodes; a node outside layer 0 has 1–5 distinct deps (mean 3),
 * 80% from the previous layer, 20% from any earlier one.
 * @example layered(10_000, { seed: 7 })
 */
export function layered(n: number, opts: GenOptions = {}): CsrGraph {
  const rng = new Rng(opts.seed ?? 1)
  const width = Math.max(1, opts.width ?? Math.round(Math.sqrt(n)))
  const b = new CsrBuilder(n, 3 * n)
  for (let v = 0; v < n; v++) {
    const layer = Math.floor(v / width)
    if (layer > 0) {
      const lo = (layer - 1) * width
      const hi = layer * width
      const want = Math.min(rng.range(1, 5), hi)
      for (let got = 0, tries = 0; got < want && tries < 50; tries++) {
        const u = rng.chance(0.8) ? lo + rng.int(hi - lo) : rng.int(hi)
        if (b.add(u)) got++
      }
    }
    b.next()
  }
  return finish(
    'layered',
    n,
    keysOf(n, (v) => `layer${Math.floor(v / width)}/n${v}`),
    b,
    opts,
    rng,
  )
}

/**
 * Grid of `ceil(sqrt(n))` columns: each node depends on the one to its left and the one above.
 * @example diamond(9) // 3x3 lattice, 12 edges
 */
export function diamond(n: number, opts: GenOptions = {}): CsrGraph {
  const w = Math.max(1, Math.ceil(Math.sqrt(n)))
  const b = new CsrBuilder(n, 2 * n)
  for (let v = 0; v < n; v++) {
    if (v % w > 0) b.push(v - 1)
    if (v >= w) b.push(v - w)
    b.next()
  }
  return finish(
    'diamond',
    n,
    keysOf(n, (v) => `grid/r${Math.floor(v / w)}_c${v % w}`),
    b,
    opts,
    new Rng(opts.seed ?? 1),
  )
}

/**
 * Preferential attachment: node `i` picks `min(k, i)` distinct deps among earlier nodes, each with
 * probability proportional to (number of dependents + 1).
 * @example powerLaw(100_000, { k: 3 })
 */
export function powerLaw(n: number, opts: GenOptions = {}): CsrGraph {
  const rng = new Rng(opts.seed ?? 1)
  const k = Math.max(1, opts.k ?? 3)
  // One ticket per node plus one per time it was picked: a uniform ticket is a weighted node.
  const tickets = new Uint32Array(n * (k + 1) + 1)
  let tlen = 0
  const b = new CsrBuilder(n, k * n)
  for (let v = 0; v < n; v++) {
    const want = Math.min(k, v)
    let got = 0
    for (let tries = 0; got < want && tries < 32 * want; tries++) if (b.add(tickets[rng.int(tlen)] ?? 0)) got++
    for (let u = v - 1; got < want; u--) if (b.add(u)) got++ // hubs saturated: take recent nodes
    for (let i = b.start; i < b.start + got; i++) tickets[tlen++] = b.at(i)
    tickets[tlen++] = v
    b.next()
  }
  return finish(
    'powerLaw',
    n,
    keysOf(n, (v) => `pl/n${v}`),
    b,
    opts,
    rng,
  )
}

const WORDS = [
  'orders',
  'customers',
  'payments',
  'products',
  'sessions',
  'events',
  'invoices',
  'users',
  'items',
  'shipments',
  'refunds',
  'accounts',
]

/**
 * A dbt-like project: domains of ~`domainSize` assets (15% sources, 25% staging, then intermediate,
 * then marts). Staging reads 1–2 domain sources; others read 1–5 earlier non-sources of the domain,
 * with 4% of edges going to one of ~20 hub staging assets across domains. Keys like
 * `d012/stg_orders_7`; labels `group:d012`, `kind:source|staging|intermediate|mart`,
 * `owner:team-N`, and `tag:pii` (3%) / `tag:finance` (2%).
 * @example dbt(50_000).labels?.names.includes('kind:staging') // true
 */
export function dbt(n: number, opts: GenOptions = {}): CsrGraph {
  const rng = new Rng(opts.seed ?? 1)
  const domains = Math.max(1, Math.round(n / (opts.domainSize ?? 500)))
  const pad = Math.max(3, String(domains - 1).length)
  const bound = (d: number): number => Math.floor((d * n) / domains)
  const split = (d: number): { start: number; stg: number; rest: number; mart: number } => {
    const start = bound(d)
    const m = bound(d + 1) - start
    const nSrc = Math.max(1, Math.round(0.15 * m))
    const nStg = Math.min(m - nSrc, Math.round(0.25 * m))
    const rest = start + nSrc + nStg
    return { start, stg: start + nSrc, rest, mart: rest + Math.floor((bound(d + 1) - rest) / 2) }
  }
  const hubSet = new Set<number>()
  for (let j = 0; j < 20; j++) {
    const s = split(Math.floor((j * domains) / 20))
    if (s.rest > s.stg) hubSet.add(s.stg + rng.int(s.rest - s.stg))
  }
  const hubs = Uint32Array.from([...hubSet].sort((a, b) => a - b))
  const names: string[] = ['kind:source', 'kind:staging', 'kind:intermediate', 'kind:mart', 'tag:pii', 'tag:finance']
  const nameIds = new Map<string, number>(names.map((s, i) => [s, i]))
  const labelId = (s: string): number => {
    let id = nameIds.get(s)
    if (id === undefined) nameIds.set(s, (id = names.push(s) - 1))
    return id
  }
  const labelOffsets = new Uint32Array(n + 1)
  const labelIds = new Uint32Array(n * 5)
  let nl = 0
  const keys = new Array<string>(n)
  const sources = new Uint8Array(n)
  const b = new CsrBuilder(n, 3 * n)
  let hubsBelow = 0
  for (let d = 0; d < domains; d++) {
    const s = split(d)
    const end = bound(d + 1)
    const group = labelId(`group:d${String(d).padStart(pad, '0')}`)
    const owner = labelId(`owner:team-${d % 16}`)
    for (let v = s.start; v < end; v++) {
      while (hubsBelow < hubs.length && (hubs[hubsBelow] ?? 0) < v) hubsBelow++
      const kind = v < s.stg ? 0 : v < s.rest ? 1 : v < s.mart ? 2 : 3
      if (kind === 0) sources[v] = 1
      else {
        const want = kind === 1 ? (rng.chance(0.2) ? 2 : 1) : rng.range(1, 5)
        // Staging reads sources; the others read earlier non-sources (sources if there are none).
        const [lo, hi] = kind === 1 || v === s.stg ? [s.start, s.stg] : [s.stg, v]
        for (let got = 0, tries = 0; got < want && tries < 50; tries++) {
          const u = hubsBelow > 0 && rng.chance(0.04) ? (hubs[rng.int(hubsBelow)] ?? 0) : lo + rng.int(hi - lo)
          if (b.add(u)) got++
        }
      }
      b.next()
      const prefix = ['raw', 'stg', 'int', 'mart'][kind] ?? 'x'
      keys[v] = `d${String(d).padStart(pad, '0')}/${prefix}_${WORDS[rng.int(WORDS.length)] ?? 'x'}_${v - s.start}`
      labelIds[nl++] = group
      labelIds[nl++] = kind
      labelIds[nl++] = owner
      if (rng.chance(0.03)) labelIds[nl++] = 4
      if (rng.chance(0.02)) labelIds[nl++] = 5
      labelOffsets[v + 1] = nl
    }
  }
  const labels = { names, offsets: labelOffsets, ids: labelIds.slice(0, nl) }
  return finish('dbt', n, keys, b, opts, rng, sources, labels)
}

const GENERATORS: Record<Shape, (n: number, opts?: GenOptions) => CsrGraph> = {
  chain,
  fanOut,
  fanIn,
  layered,
  diamond,
  dbt,
  powerLaw,
  hub,
  wideFanIn,
}

/**
 * Generates a graph of the named shape.
 * @example generate('dbt', 100_000, { seed: 3, order: 'shuffled' })
 */
export function generate(shape: Shape, n: number, opts: GenOptions = {}): CsrGraph {
  return GENERATORS[shape](n, opts)
}

/**
 * Renumbers ids by a seeded permutation (keys, sources and labels move with their asset; each
 * asset's dep list keeps its order, remapped).
 * @example shuffleIds(chain(5), new Rng(1)).keys
 */
export function shuffleIds(g: CsrGraph, rng: Rng): CsrGraph {
  const { n } = g
  const newId = new Uint32Array(n)
  for (let i = 0; i < n; i++) newId[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const t = newId[i] ?? 0
    newId[i] = newId[j] ?? 0
    newId[j] = t
  }
  const oldId = new Uint32Array(n)
  for (let v = 0; v < n; v++) oldId[newId[v] ?? 0] = v
  const depOffsets = new Uint32Array(n + 1)
  const deps = new Uint32Array(g.deps.length)
  const keys = new Array<string>(n)
  const sources = new Uint8Array(n)
  for (let j = 0, e = 0; j < n; j++) {
    const v = oldId[j] ?? 0
    for (let i = g.depOffsets[v] ?? 0, end = g.depOffsets[v + 1] ?? 0; i < end; i++)
      deps[e++] = newId[g.deps[i] ?? 0] ?? 0
    depOffsets[j + 1] = e
    keys[j] = g.keys[v] ?? ''
    sources[j] = g.sources[v] ?? 0
  }
  const out: CsrGraph = { name: g.name, n, keys, depOffsets, deps, sources }
  if (g.labels) {
    const { offsets, ids } = g.labels
    const lo = new Uint32Array(n + 1)
    const li = new Uint32Array(ids.length)
    for (let j = 0, e = 0; j < n; j++) {
      const v = oldId[j] ?? 0
      for (let i = offsets[v] ?? 0, end = offsets[v + 1] ?? 0; i < end; i++) li[e++] = ids[i] ?? 0
      lo[j + 1] = e
    }
    out.labels = { names: g.labels.names, offsets: lo, ids: li }
  }
  return out
}

/** Size and degree figures benchmarks print beside their timings. */
export interface GraphStats {
  n: number
  edges: number
  sources: number
  avgInDegree: number
  maxInDegree: number
  maxOutDegree: number
}

/**
 * Counts nodes, edges, sources and degrees.
 * @example graphStats(fanOut(100)).maxOutDegree // 99
 */
export function graphStats(g: CsrGraph): GraphStats {
  const out = new Uint32Array(g.n)
  let maxIn = 0
  let maxOut = 0
  let sources = 0
  for (let v = 0; v < g.n; v++) {
    maxIn = Math.max(maxIn, (g.depOffsets[v + 1] ?? 0) - (g.depOffsets[v] ?? 0))
    sources += g.sources[v] ?? 0
  }
  for (const u of g.deps) maxOut = Math.max(maxOut, (out[u] = (out[u] ?? 0) + 1))
  return {
    n: g.n,
    edges: g.deps.length,
    sources,
    avgInDegree: g.n ? g.deps.length / g.n : 0,
    maxInDegree: maxIn,
    maxOutDegree: maxOut,
  }
}

/**
 * The graph as one object per asset, the input the idiomatic baseline takes.
 * @example toAssetList(chain(2)) // [{ key: 'chain/n0', deps: [], source: true }, …]
 */
export function toAssetList(g: CsrGraph): { key: string; deps: string[]; source: boolean }[] {
  const list: { key: string; deps: string[]; source: boolean }[] = []
  for (let v = 0; v < g.n; v++) {
    const deps: string[] = []
    for (let i = g.depOffsets[v] ?? 0, end = g.depOffsets[v + 1] ?? 0; i < end; i++)
      deps.push(g.keys[g.deps[i] ?? 0] ?? '')
    list.push({ key: g.keys[v] ?? '', deps, source: g.sources[v] === 1 })
  }
  return list
}
