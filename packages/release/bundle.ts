/**
 * Bundles the compiled JavaScript of the packages on the start-up path (the library and the CLI)
 * into a few files: each export entry keeps its path (`dist/index.js`, `dist/testing/index.js`), the
 * code they share goes to chunks beside `dist/index.js`, and lazily loaded modules (the CLI's
 * commands) stay lazy as chunks of their own. Node's ES-module loader costs about half a millisecond
 * per module on this class of machine; the library was 144 modules, so `import` of it spent more
 * time resolving and reading files than running them (issue 12's start-up row).
 *
 * Dependencies stay external (`packages: 'external'`): the user's installed zod, pino,
 * better-sqlite3 and the native addon are the ones loaded. Names are kept (`keepNames`), so
 * function and class names, which stack frames, code versions and error names read, are the
 * sources' names. Declarations are tsc's, untouched.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import path from 'node:path'

import { buildSync } from 'esbuild'

import type { Pkg } from './workspace.js'

/** The packages whose dist/ is bundled: what `assets` and `import '@rivers-orchestrator/rivers'` load. */
export const BUNDLED: ReadonlySet<string> = new Set(['@rivers-orchestrator/rivers', '@rivers-orchestrator/cli'])

/**
 * The JavaScript entries of a package's exports, relative to dist/ without `.js`
 * (`./dist/testing/index.js` → `testing/index`).
 *
 * @example
 * bundleEntries(pkg) // ['index', 'plugin', 'testing/index']
 */
export function bundleEntries(p: Pkg): string[] {
  const entries: string[] = []
  for (const target of Object.values(p.manifest.exports ?? {})) {
    const js = typeof target === 'object' ? target.default : undefined
    const match = js === undefined ? null : /^\.\/dist\/(.+)\.js$/.exec(js)
    if (match) entries.push(match[1]!)
  }
  return entries
}

/** The files under `dir` (relative paths), recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

/**
 * Replaces tsc's JavaScript in `dist` (one file per module) by the bundle of the package's export
 * entries; declarations and copied assets (`.mjs` loader hooks) stay. Returns the files written.
 * Throws, naming the package, when esbuild reports an error.
 *
 * @example
 * bundleDist(pkg, '/repo/packages/rivers/dist') // ['index.js', 'plugin.js', 'testing/index.js', 'chunk-AB12CD34.js']
 */
export function bundleDist(p: Pkg, dist: string): string[] {
  const entries = bundleEntries(p)
  for (const e of entries)
    if (!existsSync(path.join(dist, `${e}.js`)))
      throw new Error(
        `${p.manifest.name}: export entry dist/${e}.js was not emitted by tsc; check package.json exports`,
      )
  // Beside dist/ (same file system: the outputs are renamed into place).
  const out = mkdtempSync(path.join(path.dirname(dist), '.bundle-'))
  try {
    const result = buildSync({
      entryPoints: entries.map((e) => ({ in: path.join(dist, `${e}.js`), out: e })),
      outdir: out,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      keepNames: true,
      chunkNames: 'chunk-[hash]',
      logLevel: 'silent',
    })
    if (result.errors.length > 0)
      throw new Error(`${p.manifest.name}: esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`)
    // tsc's modules go; what is not JavaScript (declarations, loader hooks) stays.
    for (const f of filesUnder(dist)) if (f.endsWith('.js')) rmSync(path.join(dist, f))
    const written = filesUnder(out)
    for (const f of written) {
      mkdirSync(path.dirname(path.join(dist, f)), { recursive: true })
      renameSync(path.join(out, f), path.join(dist, f))
    }
    return written
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}
