/**
 * Compiles the published TypeScript packages to dist/: ESM JavaScript and declarations by tsc
 * (each package's tsconfig.build.json), the non-TypeScript files of src/ copied beside them
 * (loader hooks), the JavaScript of the library and the CLI bundled into a few files (bundle.ts:
 * start-up time), and only the declarations the package's exports reach (declarations.ts). Packages
 * build in dependency order, so that the CLI compiles against the library's published declarations,
 * as a user's project does.
 *
 * Only packing needs dist/: tests, tsx and `assets` in this checkout run the sources (the
 * `@rivers-orchestrator/source` export condition).
 *
 * Usage: node --import tsx packages/release/build-ts.ts
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import { BUNDLED, bundleDist } from './bundle.js'
import { pruneDeclarations } from './declarations.js'
import { DEP_FIELDS, ROOT, type Pkg, workspaces } from './workspace.js'

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc')

/**
 * The workspaces with a tsconfig.build.json, each after the workspaces it depends on.
 *
 * @example
 * buildOrder().map((p) => p.dir) // ['packages/rivers', 'packages/cli']
 */
export function buildOrder(all: readonly Pkg[] = workspaces()): Pkg[] {
  const built = all.filter((p) => existsSync(path.join(ROOT, p.dir, 'tsconfig.build.json')))
  const byName = new Map(built.map((p) => [p.manifest.name, p]))
  const order: Pkg[] = []
  const visit = (p: Pkg, stack: string[]) => {
    if (order.includes(p)) return
    if (stack.includes(p.manifest.name))
      throw new Error(`dependency cycle: ${[...stack, p.manifest.name].join(' -> ')}`)
    for (const field of DEP_FIELDS)
      for (const name of Object.keys(p.manifest[field] ?? {})) {
        const dep = byName.get(name)
        if (dep !== undefined) visit(dep, [...stack, p.manifest.name])
      }
    order.push(p)
  }
  for (const p of built) visit(p, [])
  return order
}

/**
 * The `types` targets of a package's exports (absolute paths).
 *
 * @example
 * typesEntries(pkg) // ['/repo/packages/rivers/dist/index.d.ts']
 */
export function typesEntries(p: Pkg): string[] {
  const entries: string[] = []
  for (const target of Object.values(p.manifest.exports ?? {}))
    if (typeof target === 'object' && typeof target.types === 'string')
      entries.push(path.join(ROOT, p.dir, target.types))
  return entries
}

/** Copies the files of `src` that tsc does not emit (not .ts, not snapshots) into `dist`. */
function copyAssets(src: string, dist: string): string[] {
  const copied: string[] = []
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name)
    const rel = path.relative(src, file)
    if (!entry.isFile() || entry.name.endsWith('.ts') || rel.split(path.sep).includes('__snapshots__')) continue
    mkdirSync(path.dirname(path.join(dist, rel)), { recursive: true })
    copyFileSync(file, path.join(dist, rel))
    copied.push(rel)
  }
  return copied
}

function build(p: Pkg): void {
  const dir = path.join(ROOT, p.dir)
  const dist = path.join(dir, 'dist')
  const started = Date.now()
  rmSync(dist, { recursive: true, force: true })
  const tsc = spawnSync(process.execPath, [TSC, '-p', path.join(dir, 'tsconfig.build.json')], { stdio: 'inherit' })
  if (tsc.status !== 0) {
    console.error(`build-ts: tsc failed for ${p.manifest.name} (${p.dir}/tsconfig.build.json)`)
    process.exit(tsc.status ?? 1)
  }
  const copied = copyAssets(path.join(dir, 'src'), dist)
  const bundled = BUNDLED.has(p.manifest.name) ? bundleDist(p, dist) : undefined
  const kept = pruneDeclarations(dist, typesEntries(p))
  console.log(
    `${p.manifest.name}: ${p.dir}/dist in ${((Date.now() - started) / 1000).toFixed(1)} s; ${bundled === undefined ? 'one module per source file' : `bundled into ${bundled.length} files`}; ${kept.length} declaration files (public surface), ${copied.length} copied (${copied.join(', ') || 'none'})`,
  )
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  for (const p of buildOrder()) build(p)
}
