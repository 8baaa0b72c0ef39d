/**
 * The module graph of a project's local code and the closure of a set of root modules: every local
 * file statically reachable from them, the npm packages (with their own dependencies) they import,
 * and what could not be followed. Linked packages (real path outside node_modules) are followed as
 * local files through their `exports`/`main` (every condition), or, when those name nothing that
 * exists, through all their code files.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'

import type { FileCache } from './file-cache.js'
import { isLibraryFile } from '../definitions/frames.js'
import { conditionTargets, mapTargets, packageClosure, type PackageInfo } from './packages.js'
import type { Probe } from './probe.js'
import { CODE_EXTENSIONS, existingCandidates, RIVERS_SCOPE, resolveSpecifier } from './resolve.js'

/** A linked package with more code files than this is not listed: it is treated as unresolved. */
const MAX_LISTED_FILES = 5000

/**
 * One local module: its content hash and what it loads.
 *
 * @example
 * const m: ModuleNode = { file: '/p/src/a.ts', hash: '…', deps: ['/p/src/lib.ts'], packages: [], unresolved: [] }
 */
export interface ModuleNode {
  readonly file: string
  /** Its code hash (`FileEntry.code`: normalized tokens, or the content hash). */
  readonly hash: string
  /** Local files it loads (real paths). */
  readonly deps: readonly string[]
  /** npm packages it loads, with their dependencies. */
  readonly packages: readonly PackageInfo[]
  /** Loads that could not be followed, described (`import(name) at line 3`, `'~/lib' (not found)`). */
  readonly unresolved: readonly string[]
}

/**
 * What a set of roots reaches.
 *
 * @example
 * const c = graph.closure(['/p/rivers.config.ts'])
 * c.files // ['/p/rivers.config.ts', '/p/src/lib.ts']
 */
export interface Closure {
  readonly files: readonly string[]
  readonly packages: readonly PackageInfo[]
  /** Each load that could not be followed: the module and a description. */
  readonly unresolved: readonly { readonly file: string; readonly what: string }[]
}

/**
 * The local module graph, built lazily from the files the closures reach (each file once).
 *
 * @example
 * const graph = new ModuleGraph(new Probe(), new FileCache(undefined))
 * graph.closure(['/p/rivers.config.ts']).files
 */
export class ModuleGraph {
  readonly #nodes = new Map<string, ModuleNode>()

  constructor(
    readonly probe: Probe,
    readonly files: FileCache,
  ) {}

  /** The node of a local file (a real path); `undefined` when it cannot be read. */
  node(file: string): ModuleNode | undefined {
    const known = this.#nodes.get(file)
    if (known !== undefined) return known
    const st = this.probe.stat(file)
    if (st === undefined || !st.isFile()) return undefined
    let entry: ReturnType<FileCache['entry']>
    try {
      entry = this.files.entry(file, st)
    } catch {
      return undefined
    }
    const deps = new Set<string>()
    const packages = new Map<string, PackageInfo>()
    const unresolved: string[] = []
    const imports = entry.imports
    if (imports !== undefined) {
      for (const spec of imports.specifiers) this.#follow(spec, file, deps, packages, unresolved, false)
      for (const spec of imports.soft) this.#follow(spec, file, deps, packages, unresolved, true)
      unresolved.push(...imports.computed)
    }
    const node: ModuleNode = { file, hash: entry.code, deps: [...deps], packages: [...packages.values()], unresolved }
    this.#nodes.set(file, node)
    return node
  }

  #follow(
    spec: string,
    file: string,
    deps: Set<string>,
    packages: Map<string, PackageInfo>,
    unresolved: string[],
    soft: boolean,
  ): void {
    const r = resolveSpecifier(spec, file, this.probe)
    if (r.kind === 'files') {
      // Rivers' own modules (reached by a relative import from its tests) are not user code.
      for (const f of r.files) if (!isLibraryFile(this.probe.realpath(f))) deps.add(this.probe.realpath(f))
    } else if (r.kind === 'package') {
      if (r.pkg.name.startsWith(RIVERS_SCOPE)) return
      if (!r.pkg.linked) {
        for (const p of packageClosure(r.pkg, this.probe)) if (!p.name.startsWith(RIVERS_SCOPE)) packages.set(p.dir, p)
        return
      }
      const entries = this.#linkedEntries(r.pkg, r.subpath)
      if (entries === undefined) unresolved.push(`'${spec}' (linked package with too many files to list)`)
      else for (const f of entries) deps.add(this.probe.realpath(f))
    } else if (r.kind === 'unresolved' && !soft) unresolved.push(`'${spec}' (not found)`)
  }

  /** Files a linked package's subpath can load: its exports/main targets, else all its code files. */
  #linkedEntries(pkg: PackageInfo, subpath: string): string[] | undefined {
    const exports = pkg.manifest.exports
    let targets: string[] = []
    if (exports !== undefined && exports !== null) {
      const isMap =
        typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'))
      if (isMap) targets = mapTargets(exports as Record<string, unknown>, subpath)
      else if (subpath === '.') targets = conditionTargets(exports)
    }
    const files: string[] = []
    const add = (fs: string[]): void => {
      for (const f of fs) if (!files.includes(f)) files.push(f)
    }
    for (const t of targets) add(existingCandidates(path.resolve(pkg.dir, t), this.probe))
    if (targets.length === 0) add(existingCandidates(path.resolve(pkg.dir, subpath), this.probe))
    if (files.length > 0) return files
    return listCodeFiles(pkg.dir)
  }

  /**
   * Every local file, package and unresolved load reachable from `roots` (real paths), sorted.
   *
   * @example
   * graph.closure(['/p/src/assets.ts'])
   */
  closure(roots: readonly string[]): Closure {
    const seen = new Set<string>()
    const packages = new Map<string, PackageInfo>()
    const unresolved: { file: string; what: string }[] = []
    const stack = [...roots]
    while (stack.length > 0) {
      const file = stack.pop()!
      if (seen.has(file)) continue
      seen.add(file)
      const node = this.node(file)
      if (node === undefined) {
        unresolved.push({ file, what: 'cannot be read' })
        continue
      }
      for (const d of node.deps) if (!seen.has(d)) stack.push(d)
      for (const p of node.packages) packages.set(p.dir, p)
      for (const what of node.unresolved) unresolved.push({ file, what })
    }
    return {
      files: [...seen].sort(),
      packages: [...packages.values()].sort((a, b) => cmp(a.name, b.name) || cmp(a.version, b.version)),
      unresolved,
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Every code file under `dir` (not in node_modules or dot folders), or `undefined` when too many. */
function listCodeFiles(dir: string): string[] | undefined {
  const out: string[] = []
  const stack = [dir]
  while (stack.length > 0) {
    const d = stack.pop()!
    let entries: import('node:fs').Dirent[]
    try {
      entries = readdirSync(d, { withFileTypes: true })
    } catch {
      continue
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue
      const full = path.join(d, e.name)
      if (e.isDirectory()) stack.push(full)
      else if (CODE_EXTENSIONS.includes(path.extname(e.name))) {
        out.push(full)
        if (out.length > MAX_LISTED_FILES) return undefined
      }
    }
  }
  return out.sort()
}
