/**
 * npm packages as the code version sees them: found the way Node finds them (a `node_modules`
 * folder in the importer's folder or a parent), named by `name@version` from their package.json,
 * together with the packages they depend on (transitively). A package whose real path lies outside
 * every `node_modules` folder (a `file:` dependency, a workspace or `npm link`ed package) is local
 * code: the closure follows its files instead of trusting its version.
 */
import path from 'node:path'

import type { Probe } from './probe.js'

/**
 * One installed package.
 *
 * @example
 * const zod: PackageInfo = { name: 'zod', version: '4.1.0', dir: '/p/node_modules/zod', linked: false, manifest: {} }
 */
export interface PackageInfo {
  readonly name: string
  readonly version: string
  /** Real path of the package folder. */
  readonly dir: string
  /** True when the real path is outside every node_modules folder (followed as local modules). */
  readonly linked: boolean
  /** Its package.json. */
  readonly manifest: Record<string, unknown>
}

/**
 * The package name of a bare specifier and the subpath asked for (`./sub`, or `.`).
 *
 * @example
 * splitBare('@scope/pkg/util/x') // { name: '@scope/pkg', subpath: './util/x' }
 */
export function splitBare(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/')
  const n = specifier.startsWith('@') ? 2 : 1
  const rest = parts.slice(n).join('/')
  return { name: parts.slice(0, n).join('/'), subpath: rest === '' ? '.' : `./${rest}` }
}

/**
 * Finds the package `name` from folder `from` (its node_modules, then its parents'), as Node does.
 *
 * @example
 * findPackage('zod', '/project/src', probe)?.version // '4.1.0'
 */
export function findPackage(name: string, from: string, probe: Probe): PackageInfo | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', name)
      const info = readPackage(candidate, probe)
      if (info !== undefined) return info
    }
    if (path.dirname(dir) === dir) return undefined
  }
}

/**
 * The package whose folder is `dir` (a link is followed), or `undefined` without a package.json.
 *
 * @example
 * readPackage('/project/node_modules/zod', probe)
 */
export function readPackage(dir: string, probe: Probe): PackageInfo | undefined {
  const manifest = probe.readJson(path.join(dir, 'package.json'))
  if (typeof manifest !== 'object' || manifest === null) return undefined
  const m = manifest as Record<string, unknown>
  const real = probe.realpath(dir)
  return {
    name: typeof m.name === 'string' ? m.name : path.basename(dir),
    version: typeof m.version === 'string' ? m.version : '(no version)',
    dir: real,
    linked: !real.split(path.sep).includes('node_modules'),
    manifest: m,
  }
}

/**
 * The package a file belongs to: the nearest folder above it with a package.json.
 *
 * @example
 * owningPackage('/p/node_modules/zod/lib/index.js', probe)?.name // 'zod'
 */
export function owningPackage(file: string, probe: Probe): PackageInfo | undefined {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (probe.isFile(path.join(dir, 'package.json'))) return readPackage(dir, probe)
    if (path.dirname(dir) === dir) return undefined
  }
}

const DEP_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const

/**
 * `pkg` and every installed package it depends on, transitively (by real folder, each once).
 * Dependencies that are not installed are left out: nothing can load them.
 *
 * @example
 * packageClosure(findPackage('express', dir, probe)!, probe).map((p) => `${p.name}@${p.version}`)
 */
export function packageClosure(pkg: PackageInfo, probe: Probe): PackageInfo[] {
  const seen = new Map<string, PackageInfo>([[pkg.dir, pkg]])
  const queue = [pkg]
  while (queue.length > 0) {
    const p = queue.pop()!
    for (const field of DEP_FIELDS) {
      const deps = p.manifest[field]
      if (typeof deps !== 'object' || deps === null) continue
      for (const name of Object.keys(deps)) {
        const dep = findPackage(name, p.dir, probe)
        if (dep === undefined || seen.has(dep.dir)) continue
        seen.set(dep.dir, dep)
        queue.push(dep)
      }
    }
  }
  return [...seen.values()]
}

/**
 * Every string target of a package.json `exports`/`imports` entry (all conditions: the closure
 * takes every file any condition could load).
 *
 * @example
 * conditionTargets({ import: './esm/index.js', require: './cjs/index.cjs' }) // ['./esm/index.js', './cjs/index.cjs']
 */
export function conditionTargets(entry: unknown): string[] {
  if (typeof entry === 'string') return [entry]
  if (Array.isArray(entry)) return entry.flatMap(conditionTargets)
  if (typeof entry === 'object' && entry !== null) return Object.values(entry).flatMap(conditionTargets)
  return []
}

/**
 * Targets of `key` in an `exports`/`imports` map (exact keys and `*` patterns), with the `*`
 * part substituted.
 *
 * @example
 * mapTargets({ './*': './src/*.ts' }, './util') // ['./src/util.ts']
 */
export function mapTargets(map: Record<string, unknown>, key: string): string[] {
  if (key in map) return conditionTargets(map[key])
  const out: string[] = []
  for (const [pattern, entry] of Object.entries(map)) {
    const star = pattern.indexOf('*')
    if (star < 0) continue
    const prefix = pattern.slice(0, star)
    const suffix = pattern.slice(star + 1)
    if (key.length < prefix.length + suffix.length || !key.startsWith(prefix) || !key.endsWith(suffix)) continue
    const part = key.slice(prefix.length, key.length - suffix.length)
    for (const t of conditionTargets(entry)) out.push(t.replaceAll('*', part))
  }
  return out
}
