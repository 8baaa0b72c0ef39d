/**
 * The packages as a user gets them (issue 10's CI step). Packs every public package with `npm pack`
 * (this machine's platform package holds the addon built here), then, in a temporary folder outside
 * the checkout where nothing of the repository resolves, installs only those tarballs plus registry
 * dependencies and checks:
 *
 *   1. the README's "In a project of your own" blocks, run as written (install, tsconfig.json,
 *      rivers.config.ts, materialize, status, tsc), our package names pointing at the tarballs;
 *   2. the library imported from plain `node`, no tsx: define, materialize, read the summary, and
 *      `runAsset` from its `testing` entry;
 *   3. `assets init demo`, then in demo: npm install, `npx assets materialize`, `npm test`;
 *   4. the user projects type-checked with strict, skipLibCheck false, noPropertyAccessFromIndexSignature,
 *      exactOptionalPropertyTypes and noUncheckedIndexedAccess (timed, beside a baseline without Rivers);
 *   5. the platform package hidden: `assets` exits 2 with the explanation and no stack, and the
 *      library throws RIVERS_NATIVE_LOAD where the caller catches it;
 *   6. with RIVERS_TEST_PG_URL (.ci/run sets it): the team store installed as a user would
 *      (`npm install @rivers-orchestrator/store-postgres`), then `assets status` and `materialize`
 *      of the README project on a fresh database through RIVERS_STORE_URL.
 *
 * Registry installs download no binaries: better-sqlite3 builds from source (npm_config_build_from_source,
 * Node's own headers). The npm cache is $RIVERS_PACK_CACHE (default ~/.cache/rivers-pack-test) so a
 * second run downloads nothing. The starter's install starts from a copy of the first project's
 * node_modules (npm then adds and prunes to match its package.json), to compile better-sqlite3 once;
 * RIVERS_PACK_FRESH=1 installs it from nothing. RIVERS_PACK_KEEP=1 keeps the temporary folder.
 *
 * Usage: npm run test:pack (node --import tsx packages/release/pack-test/index.ts)   (after `npm ci`, which builds the addon)
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { quickStart, type QuickStartStep } from '../readme.js'
import { platformPackages, ROOT, SCOPE } from '../workspace.js'
import { hostTarget, pack, type Tarball } from './pack.js'
import { check, elapsed, figures, readJson, type Run, run, sh, state, step, writeJson } from './shell.js'

const STRICT = [
  '--strict',
  '--skipLibCheck',
  'false',
  '--noPropertyAccessFromIndexSignature',
  '--exactOptionalPropertyTypes',
  '--noUncheckedIndexedAccess',
]

/** package.json fields that make npm take our packages from the tarballs wherever they are needed. */
function overrides(packed: Map<string, Tarball>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const t of packed.values())
    if (t.name !== `${SCOPE}/rivers` && t.name !== `${SCOPE}/cli`) out[t.name] = `file:${t.file}`
  return out
}

/** A command line of the README with our package names replaced by their tarballs. */
function withTarballs(line: string, packed: Map<string, Tarball>): string {
  return line.replace(new RegExp(`${SCOPE}/(rivers|cli)(?=\\s|$)`, 'g'), (name) => packed.get(name)!.file)
}

/** Nothing the project resolves may come from the checkout. */
function checkIsolated(dir: string): void {
  const r = run('npm', ['ls', '--all', '--parseable'], dir, { allowFail: true })
  const leaks = r.stdout.split('\n').filter((p) => p.startsWith(ROOT))
  check(leaks.length === 0, `${dir} resolves packages from the checkout: ${leaks.slice(0, 5).join(', ')}`)
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d))
    check(!existsSync(path.join(d, 'node_modules')), `${d}/node_modules exists: the test projects would see it`)
}

function readmeProject(dir: string, packed: Map<string, Tarball>): void {
  step('README: "In a project of your own", as written (our names -> the tarballs)')
  mkdirSync(dir)
  // What `npm install <names>` would record, with the packages that are not on the registry yet
  // taken from the tarballs.
  writeJson(path.join(dir, 'package.json'), { name: 'quick-start', private: true, overrides: overrides(packed) })
  const steps: QuickStartStep[] = quickStart(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))
  let firstInstall = true
  for (const s of steps) {
    if (s.kind === 'file') {
      console.log(`(write ${s.name})`)
      writeFileSync(path.join(dir, s.name), s.text)
      continue
    }
    const r = sh(withTarballs(s.line, packed), dir)
    if (firstInstall && /^npm install /.test(s.line)) {
      firstInstall = false
      figures.push(`install time (README line, fresh node_modules, better-sqlite3 compiled): ${r.seconds.toFixed(1)} s`)
    }
  }
  checkIsolated(dir)
  const status = sh('npx assets status --json', dir)
  const assets = JSON.parse(status.stdout).assets as { key: string; status: string }[]
  check(
    assets.length >= 3 && assets.every((a) => a.status === 'fresh'),
    `after the README's first run, every asset should be fresh: ${status.stdout}`,
  )
}

function plainNode(dir: string): void {
  step('the library and its testing entry from plain node (compiled ESM, no tsx)')
  writeFileSync(
    path.join(dir, 'plain.mjs'),
    `import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { asset, defineProject, materialize } from '${SCOPE}/rivers'
import { runAsset } from '${SCOPE}/rivers/testing'

const raw = asset({ key: 'raw' }, () => [1, 2, 3])
const total = asset({ key: 'total', deps: { raw } }, ({ raw }) => raw.reduce((a, b) => a + b, 0))
const storeDir = mkdtempSync(path.join(tmpdir(), 'rivers-plain-'))
try {
  const summary = await materialize(defineProject({ assets: [total] }), { storeDir, logLevel: 'silent' })
  const tested = await runAsset(total, { inputs: { raw: [4, 5] } })
  console.log(JSON.stringify({ status: summary.status, materialized: summary.materialized, tested: tested.value }))
} catch (e) {
  console.log(JSON.stringify({ caught: e.code }))
}
`,
  )
  const r = run(process.execPath, ['plain.mjs'], dir)
  check(
    r.stdout.trim() === '{"status":"success","materialized":["raw","total"],"tested":9}',
    `node plain.mjs printed ${r.stdout}`,
  )
  console.log(`node plain.mjs -> ${r.stdout.trim()}`)
}

function starter(quick: string, demo: string, packed: Map<string, Tarball>): void {
  step('assets init demo; cd demo; npm install; npx assets materialize; npm test')
  const init = run(
    path.join(quick, 'node_modules', '.bin', 'assets'),
    ['init', path.basename(demo)],
    path.dirname(demo),
  )
  check(init.stdout.includes('Created a Rivers project'), `assets init printed ${init.stdout}`)
  if (process.env.RIVERS_PACK_FRESH !== '1')
    cpSync(path.join(quick, 'node_modules'), path.join(demo, 'node_modules'), { recursive: true })
  const manifest = readJson(path.join(demo, 'package.json'))
  writeJson(path.join(demo, 'package.json'), { ...manifest, overrides: overrides(packed) })
  // `npm install` of the starter, with our two direct dependencies from their tarballs.
  const install = sh(`npm install ${packed.get(`${SCOPE}/cli`)!.file} ${packed.get(`${SCOPE}/rivers`)!.file}`, demo)
  figures.push(
    `install time (starter${process.env.RIVERS_PACK_FRESH === '1' ? ', fresh' : ", from the first project's node_modules"}): ${install.seconds.toFixed(1)} s`,
  )
  checkIsolated(demo)
  const m = sh('npx assets materialize --json', demo)
  const summary = JSON.parse(m.stdout)
  check(
    summary.status === 'success' && summary.materialized.join(',') === 'orders,daily_revenue',
    `starter materialize: ${m.stdout}`,
  )
  sh('npx assets status', demo)
  const t = sh('npm test', demo)
  check(/2 passed/.test(t.stdout + t.stderr), `npm test of the starter: ${t.stdout}`)
  sh('npm run typecheck', demo)
}

function strictTypes(quick: string, demo: string): void {
  step(
    "users' tsc: strict, skipLibCheck false, noPropertyAccessFromIndexSignature, exactOptionalPropertyTypes, noUncheckedIndexedAccess",
  )
  const tsc = path.join(demo, 'node_modules', 'typescript', 'bin', 'tsc')
  // The faster of two runs: on a shared machine one run says little.
  const bestOf = (project: string, cwd: string) => {
    const runs = [0, 1].map(() => run(process.execPath, [tsc, '-p', project, ...STRICT, '--extendedDiagnostics'], cwd))
    return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a))
  }
  const starterRun = bestOf('.', demo)
  const quickRun = bestOf('.', quick)
  // The same check of a file that imports only what such a project imports anyway.
  const base = path.join(demo, 'baseline')
  mkdirSync(base, { recursive: true })
  writeFileSync(
    path.join(base, 'index.ts'),
    "import { z } from 'zod'\nimport { expect } from 'vitest'\nexpect(z.string().parse('x')).toBe('x')\n",
  )
  writeJson(path.join(base, 'tsconfig.json'), { extends: '../tsconfig.json', include: ['index.ts'] })
  const baseRun = bestOf('baseline', demo)
  const stats = (r: Run) => {
    const field = (name: string) => new RegExp(`^${name}:\\s+(\\S+)`, 'm').exec(r.stdout)?.[1] ?? '?'
    return `${r.seconds.toFixed(1)} s (${field('Files')} files, check ${field('Check time')})`
  }
  figures.push(
    `tsc with the user flags and skipLibCheck false (best of 2): starter ${stats(starterRun)}, README project ${stats(quickRun)}; ` +
      `baseline without Rivers (zod, vitest, @types/node only) ${stats(baseRun)}`,
  )
  console.log(figures.at(-1))
}

function nativeMissing(demo: string, target: string): void {
  step(`native addon missing: ${SCOPE}/native-${target} hidden`)
  const pkg = path.join(demo, 'node_modules', SCOPE, `native-${target}`)
  const hidden = path.join(path.dirname(demo), `hidden-native-${target}`)
  renameSync(pkg, hidden)
  try {
    const r = run('npx', ['assets', 'status'], demo, { allowFail: true })
    console.log(r.stderr)
    check(r.code === 2, `assets status without the platform package exited ${r.code}, expected 2`)
    check(r.stdout === '', `stdout should be empty: ${r.stdout}`)
    for (const needle of [
      `for ${target} (platform ${process.platform}, arch ${process.arch}`,
      `looked for: ${SCOPE}/native-${target}`,
      'which is not installed',
      '--omit=optional',
      `prebuilt for: ${platformPackages()
        .map((p) => p.dir.split('/').at(-1))
        .join(', ')}`,
      'from source: with a Rust toolchain',
    ])
      check(r.stderr.includes(needle), `the message lacks "${needle}"`)
    check(!/^\s+at /m.test(r.stderr), 'the message holds a stack trace')
    check(!/repository root|build:native/.test(r.stderr), 'an installed project got the checkout advice')
  } finally {
    renameSync(hidden, pkg)
  }
}

function nativeMissingLibrary(quick: string, target: string): void {
  const pkg = path.join(quick, 'node_modules', SCOPE, `native-${target}`)
  const hidden = `${pkg}.hidden`
  renameSync(pkg, hidden)
  try {
    const r = run(process.execPath, ['plain.mjs'], quick, { allowFail: true })
    check(
      r.code === 0 && r.stdout.trim() === '{"caught":"RIVERS_NATIVE_LOAD"}',
      `library without its addon: ${r.stdout}${r.stderr}`,
    )
    console.log(`node plain.mjs (addon hidden) -> ${r.stdout.trim()}`)
  } finally {
    renameSync(hidden, pkg)
  }
}

/**
 * The PostgreSQL team store, installed from its tarball beside the README project, used through
 * RIVERS_STORE_URL on a fresh database of the test server (when RIVERS_TEST_PG_URL names one).
 */
function teamStore(quick: string, packed: Map<string, Tarball>): void {
  const server = process.env.RIVERS_TEST_PG_URL
  if (server === undefined || server === '') {
    check(!process.env.CI, 'RIVERS_TEST_PG_URL is not set: CI must run the team-store step (.ci/run starts a server)')
    console.log('(team store: skipped, RIVERS_TEST_PG_URL is not set)')
    return
  }
  step(`team store: npm install ${SCOPE}/store-postgres; assets status and materialize on PostgreSQL`)
  const tarball = packed.get(`${SCOPE}/store-postgres`)
  check(tarball !== undefined, `${SCOPE}/store-postgres was not packed`)
  // A direct dependency now: npm refuses an override of it that differs from the spec installed.
  const manifest = readJson(path.join(quick, 'package.json'))
  delete manifest.overrides?.[`${SCOPE}/store-postgres`]
  writeJson(path.join(quick, 'package.json'), manifest)
  const install = sh(`npm install ${tarball!.file}`, quick)
  figures.push(`install time (${SCOPE}/store-postgres beside the README project): ${install.seconds.toFixed(1)} s`)
  checkIsolated(quick)
  const database = `rivers_pack_${process.pid}`
  const admin = (sql: string) => run('psql', [server, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], quick)
  const url = new URL(server)
  url.pathname = `/${database}`
  admin(`CREATE DATABASE ${database}`)
  try {
    const env = `RIVERS_STORE_URL=${url.toString()}`
    const before = JSON.parse(sh(`${env} npx assets status --json`, quick).stdout).assets as { status: string }[]
    // A fresh database: nothing materialized there yet (sources are observed, so they read fresh).
    check(
      before.length >= 3 && before.filter((a) => a.status === 'missing').length >= 2,
      `a fresh team store: the assets should be missing, not ${JSON.stringify(before)}`,
    )
    sh(`${env} npx assets materialize`, quick)
    const after = JSON.parse(sh(`${env} npx assets status --json`, quick).stdout).assets as { status: string }[]
    check(
      after.every((a) => a.status === 'fresh'),
      `after materialize on the team store: ${JSON.stringify(after)}`,
    )
    const schema = run('psql', [url.toString(), '-qAtc', 'SELECT max(version) FROM rivers_schema_migrations'], quick)
    console.log(`team store: ${after.length} assets fresh on ${database} (schema version ${schema.stdout.trim()})`)
  } finally {
    admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
  }
}

function main(): void {
  const work = mkdtempSync(path.join(tmpdir(), 'rivers-pack-'))
  state.work = work
  check(!work.startsWith(ROOT + path.sep), `the temporary folder ${work} is inside the checkout`)
  const tarballs = path.join(work, 'tarballs')
  mkdirSync(tarballs)
  const packed = pack(tarballs)
  const quick = path.join(work, 'quick-start')
  const demo = path.join(work, 'demo')
  readmeProject(quick, packed)
  plainNode(quick)
  starter(quick, demo, packed)
  strictTypes(quick, demo)
  const target = hostTarget()
  nativeMissing(demo, target)
  nativeMissingLibrary(quick, target)
  teamStore(quick, packed)
  figures.push(`pack test: ${elapsed().toFixed(0)} s in all`)
  step('figures')
  for (const f of figures) console.log(`  ${f}`)
  if (process.env.RIVERS_PACK_KEEP === '1') console.log(`(kept ${work})`)
  else rmSync(work, { recursive: true, force: true })
}

main()
