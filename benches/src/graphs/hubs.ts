/**
 * The two shapes of issue 12 that stress hubs: `hub` (base libraries a large part of the graph
 * depends on, power-law fan-in and fan-out, like a package graph) and `wideFanIn` (aggregates over
 * thousands of inputs). Both are seeded; `generate('hub', n)` in `graphs.ts` is the usual entry.
 */
import { CsrBuilder, type CsrGraph, finish, type GenOptions } from '../graphs.js'
import { Rng } from '../rng.js'

/** Most deps picked in a package (plus a source and a base library) and most direct dependents, `hub` shape. */
export const HUB_MAX_DEGREE = 500

/**
 * Share of the packages that use each base library of the `hub` shape (90% of a package is downstream
 * of its libraries, so 11% to 27% of the graph is downstream of each).
 */
export const HUB_SHARES: readonly number[] = [0.3, 0.24, 0.18, 0.14, 0.12]

const GOLDEN = 0.6180339887498949

/** A power-law degree (Pareto, exponent 1.5: mostly 1–3, a tail into the hundreds), at most `cap`. */
function paretoDegree(rng: Rng, cap: number): number {
  return Math.max(1, Math.min(cap, Math.floor((1 - rng.float()) ** (-1 / 1.5))))
}

/**
 * A package-like graph with hubs. Five base libraries (`lib/base0…4`, each on one source) sit at the
 * bottom; the rest is split into packages of ~1000 assets (10% sources). Package `p` uses base
 * library `j` in a share `HUB_SHARES[j]` of the packages: its first asset depends on the used libraries, and
 * every later non-source asset has an earlier non-source of the package among its deps, so about
 * `HUB_SHARES[j]` of the graph is downstream of library `j`. In a package, deps are picked by
 * preferential attachment (power-law fan-out, capped at 500 direct dependents) and their number is
 * power-law (fan-in up to 500); about 1.5% of assets also depend directly on a used library (capped
 * at 500 direct dependents per library). Keys like `lib/base2`, `p0042/mod_17`.
 * @example hub(100_000).keys[0] // 'lib/src0'
 */
export function hub(n: number, opts: GenOptions = {}): CsrGraph {
  const rng = new Rng(opts.seed ?? 1)
  const nBase = Math.min(HUB_SHARES.length, Math.floor(n / 4))
  const b = new CsrBuilder(n, 3 * n)
  const keys = new Array<string>(n)
  const sources = new Uint8Array(n)
  const outDeg = new Uint32Array(n)
  const dep = (u: number): boolean => {
    if (outDeg[u]! >= HUB_MAX_DEGREE || !b.add(u)) return false
    outDeg[u]!++
    return true
  }
  // Base libraries: sources 0..nBase-1, libraries nBase..2*nBase-1.
  let v = 0
  for (; v < nBase; v++, b.next()) {
    sources[v] = 1
    keys[v] = `lib/src${v}`
  }
  for (; v < 2 * nBase; v++, b.next()) {
    dep(v - nBase)
    keys[v] = `lib/base${v - nBase}`
  }
  const rest = n - v
  const packages = Math.max(1, Math.round(rest / 1000))
  const pad = Math.max(4, String(packages - 1).length)
  // One ticket per non-source asset of the package plus one per time it was picked.
  const tickets = new Uint32Array(Math.max(16, 8 * Math.ceil(rest / packages) + 16))
  for (let p = 0; p < packages; p++) {
    const start = v
    const end = 2 * nBase + Math.floor(((p + 1) * rest) / packages)
    const m = end - start
    const nSrc = Math.max(1, Math.round(0.1 * m))
    const used: number[] = []
    // A low-discrepancy (Weyl) sequence, not a coin: the share holds at 10 packages as at 1000.
    for (let j = 0; j < nBase; j++) if (((p + 0.5) * GOLDEN + 0.37 * j) % 1 < (HUB_SHARES[j] ?? 0)) used.push(nBase + j)
    let tlen = 0
    const prefix = `p${String(p).padStart(pad, '0')}/`
    for (; v < end; v++) {
      keys[v] = `${prefix}${v - start < nSrc ? 'raw' : 'mod'}_${v - start}`
      if (v - start < nSrc) {
        sources[v] = 1
        b.next()
        continue
      }
      if (v - start === nSrc) {
        // The package's first module: on its sources and the base libraries it uses.
        for (const lib of used) dep(lib)
        dep(start + rng.int(nSrc))
      } else {
        const firstMod = start + nSrc
        const want = paretoDegree(rng, Math.min(HUB_MAX_DEGREE, v - firstMod))
        // The first dep is a non-source of the package (keeps the package downstream of its libraries).
        let got = 0
        for (let tries = 0; got < want && tries < 32 * want + 32; tries++)
          if (dep(tlen > 0 ? (tickets[rng.int(tlen)] ?? firstMod) : firstMod)) got++
        for (let u = v - 1; got < want && u >= firstMod; u--) if (dep(u)) got++
        if (got === 0) b.add(firstMod) // every earlier non-source saturated: over the cap rather than cut off
        if (rng.chance(0.3)) dep(start + rng.int(nSrc))
        if (used.length > 0 && rng.chance(0.015)) dep(used[rng.int(used.length)] ?? nBase)
      }
      for (let i = b.start; i < b.length; i++) {
        const u = b.at(i)
        if (u >= start + nSrc && tlen < tickets.length) tickets[tlen++] = u
      }
      if (tlen < tickets.length) tickets[tlen++] = v
      b.next()
    }
  }
  return finish('hub', n, keys, b, opts, rng, sources)
}

/**
 * Sources (half the graph), one staging asset per source (40%), aggregates that each read 2,000 to
 * 5,000 staging assets (at most 80% of them; one aggregate per 2,000 assets), and reports on 1–3
 * aggregates and one staging asset. Keys like `src/s12`, `stg/s12`, `agg/a3`, `report/r7`.
 * @example wideFanIn(10_000).deps.length // over 10k edges, most of them into 5 aggregates
 */
export function wideFanIn(n: number, opts: GenOptions = {}): CsrGraph {
  const rng = new Rng(opts.seed ?? 1)
  const nSrc = Math.max(1, Math.ceil(n / 2))
  const nStg = Math.min(n - nSrc, Math.floor(0.4 * n))
  const nAgg = Math.min(n - nSrc - nStg, Math.max(1, Math.round(n / 2000)))
  const aggStart = nSrc + nStg
  const b = new CsrBuilder(n, 2 * n + nAgg * 5000)
  const keys = new Array<string>(n)
  const picked = new Set<number>()
  for (let v = 0; v < n; v++) {
    if (v < nSrc) keys[v] = `src/s${v}`
    else if (v < aggStart) {
      b.push(v - nSrc)
      keys[v] = `stg/s${v - nSrc}`
    } else if (v < aggStart + nAgg) {
      // Floyd's sampling: `want` distinct staging assets in O(want).
      const want = Math.min(Math.floor(0.8 * nStg), 2000 + rng.int(3001))
      picked.clear()
      for (let j = nStg - want; j < nStg; j++) {
        const t = rng.int(j + 1)
        picked.add(picked.has(t) ? j : t)
      }
      for (const s of picked) b.push(nSrc + s)
      if (want === 0) b.push(nSrc > 0 ? rng.int(nSrc) : 0)
      keys[v] = `agg/a${v - aggStart}`
    } else {
      const want = Math.min(nAgg, rng.range(1, 3))
      for (let got = 0, tries = 0; got < want && tries < 50; tries++) if (b.add(aggStart + rng.int(nAgg))) got++
      if (nStg > 0) b.add(nSrc + rng.int(nStg))
      keys[v] = `report/r${v - aggStart - nAgg}`
    }
    b.next()
  }
  return finish('wideFanIn', n, keys, b, opts, rng)
}
