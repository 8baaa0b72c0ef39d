/**
 * Resolving one import specifier of a local module to what the code version must cover: local
 * files, an installed package, nothing (Node builtins and Rivers' own packages), or "unresolved".
 *
 * Where loaders differ (Node, tsx, bundlers), the resolver takes every candidate that exists rather
 * than guessing which one wins: `./x.js` covers both `x.ts` and `x.js` when both are there; an
 * extensionless `./x` covers `x.ts`, `x.js`, `x/index.ts`… Taking more is sound; missing the file
 * the loader really used would not be. tsconfig `paths` (with `baseUrl` and `extends`) and
 * package.json `imports` (`#x`) are followed.
 */
import { isBuiltin } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { findPackage, mapTargets, owningPackage, splitBare, type PackageInfo } from './packages.js'
import type { Probe } from './probe.js'

/**
 * Extensions tried for an extensionless specifier, in the order tsx tries them.
 *
 * @example
 * CODE_EXTENSIONS.includes(path.extname(file))
 */
export const CODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json', '.node']

/** NodeNext-style mapping: the TypeScript files a `.js`-family specifier can stand for. */
const TS_TWINS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx', '.js', '.jsx'],
  '.jsx': ['.tsx', '.jsx'],
  '.mjs': ['.mts', '.mjs'],
  '.cjs': ['.cts', '.cjs'],
}

/**
 * The scope whose packages are Rivers itself: not part of any code version (see the README).
 *
 * @example
 * specifier.startsWith(RIVERS_SCOPE) // '@rivers-orchestrator/rivers': skipped
 */
export const RIVERS_SCOPE = '@rivers-orchestrator/'

/**
 * What a specifier stands for.
 *
 * @example
 * const r: Resolution = { kind: 'files', files: ['/project/src/lib.ts'] }
 */
export type Resolution =
  | { kind: 'files'; files: string[] }
  | { kind: 'package'; pkg: PackageInfo; subpath: string }
  | { kind: 'skip'; why: 'builtin' | 'rivers' }
  | { kind: 'unresolved' }

/**
 * Resolves `specifier` as imported by the module `importer` (a real path).
 *
 * @example
 * resolveSpecifier('./lib.js', '/project/src/main.ts', probe) // { kind: 'files', files: ['/project/src/lib.ts'] }
 */
export function resolveSpecifier(specifier: string, importer: string, probe: Probe): Resolution {
  const spec = specifier.startsWith('#') ? specifier : specifier.replace(/[?#].*$/, '')
  if (spec.startsWith('node:') || isBuiltin(spec)) return { kind: 'skip', why: 'builtin' }
  if (spec.startsWith(RIVERS_SCOPE)) return { kind: 'skip', why: 'rivers' }
  const dir = path.dirname(importer)
  if (spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || path.isAbsolute(spec))
    return filesOrUnresolved(existingCandidates(path.resolve(dir, spec), probe))
  if (spec.startsWith('file:')) {
    try {
      return filesOrUnresolved(existingCandidates(fileURLToPath(spec), probe))
    } catch {
      return { kind: 'unresolved' }
    }
  }
  if (spec.startsWith('#')) return resolveImportsField(spec, importer, probe)
  const aliased = tsconfigPathFiles(spec, dir, probe)
  const { name, subpath } = splitBare(spec)
  const pkg = findPackage(name, dir, probe)
  if (pkg !== undefined) {
    // A tsconfig alias that shadows a package name: cover both.
    if (aliased.length > 0) return { kind: 'files', files: aliased }
    return { kind: 'package', pkg, subpath }
  }
  return filesOrUnresolved(aliased)
}

function filesOrUnresolved(files: string[]): Resolution {
  return files.length > 0 ? { kind: 'files', files } : { kind: 'unresolved' }
}

/**
 * Every existing file a path can stand for under Node, tsx and TypeScript's NodeNext rules: the
 * path itself, its TypeScript twins, the path with each code extension, and a folder's main and
 * index files.
 *
 * @example
 * existingCandidates('/project/src/lib.js', probe) // ['/project/src/lib.ts']
 */
export function existingCandidates(base: string, probe: Probe, depth = 0): string[] {
  const out: string[] = []
  const add = (f: string): void => {
    if (probe.isFile(f) && !out.includes(f)) out.push(f)
  }
  const ext = path.extname(base)
  const twins = TS_TWINS[ext]
  if (twins !== undefined) for (const t of twins) add(base.slice(0, -ext.length) + t)
  add(base)
  if (!CODE_EXTENSIONS.includes(ext) || ext === '') for (const e of CODE_EXTENSIONS) add(base + e)
  if (depth === 0 && probe.isDir(base)) {
    const manifest = probe.readJson(path.join(base, 'package.json')) as Record<string, unknown> | undefined
    for (const field of ['main', 'module']) {
      const main = manifest?.[field]
      if (typeof main === 'string') for (const f of existingCandidates(path.resolve(base, main), probe, 1)) add(f)
    }
    for (const e of CODE_EXTENSIONS) add(path.join(base, `index${e}`))
  }
  return out
}

/** `#x` through the `imports` field of the importer's nearest package.json. */
function resolveImportsField(spec: string, importer: string, probe: Probe): Resolution {
  const pkg = owningPackage(importer, probe)
  const imports = pkg?.manifest.imports
  if (pkg === undefined || typeof imports !== 'object' || imports === null) return { kind: 'unresolved' }
  const files: string[] = []
  let outside: Resolution | undefined
  for (const target of mapTargets(imports as Record<string, unknown>, spec)) {
    if (target.startsWith('./') || target.startsWith('../')) {
      for (const f of existingCandidates(path.resolve(pkg.dir, target), probe)) if (!files.includes(f)) files.push(f)
    } else outside ??= resolveSpecifier(target, path.join(pkg.dir, 'package.json'), probe)
  }
  if (files.length > 0) return { kind: 'files', files }
  return outside ?? { kind: 'unresolved' }
}

/** Files a tsconfig `paths` alias (of the nearest tsconfig.json, with `extends`) maps `spec` to. */
function tsconfigPathFiles(spec: string, dir: string, probe: Probe): string[] {
  const config = nearestTsconfig(dir, probe)
  if (config === undefined) return []
  const files: string[] = []
  for (const target of mapTargets(config.paths, spec)) {
    for (const f of existingCandidates(path.resolve(config.base, target), probe)) if (!files.includes(f)) files.push(f)
  }
  return files
}

interface PathsConfig {
  paths: Record<string, unknown>
  /** Folder the `paths` targets are relative to (`baseUrl`, else the tsconfig's own folder). */
  base: string
}

function nearestTsconfig(from: string, probe: Probe): PathsConfig | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'tsconfig.json')
    if (probe.isFile(file)) return pathsOf(file, probe, 0)
    if (path.dirname(dir) === dir || path.basename(dir) === 'node_modules') return undefined
  }
}

function pathsOf(file: string, probe: Probe, depth: number): PathsConfig | undefined {
  const json = probe.readJson(file, true) as
    | { extends?: unknown; compilerOptions?: { paths?: unknown; baseUrl?: unknown } }
    | undefined
  if (json === undefined) return undefined
  const dir = path.dirname(file)
  const options = json.compilerOptions ?? {}
  const inherited =
    typeof json.extends === 'string' && json.extends.startsWith('.') && depth < 8
      ? pathsOf(
          path.resolve(dir, json.extends.endsWith('.json') ? json.extends : `${json.extends}.json`),
          probe,
          depth + 1,
        )
      : undefined
  const base = typeof options.baseUrl === 'string' ? path.resolve(dir, options.baseUrl) : (inherited?.base ?? dir)
  if (typeof options.paths === 'object' && options.paths !== null)
    return { paths: options.paths as Record<string, unknown>, base }
  return inherited === undefined ? undefined : { paths: inherited.paths, base }
}
