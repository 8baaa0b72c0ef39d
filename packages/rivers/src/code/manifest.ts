/**
 * Code manifests: what each code version was made of (files with their hashes, package versions,
 * the asset's own texts), kept in content-addressed files `<store>/code/<hex>.json` (written once,
 * atomically), so that `status` can say what changed between the version a record was built with
 * and the current one: "code changed: src/lib.ts; zod 4.1.0 → 4.2.0".
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

import { writeAtomic } from './file-cache.js'

/**
 * What one code version was made of.
 *
 * @example
 * const m: VersionManifest = { v: 1, kind: 'pinned', pinned: 'v3' }
 */
export type VersionManifest =
  | { v: 1; kind: 'pinned'; pinned: string }
  | { v: 1; kind: 'command' }
  | {
      v: 1
      kind: 'function'
      /** Hash of the function's text. */
      fn: string
      /** Per module (path relative to the project folder): hash of the definition texts the asset sees. */
      own: Record<string, string>
      /** The closure's version (its manifest is stored under that hash). */
      closure: string
      /** Loader versions of the sources it reads, by key. */
      inputs: [string, string][]
    }

/**
 * What a closure was made of.
 *
 * @example
 * const c: ClosureManifest = { v: 1, files: [['src/lib.ts', '…']], packages: [['zod', '4.1.0']], unresolved: [] }
 */
export interface ClosureManifest {
  v: 1
  /** Path relative to the project folder, and the module's hash (definition regions masked). */
  files: [string, string][]
  packages: [string, string][]
  unresolved: string[]
  nonce?: string
}

type Manifest = VersionManifest | ClosureManifest

/** Manifests computed by this process, by hash. */
const known = new Map<string, Manifest>()
/** Manifests known to be on disk, per store folder. */
const written = new Map<string, Set<string>>()

/**
 * Keeps the manifests of the versions just computed, and writes those not yet in the store.
 *
 * @example
 * rememberManifests('/project/.rivers', versions, closures)
 */
export function rememberManifests(
  storeDir: string | undefined,
  versions: ReadonlyMap<string, VersionManifest>,
  closures: ReadonlyMap<string, ClosureManifest>,
): void {
  if (known.size > 100_000) known.clear()
  for (const [hex, m] of versions) known.set(hex, m)
  for (const [hex, m] of closures) known.set(hex, m)
  if (storeDir === undefined) return
  let done = written.get(storeDir)
  if (done === undefined) written.set(storeDir, (done = new Set()))
  for (const map of [versions, closures] as ReadonlyMap<string, Manifest>[]) {
    for (const [hex, m] of map) {
      if (done.has(hex)) continue
      const file = manifestFile(storeDir, hex)
      if (existsSync(file) || writeAtomic(file, JSON.stringify(m))) done.add(hex)
    }
  }
}

function manifestFile(storeDir: string, hex: string): string {
  return path.join(storeDir, 'code', `${hex}.json`)
}

function load(storeDir: string, hex: string): Manifest | undefined {
  const mem = known.get(hex)
  if (mem !== undefined) return mem
  try {
    const m = JSON.parse(readFileSync(manifestFile(storeDir, hex), 'utf8')) as Manifest
    return m.v === 1 ? m : undefined
  } catch {
    return undefined
  }
}

/** Items of a list shown in full before "and N more". */
const SHOWN = 5

/**
 * What changed between the code version a record was built with and the current one, as the
 * detail of a `code_changed` message; `undefined` when the recorded version's manifest is unknown
 * (built before manifests existed, or the store's `code/` folder was removed).
 *
 * @example
 * describeCodeChange('/project/.rivers', recordedHex, currentHex)
 * // 'code changed: src/lib.ts; zod 4.1.0 → 4.2.0'
 */
export function describeCodeChange(storeDir: string, recorded: string, current: string): string | undefined {
  const before = load(storeDir, recorded) as VersionManifest | undefined
  const after = load(storeDir, current) as VersionManifest | undefined
  if (before === undefined || after === undefined || !('kind' in before) || !('kind' in after)) return undefined
  if (before.kind === 'pinned' || after.kind === 'pinned') {
    if (before.kind === 'pinned' && after.kind === 'pinned')
      return `codeVersion ${JSON.stringify(before.pinned)} → ${JSON.stringify(after.pinned)}`
    if (before.kind === 'pinned') return `codeVersion ${JSON.stringify(before.pinned)} removed`
    return `codeVersion ${JSON.stringify((after as { pinned: string }).pinned)} given`
  }
  if (before.kind === 'command' || after.kind === 'command') {
    return before.kind === after.kind
      ? 'its command, environment or script files changed'
      : 'it became a command asset, or stopped being one'
  }
  const parts: string[] = []
  const files: string[] = []
  const definitions = new Set([...Object.keys(before.own), ...Object.keys(after.own)])
  for (const f of [...definitions].sort()) if (before.own[f] !== after.own[f]) files.push(`${f} (its definition)`)
  if (before.fn !== after.fn && files.length === 0) files.push('its function')
  if (before.closure !== after.closure) {
    const a = load(storeDir, before.closure) as ClosureManifest | undefined
    const b = load(storeDir, after.closure) as ClosureManifest | undefined
    if (a === undefined || b === undefined) files.push('(modules: no record of the previous ones)')
    else {
      files.push(...diffFiles(a.files, b.files))
      parts.push(...diffPackages(a.packages, b.packages))
      if (b.unresolved.length > 0) parts.push(`cannot follow ${list(b.unresolved)} (treated as changed every time)`)
    }
  }
  const inputs = new Map(before.inputs)
  for (const [key, v] of after.inputs) if (inputs.get(key) !== v) parts.push(`the loader of source ${key} changed`)
  if (files.length > 0) parts.unshift(`code changed: ${list(files)}`)
  return parts.length > 0 ? parts.join('; ') : undefined
}

function diffFiles(before: [string, string][], after: [string, string][]): string[] {
  const a = new Map(before)
  const b = new Map(after)
  const out: string[] = []
  for (const [f, h] of after) {
    const old = a.get(f)
    if (old === undefined) out.push(`${f} (new)`)
    else if (old !== h) out.push(f)
  }
  for (const [f] of before) if (!b.has(f)) out.push(`${f} (no longer imported)`)
  return out
}

function diffPackages(before: [string, string][], after: [string, string][]): string[] {
  const versions = (list: [string, string][]): Map<string, string> => {
    const m = new Map<string, string>()
    for (const [name, v] of list) m.set(name, m.has(name) ? `${m.get(name)}, ${v}` : v)
    return m
  }
  const a = versions(before)
  const b = versions(after)
  const out: string[] = []
  for (const [name, v] of b) {
    const old = a.get(name)
    if (old === undefined) out.push(`${name} ${v} added`)
    else if (old !== v) out.push(`${name} ${old} → ${v}`)
  }
  for (const [name, v] of a) if (!b.has(name)) out.push(`${name} ${v} removed`)
  return out.length > SHOWN ? [...out.slice(0, SHOWN), `and ${out.length - SHOWN} more package changes`] : out
}

function list(items: readonly string[]): string {
  return items.length > SHOWN
    ? `${items.slice(0, SHOWN).join(', ')} and ${items.length - SHOWN} more`
    : items.join(', ')
}
