/**
 * Code versions of a project's assets (the hash layouts are in crates/planner/SPEC.md):
 * - `codeVersion` given: `code-version` of it (pinned: nothing else counts);
 * - a command asset with a fixed command: `code-source` of its command text (command, env, cwd,
 *   contents of the files its arguments name), as before;
 * - any other asset (a function, a decorated method, a command computed by a function):
 *   `code-function` of its function's text, its own definition texts (`code-own`), the closure of
 *   the local modules on its definition stack (`code-closure`: files, npm packages, and a fresh
 *   nonce when some load could not be followed), and the loader code of the sources it reads.
 *
 * Cost: per asset, reading its definition stack (a few microseconds; none when `codeVersion` is
 * given) and one hash of its function text; per distinct stack, per module and per closure, the
 * work is done once. File hashes and import lists are cached by stat across processes.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { debuglog } from 'node:util'

import type { AssetDef, Project, SourceDef } from '../definitions/index.js'
import { SITE } from '../definitions/handles.js'
import { nativeModule } from '../native.js'
import { ModuleGraph } from './closure.js'
import { FileCache } from './file-cache.js'
import { rememberManifests, type ClosureManifest, type VersionManifest } from './manifest.js'
import { parseFrames } from '../definitions/frames.js'
import { closureHash, functionVersion, ownHash } from './layout.js'
import { Probe } from './probe.js'
import { Stacks, type StackInfo } from './stacks.js'

/**
 * Options of {@link closureCodeVersions}.
 *
 * @example
 * const options: CodeVersionOptions = { storeDir: '/project/.rivers' }
 */
export interface CodeVersionOptions {
  /** Store folder: file hashes are cached in `cache/` and version manifests kept in `code/`. */
  storeDir?: string
}

/** Loads that could not be followed and were already reported (once per process). */
const debugged = new Set<string>()

/**
 * The code version (32 hex digits) of every asset of `project`, in project order.
 *
 * @example
 * const versions = closureCodeVersions(project, { storeDir: '.rivers' })
 */
export function closureCodeVersions(project: Project, options: CodeVersionOptions = {}): string[] {
  const { hashStrings } = nativeModule()
  const n = project.assets.length
  const out = new Array<string>(n)
  const manifests = new Map<string, VersionManifest>()
  const closures = new Map<string, ClosureManifest>()
  const pinned = new Map<string, string>()
  const pending: number[] = []
  const sourceVersion = hashStrings('code-source', [''])
  for (let i = 0; i < n; i++) {
    const a = project.assets[i]!
    if (a.isSource) out[i] = sourceVersion
    else if (a.codeIsExplicit) {
      let v = pinned.get(a.codeSource)
      if (v === undefined) {
        v = hashStrings('code-version', [a.codeSource])
        pinned.set(a.codeSource, v)
        manifests.set(v, { v: 1, kind: 'pinned', pinned: a.codeSource })
      }
      out[i] = v
    } else if (Array.isArray((a.def as AssetDef).command)) {
      out[i] = hashStrings('code-source', [a.codeSource])
      manifests.set(out[i]!, { v: 1, kind: 'command' })
    } else pending.push(i)
  }
  const cacheDir = options.storeDir === undefined ? undefined : path.join(options.storeDir, 'cache')
  const files = new FileCache(cacheDir)
  if (pending.length > 0) computeClosureVersions(project, pending, out, manifests, closures, files)
  files.save()
  rememberManifests(options.storeDir, manifests, closures)
  return out
}

function computeClosureVersions(
  project: Project,
  pending: readonly number[],
  out: string[],
  manifests: Map<string, VersionManifest>,
  closures: Map<string, ClosureManifest>,
  files: FileCache,
): void {
  const { hashStrings } = nativeModule()
  const probe = new Probe()
  const stacks = new Stacks(probe, files)
  const graph = new ModuleGraph(probe, files)
  const stackOf = (def: AssetDef | SourceDef): string => def[SITE]?.frames() ?? ''
  const projectStack = project[SITE]?.frames() ?? ''
  const base = baseDir(projectStack)
  const rel = (file: string): string =>
    (base === undefined ? file : path.relative(base, file)).split(path.sep).join('/')

  // First pass: every stack (assets, the sources they read, defineProject) locates its regions.
  const assetStacks = pending.map((i) => stackOf(project.assets[i]!.def))
  for (const s of assetStacks) stacks.add(s)
  // Sources with loader code, by key (their versions are folded into their consumers').
  const loaders = new Map<string, { def: SourceDef; stack: string }>()
  for (const a of project.assets) {
    const def = a.def
    if (def.kind === 'source' && (def.load !== undefined || def.observe !== undefined))
      loaders.set(a.key, { def, stack: stackOf(def) })
  }
  for (const { stack } of loaders.values()) stacks.add(stack)
  stacks.add(projectStack)
  stacks.finish()

  // Closures, once per set of roots; own texts, once per stack.
  const closureMemo = new Map<string, string>()
  const closureByInfo = new Map<StackInfo, string>()
  const closureOf = (info: StackInfo): string => {
    const known = closureByInfo.get(info)
    if (known !== undefined) return known
    const key = `${info.roots.join('\n')}\n\n${info.packages.map((p) => p.dir).join('\n')}`
    let hex = closureMemo.get(key)
    if (hex !== undefined) {
      closureByInfo.set(info, hex)
      return hex
    }
    const c = graph.closure(info.roots)
    const packages = new Map(c.packages.map((p) => [p.dir, p]))
    for (const p of info.packages) packages.set(p.dir, p)
    const manifest: ClosureManifest = {
      v: 1,
      files: c.files
        .map((f) => [rel(f), stacks.maskedHash.get(f) ?? graph.node(f)?.hash ?? '(unreadable)'] as [string, string])
        .sort(byFirst),
      packages: [...packages.values()].map((p) => [p.name, p.version] as [string, string]).sort(byPair),
      unresolved: c.unresolved.map((u) => `${rel(u.file)}: ${u.what}`).sort(),
    }
    if (manifest.unresolved.length > 0) {
      // Something loads code Rivers cannot see: the version must change every time.
      manifest.nonce = randomBytes(16).toString('hex')
      debugUnresolved(manifest.unresolved)
    }
    hex = closureHash(manifest.files, manifest.packages, manifest.unresolved, manifest.nonce)
    closures.set(hex, manifest)
    closureMemo.set(key, hex)
    closureByInfo.set(info, hex)
    return hex
  }
  const ownMemo = new Map<string, { hex: string; own: Record<string, string> }>()
  const ownOf = (stack: string): { hex: string; own: Record<string, string> } => {
    let o = ownMemo.get(stack)
    if (o !== undefined) return o
    const info = stacks.info(stack)
    const byRel = [...info.own].map(([f, hashes]) => [rel(f), hashes] as const).sort((a, b) => cmp(a[0], b[0]))
    const own: Record<string, string> = {}
    for (const [r, hashes] of byRel) own[r] = ownHash([[r, hashes]])
    o = { hex: ownHash(byRel), own }
    ownMemo.set(stack, o)
    return o
  }

  const loaderVersion = new Map<string, string>()
  const loaderMemo = new Map<string, string>()
  for (const [key, { def, stack }] of loaders) {
    const text = `load ${String(def.load)}\nobserve ${String(def.observe)}`
    const { hex: ownHex } = ownOf(stack)
    const closureHex = closureOf(stacks.info(stack))
    const memo = `${ownHex}${closureHex}${text}`
    let v = loaderMemo.get(memo)
    if (v === undefined) loaderMemo.set(memo, (v = functionVersion(text, ownHex, closureHex, [])))
    loaderVersion.set(key, v)
  }

  const fnHash = new Map<string, string>()
  // Assets made in a loop share their stack, closure and function text: one hash for all of them.
  const versionMemo = new Map<string, Map<string, string>>()
  pending.forEach((i, j) => {
    const a = project.assets[i]!
    const stack = assetStacks[j]!
    const { hex: ownHex, own } = ownOf(stack)
    const closureHex = closureOf(stacks.info(stack))
    // Loader versions of the sources it reads, deduplicated and sorted (which source is which is
    // the graph's business: dep_added / dep_removed); the keys stay in the manifest for messages.
    const inputs: [string, string][] = []
    const loaders: string[] = []
    if (loaderVersion.size > 0)
      for (const d of a.deps) {
        const v = loaderVersion.get(d.key)
        if (v === undefined || inputs.some(([k]) => k === d.key)) continue
        inputs.push([d.key, v])
        if (!loaders.includes(v)) loaders.push(v)
      }
    loaders.sort()
    const context = loaders.length === 0 ? `${ownHex}${closureHex}` : `${ownHex}${closureHex}${loaders.join('')}`
    let byFn = versionMemo.get(context)
    if (byFn === undefined) versionMemo.set(context, (byFn = new Map()))
    let v = byFn.get(a.codeSource)
    if (v === undefined) {
      v = functionVersion(a.codeSource, ownHex, closureHex, loaders)
      byFn.set(a.codeSource, v)
    }
    out[i] = v
    if (!manifests.has(v)) {
      let fn = fnHash.get(a.codeSource)
      if (fn === undefined) {
        fn = hashStrings('code-source', [a.codeSource])
        fnHash.set(a.codeSource, fn)
      }
      manifests.set(v, { v: 1, kind: 'function', fn, own, closure: closureHex, inputs: inputs.sort(byFirst) })
    }
  })
}

/** The folder of the module that called defineProject: paths in versions are relative to it. */
function baseDir(projectStack: string): string | undefined {
  const first = parseFrames(projectStack, new Map())[0]
  return first === undefined ? undefined : path.dirname(first.file)
}

function debugUnresolved(unresolved: readonly string[]): void {
  for (const u of unresolved) {
    if (debugged.has(u)) continue
    debugged.add(u)
    debug(`code version: cannot follow ${u}; the assets that load it count as changed every time`)
  }
}

/** `NODE_DEBUG=rivers` prints these lines on stderr. */
const debug = debuglog('rivers')

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function byFirst(a: readonly [string, string], b: readonly [string, string]): number {
  return cmp(a[0], b[0]) || cmp(a[1], b[1])
}

const byPair = byFirst
