/**
 * From definition stacks to what each one contributes to a code version: its root modules (the
 * local modules on the stack), the packages of npm frames, and its own definition texts (the
 * regions its frames stand in, with their enclosing regions), while every module is hashed once
 * with all located regions masked out.
 *
 * Soundness, per module M and stack S with a frame in M:
 * - a frame at a known position sees the innermost located region around that position and every
 *   region enclosing it (texts hashed with the regions nested inside cut out: those belong to the
 *   stacks that pass through them, and to nobody else);
 * - a frame whose position is unknown sees the whole text of M;
 * - everyone whose closure holds M sees M's text outside all regions.
 * So a character of M is hidden from an asset only if it lies in a region the asset's stack does
 * not pass through: the text of someone else's definition call (see `regions.ts` for when a call
 * qualifies). The README states this assumption: a definition call's text affects only what it
 * defines.
 */
import path from 'node:path'

import type { FileCache } from './file-cache.js'
import { parseFrames, type Frame } from '../definitions/frames.js'
import { moduleHash, regionHash } from './layout.js'
import type { Tokens } from './lexer.js'
import { owningPackage, packageClosure, type PackageInfo } from './packages.js'
import type { Probe } from './probe.js'
import { normalizedPieces } from './normalize.js'
import { locateRegion, offsetOf, regionForest, type Region } from './regions.js'
import { RIVERS_SCOPE } from './resolve.js'

const JSX = /\.[jt]sx$/
const NODE_MODULES = `${path.sep}node_modules${path.sep}`

/**
 * One distinct definition stack after analysis.
 *
 * @example
 * const s: StackInfo = { roots: ['/p/rivers.config.ts'], packages: [], own: new Map() }
 */
export interface StackInfo {
  /** Local modules on the stack (real paths), sorted. */
  readonly roots: readonly string[]
  /** Packages of the npm frames on the stack (with their dependencies). */
  readonly packages: readonly PackageInfo[]
  /**
   * Per module (real path): the definition texts this stack sees, in text order, as pairs of place
   * (`at N`: token position in the module's text outside regions; `child N`: index in its parent
   * region) and region hash; `whole` and the module's hash when a frame's position is unknown.
   */
  readonly own: ReadonlyMap<string, readonly string[]>
}

interface Located {
  readonly frames: Frame[]
  readonly roots: string[]
  readonly packages: PackageInfo[]
}

/**
 * Analyses many definition stacks against one set of modules.
 *
 * @example
 * const stacks = new Stacks(probe, files)
 * stacks.add(def[SITE].frames())
 * stacks.finish()
 * stacks.info(def[SITE].frames()).own
 */
export class Stacks {
  readonly #frameCache = new Map<string, Frame | null>()
  readonly #located = new Map<string, Located>()
  /** Per module: tokens and the regions located in it. */
  readonly #modules = new Map<string, { tokens: Tokens; regions: Region[] }>()
  readonly #regionMemo = new Map<string, Region | null>()
  readonly #infos = new Map<string, StackInfo>()
  #forests = new Map<string, { regions: Region[]; parent: number[]; hashes: string[]; place: string[] }>()
  /** Masked hash of each module with located regions. */
  readonly maskedHash = new Map<string, string>()

  constructor(
    readonly probe: Probe,
    readonly files: FileCache,
  ) {}

  /** Registers a stack (first pass: frames parsed, regions located). */
  add(stack: string, mask = true): void {
    if (this.#located.has(stack)) return
    const frames = trimInvokers(parseFrames(stack, this.#frameCache))
    const roots = new Set<string>()
    const packages = new Map<string, PackageInfo>()
    for (const f of frames) {
      if (f.file.includes(NODE_MODULES)) {
        const pkg = owningPackage(f.file, this.probe)
        if (pkg !== undefined && !pkg.name.startsWith(RIVERS_SCOPE))
          for (const p of packageClosure(pkg, this.probe)) packages.set(p.dir, p)
        continue
      }
      const file = this.probe.realpath(f.file)
      roots.add(file)
      if (mask && f.exact) this.#locate(file, f)
    }
    this.#located.set(stack, { frames, roots: [...roots].sort(), packages: [...packages.values()] })
  }

  #tokens(file: string): Tokens | undefined {
    const known = this.#modules.get(file)
    if (known !== undefined) return known.tokens
    const st = this.probe.stat(file)
    if (st === undefined) return undefined
    try {
      const tokens = this.files.tokens(file, st)
      this.#modules.set(file, { tokens, regions: [] })
      return tokens
    } catch {
      return undefined
    }
  }

  #locate(file: string, f: Frame): void {
    const key = `${file}\t${f.line}\t${f.col}\t${f.callees.join('|')}`
    if (this.#regionMemo.has(key)) return
    const tokens = this.#tokens(file)
    const r = tokens === undefined ? undefined : locateRegion(tokens, f.line, f.col, f.callees, JSX.test(file))
    this.#regionMemo.set(key, r ?? null)
    if (r !== undefined) this.#modules.get(file)!.regions.push(r)
  }

  /**
   * Second pass: per module, the region forest, each region's hash (its normalized text with the
   * regions nested in it cut out) and place (its token position in the module's remaining text, or
   * its index among its parent's children), and the module's masked hash (its normalized text
   * outside all regions: adding or removing a whole definition statement leaves it unchanged).
   */
  finish(): void {
    this.#forests = new Map()
    for (const [file, { tokens, regions }] of this.#modules) {
      if (regions.length === 0) continue
      const forest = regionForest(regions)
      const children = forest.regions.map(() => [] as Region[])
      const top: Region[] = []
      const place: string[] = []
      forest.regions.forEach((r, i) => {
        const p = forest.parent[i]!
        if (p < 0) top.push(r)
        else {
          place[i] = `child ${children[p]!.length}`
          children[p]!.push(r)
        }
      })
      const hashes = forest.regions.map((r, i) =>
        regionHash(normalizedPieces(tokens, r.first, r.last, children[i]!).pieces),
      )
      const outside = normalizedPieces(tokens, 0, tokens.count - 1, top)
      top.forEach((r, j) => {
        place[forest.regions.indexOf(r)] = `at ${outside.positions[j]}`
      })
      this.#forests.set(file, { ...forest, hashes, place })
      this.maskedHash.set(file, moduleHash([outside.pieces.join('')]))
    }
  }

  /** What a registered stack contributes (after `finish`). */
  info(stack: string): StackInfo {
    const known = this.#infos.get(stack)
    if (known !== undefined) return known
    const located = this.#located.get(stack)
    if (located === undefined) throw new Error(`internal: stack not registered before finish()`)
    const own = new Map<string, Set<number>>()
    const whole = new Map<string, string>()
    for (const f of located.frames) {
      if (f.file.includes(NODE_MODULES)) continue
      const file = this.probe.realpath(f.file)
      const forest = this.#forests.get(file)
      if (forest === undefined) continue
      if (!f.exact) {
        // Position unknown: this stack sees the whole module.
        const st = this.probe.stat(file)
        if (st !== undefined) whole.set(file, this.files.entry(file, st).code)
        continue
      }
      const tokens = this.#modules.get(file)!.tokens
      const at = offsetOf(tokens, f.line, f.col)
      let inner = -1
      forest.regions.forEach((r, i) => {
        if (r.start <= at && at < r.end) inner = i
      })
      const set = own.get(file) ?? new Set<number>()
      for (let i = inner; i >= 0; i = forest.parent[i]!) set.add(i)
      own.set(file, set)
    }
    const out = new Map<string, string[]>()
    for (const [file, set] of own) {
      const forest = this.#forests.get(file)!
      out.set(
        file,
        [...set].sort((a, b) => a - b).flatMap((i) => [forest.place[i]!, forest.hashes[i]!]),
      )
    }
    for (const [file, hash] of whole) out.set(file, [...(out.get(file) ?? []), 'whole', hash])
    const info: StackInfo = { roots: located.roots, packages: located.packages, own: out }
    this.#infos.set(stack, info)
    return info
  }
}

/**
 * Frames of npm packages below the last user frame belong to whatever invoked the user code (a test
 * runner, a plugin calling back later), not to the definition: they are dropped, unless the stack
 * has no user frame at all (a package defining assets itself).
 */
function trimInvokers(frames: Frame[]): Frame[] {
  let last = frames.length - 1
  while (last >= 0 && frames[last]!.file.includes(NODE_MODULES)) last--
  return last < 0 ? frames : frames.slice(0, last + 1)
}
