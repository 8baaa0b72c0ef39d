/**
 * The built JavaScript a user installs from npm (`dist/`, compiled by `packages/release/build-ts.ts`,
 * the `npm run build:ts` of packing), for the start-up rows: the checkout runs the TypeScript sources
 * through tsx, which no user outside it does. `dist/` is rebuilt when it is missing or older than a
 * source file, so a row never times stale code; the CLI is laid out as npm installs it (its `bin/`
 * beside `dist/`, no `src/`), so `bin/assets.mjs` takes its installed path.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
/** The packages whose `dist/` the built rows run, each with its entry file. */
const PACKAGES = [
  { dir: 'packages/rivers', entry: 'dist/index.js' },
  { dir: 'packages/cli', entry: 'dist/main.js' },
] as const

/** Newest modification time (ms) of the files under `dir` (0 when it does not exist). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0
  let max = 0
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) max = Math.max(max, statSync(path.join(e.parentPath, e.name)).mtimeMs)
  return max
}

/** Why `dist/` must be (re)built, or undefined when every entry is newer than its package's sources. */
function staleness(): string | undefined {
  for (const p of PACKAGES) {
    const entry = path.join(ROOT, p.dir, p.entry)
    if (!existsSync(entry)) return `${p.dir}/${p.entry} is missing`
    if (newest(path.join(ROOT, p.dir, 'src')) > statSync(entry).mtimeMs) return `${p.dir}/src is newer than dist/`
  }
  return undefined
}

/**
 * Builds `dist/` of the library and the CLI when missing or stale; returns what it did (for the
 * log), or throws with the build's output when the build fails.
 *
 * @example
 * ctx.log(`  ${ensureBuilt()}`) // 'dist/ up to date' or 'built dist/ (packages/cli/src is newer than dist/) in 31.2 s'
 */
export function ensureBuilt(): string {
  const why = staleness()
  if (why === undefined) return 'dist/ up to date'
  const t0 = performance.now()
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'packages/release/build-ts.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  })
  if (r.status !== 0)
    throw new Error(`npm run build:ts failed (exit ${r.status}); fix the build first:\n${r.stdout}${r.stderr}`)
  return `built dist/ (${why}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`
}

/**
 * The `assets` command as npm installs it: `<dir>/bin/assets.mjs`, `package.json` and `dist/` (a
 * link to the built one), no `src/`. Its dependencies resolve from the checkout's `node_modules`, the
 * library to its `dist/` (no source condition). Returns the path of its `bin/assets.mjs`.
 *
 * @example
 * spawnSync(process.execPath, [installedCli(path.join(WORK, 'installed-cli')), '--version'])
 */
export function installedCli(dir: string): string {
  const cli = path.join(ROOT, 'packages/cli')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(path.join(dir, 'bin'), { recursive: true })
  copyFileSync(path.join(cli, 'bin/assets.mjs'), path.join(dir, 'bin/assets.mjs'))
  copyFileSync(path.join(cli, 'package.json'), path.join(dir, 'package.json'))
  symlinkSync(path.join(cli, 'dist'), path.join(dir, 'dist'), 'dir')
  return path.join(dir, 'bin/assets.mjs')
}
