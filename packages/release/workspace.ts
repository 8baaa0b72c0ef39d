/**
 * The packages of this repository, as the release scripts see them: the npm workspaces (root
 * package.json) and the per-platform packages of the native binding (bindings/node/npm/<target>).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The scope of every package name. */
export const SCOPE = '@rivers-orchestrator'

/** The folder of the native binding, whose `npm/` holds the platform packages. */
export const BINDING_DIR = 'bindings/node'

/** The fields of package.json the scripts read or write. */
export interface Manifest {
  name: string
  version: string
  private?: boolean
  workspaces?: string[]
  exports?: Record<string, string | Record<string, string>>
  files?: string[]
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  napi?: { binaryName?: string; targets?: string[] }
  [field: string]: unknown
}

/** One package: its folder relative to the root, and its manifest. */
export interface Pkg {
  dir: string
  manifest: Manifest
}

/** The dependency fields that may name another package of this repository. */
export const DEP_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const

/**
 * Reads a package.json.
 *
 * @example
 * readManifest('packages/rivers').name // '@rivers-orchestrator/rivers'
 */
export function readManifest(dir: string, root = ROOT): Manifest {
  return JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as Manifest
}

/**
 * Writes a package.json as npm does (two spaces, final newline).
 *
 * @example
 * writeManifest('packages/rivers', { ...readManifest('packages/rivers'), version: '0.2.0' })
 */
export function writeManifest(dir: string, manifest: Manifest, root = ROOT): void {
  writeFileSync(path.join(root, dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
}

/**
 * The npm workspaces, in the order the root lists them (`dir/*` patterns expanded).
 *
 * @example
 * workspaces().map((p) => p.dir) // ['bindings/node', 'packages/rivers', ...]
 */
export function workspaces(root = ROOT): Pkg[] {
  const dirs: string[] = []
  for (const pattern of readManifest('.', root).workspaces ?? []) {
    if (!pattern.endsWith('/*')) dirs.push(pattern)
    else {
      const parent = pattern.slice(0, -2)
      for (const entry of readdirSync(path.join(root, parent), { withFileTypes: true }).sort(byName))
        if (entry.isDirectory()) dirs.push(`${parent}/${entry.name}`)
    }
  }
  return dirs.filter((dir) => existsSync(path.join(root, dir, 'package.json'))).map((dir) => pkg(dir, root))
}

/**
 * The per-platform packages of the native binding (`bindings/node/npm/<target>`).
 *
 * @example
 * platformPackages()[0].manifest.name // '@rivers-orchestrator/native-darwin-arm64'
 */
export function platformPackages(root = ROOT): Pkg[] {
  const npm = path.join(root, BINDING_DIR, 'npm')
  if (!existsSync(npm)) return []
  return readdirSync(npm, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(npm, e.name, 'package.json')))
    .sort(byName)
    .map((e) => pkg(`${BINDING_DIR}/npm/${e.name}`, root))
}

/**
 * Every package that is published: the public workspaces and the platform packages.
 *
 * @example
 * publicPackages().map((p) => p.manifest.name)
 */
export function publicPackages(root = ROOT): Pkg[] {
  return [...workspaces(root).filter((p) => p.manifest.private !== true), ...platformPackages(root)]
}

function pkg(dir: string, root: string): Pkg {
  return { dir, manifest: readManifest(dir, root) }
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}
