/**
 * The packages as a user gets them (issue 10's CI step). Packs every public package with `npm pack`
 * (this machine's platform package holds the addon built here), then, in a temporary folder outside
 * the checkout where nothing of the repository resolves, installs only those tarballs plus registry
 * dependencies and checks:
 *
 *   1. the README's "In a project of your own" blocks, run as written (install, tsconfig.json,
 *      rivers.config.ts, materialize, status, tsc), our package names pointing at the tarballs;
 *   2. the library imported from plain `node`, no tsx: define, materialize, read the summary;
 *   3. `assets init demo`, then in demo: npm install, `npx assets materialize`, `npm test`;
 *   4. the user projects type-checked with strict, skipLibCheck false, noPropertyAccessFromIndexSignature,
 *      exactOptionalPropertyTypes and noUncheckedIndexedAccess (timed, beside a baseline without Rivers);
 *   5. the platform package hidden: `assets` exits 2 with the explanation and no stack, and the
 *      library throws RIVERS_NATIVE_LOAD where the caller catches it.
 *
 * Registry installs download no binaries: better-sqlite3 builds from source (npm_config_build_from_source,
 * Node's own headers). The npm cache is $RIVERS_PACK_CACHE (default ~/.cache/rivers-pack-test) so a
 * second run downloads nothing. The starter's install starts from a copy of the first project's
 * node_modules (npm then adds and prunes to match its package.json), to compile better-sqlite3 once;
 * RIVERS_PACK_FRESH=1 installs it from nothing. RIVERS_PACK_KEEP=1 keeps the temporary folder.
 *
 * Usage: node --import tsx scripts/pack-test.ts   (after `npm ci`, which builds the addon)
 */
import { execFileSync, type ExecFileSyncOptions, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { homedir, tmpdir } from 'node:os'
import path from 'node:path'

import { quickStart, type QuickStartStep } from './readme.js'
import { BINDING_DIR, platformPackages, publicPackages, ROOT, SCOPE } from './workspace.js'

const STRICT = [
  '--strict',
  '--skipLibCheck',
  'false',
  '--noPropertyAccessFromIndexSignature',
  '--exactOptionalPropertyTypes',
  '--noUncheckedIndexedAccess',
]

const started = Date.now()
const figures: string[] = []
let work = ''

function step(title: string): void {
  console.log(`\n== ${title} (${((Date.now() - started) / 1000).toFixed(0)} s)`)
}

function fail(message: string): never {
  console.error(`\npack-test: FAILED: ${message}${work ? `\n(the projects are in ${work})` : ''}`)
  process.env.RIVERS_PACK_KEEP = '1'
  process.exit(1)
}

function check(ok: boolean, message: string): void {
  if (!ok) fail(message)
}

/** The environment of every command: no trace of the checkout, no binary downloads, a local cache. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const k of ['NODE_OPTIONS', 'NODE_PATH', 'INIT_CWD']) if (k in env) delete env[k]
  for (const k of Object.keys(env)) if (k.startsWith('npm_') && !k.startsWith('npm_config_')) delete env[k]
  env.npm_config_cache = process.env.RIVERS_PACK_CACHE ?? path.join(homedir(), '.cache', 'rivers-pack-test')
  env.npm_config_audit = 'false'
  env.npm_config_fund = 'false'
  env.npm_config_update_notifier = 'false'
  const headers = path.join(path.dirname(path.dirname(process.execPath)), 'include', 'node', 'node.h')
  if (env.npm_config_nodedir === undefined && existsSync(headers))
    env.npm_config_nodedir = path.dirname(path.dirname(path.dirname(headers))) // node-gyp: no header download
  env.NO_COLOR = '1'
  return env
}

interface Run {
  code: number
  stdout: string
  stderr: string
  seconds: number
}

function run(cmd: string, args: readonly string[], cwd: string, options: { allowFail?: boolean } = {}): Run {
  const t = Date.now()
  const env = userEnv()
  // prebuild-install (better-sqlite3): compile, download nothing. Only where npm installs: npm warns
  // about the variable it does not know.
  if (/\bnpm install\b/.test([cmd, ...args].join(' '))) env.npm_config_build_from_source = 'true'
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 })
  const out: Run = { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t) / 1000 }
  if (out.code !== 0 && options.allowFail !== true)
    fail(
      `${cmd} ${args.join(' ')} (in ${cwd}) exited ${out.code}\n--- stdout ---\n${out.stdout}\n--- stderr ---\n${out.stderr}`,
    )
  return out
}

function sh(line: string, cwd: string): Run {
  console.log(`$ ${line}`)
  return run('bash', ['-c', line], cwd)
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}

function readJson(file: string): any {
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** The napi target of this machine, as in the platform packages' names (`linux-x64-gnu`). */
function hostTarget(): string {
  const { targetOf } = createRequire(import.meta.url)(path.join(ROOT, BINDING_DIR, 'load-error.cjs'))
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
  const libc = process.platform === 'linux' ? (header?.glibcVersionRuntime ? 'glibc' : 'musl') : undefined
  return targetOf(process.platform, process.arch, libc)
}

interface Tarball {
  name: string
  file: string
  size: number
  unpackedSize: number
  files: string[]
}

/** Builds dist/, puts this machine's addon in its platform package, packs every package it needs. */
function pack(tarballs: string): Map<string, Tarball> {
  step('build: dist/ of the library and the CLI')
  execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'build-ts.ts')], {
    stdio: 'inherit',
    cwd: ROOT,
  })

  step('pack')
  const target = hostTarget()
  const platformDir = path.join(ROOT, BINDING_DIR, 'npm', target)
  const addon = path.join(ROOT, BINDING_DIR, `rivers.${target}.node`)
  check(existsSync(platformDir), `no platform package for this machine (${target}) in ${BINDING_DIR}/npm`)
  check(existsSync(addon), `${addon} is missing: npm ci (or npm run build:native) builds it`)
  copyFileSync(addon, path.join(platformDir, path.basename(addon)))
  const dirs = [
    ...publicPackages()
      .filter((p) => !p.dir.startsWith(`${BINDING_DIR}/npm/`))
      .map((p) => p.dir),
    path.relative(ROOT, platformDir),
  ]
  const packed = new Map<string, Tarball>()
  for (const dir of dirs) {
    const json = execFileSync('npm', ['pack', '--json', '--pack-destination', tarballs], {
      cwd: path.join(ROOT, dir),
      encoding: 'utf8',
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    } satisfies ExecFileSyncOptions)
    const [info] = JSON.parse(json) as {
      name: string
      filename: string
      size: number
      unpackedSize: number
      files: { path: string }[]
    }[]
    packed.set(info!.name, {
      name: info!.name,
      file: path.join(tarballs, info!.filename),
      size: info!.size,
      unpackedSize: info!.unpackedSize,
      files: info!.files.map((f) => f.path),
    })
  }
  rmSync(path.join(platformDir, path.basename(addon)))
  checkContents(packed, target)
  for (const t of packed.values())
    figures.push(
      `tarball ${t.name}: ${(t.size / 1024).toFixed(1)} kB (${(t.unpackedSize / 1024).toFixed(1)} kB unpacked, ${t.files.length} files)`,
    )
  return packed
}

/** What each tarball must and must not hold. */
function checkContents(packed: Map<string, Tarball>, target: string): void {
  const get = (name: string) => packed.get(`${SCOPE}/${name}`) ?? fail(`no tarball for ${SCOPE}/${name}`)
  const has = (t: Tarball, file: string) => check(t.files.includes(file), `${t.name}: the tarball lacks ${file}`)
  const lacks = (t: Tarball, pattern: RegExp, what: string) => {
    const found = t.files.filter((f) => pattern.test(f))
    check(found.length === 0, `${t.name}: the tarball holds ${what}: ${found.slice(0, 5).join(', ')}`)
  }
  const rivers = get('rivers')
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'clients/rivers_job.py', 'clients/rivers-job.mjs'])
    has(rivers, f)
  const cli = get('cli')
  for (const f of ['bin/assets.mjs', 'dist/main.js', 'dist/loader/esm-syntax.mjs', 'starter/rivers.config.ts'])
    has(cli, f)
  const native = get('native')
  for (const f of ['index.js', 'loader.cjs', 'load-error.cjs']) has(native, f)
  has(get(`native-${target}`), `rivers.${target}.node`)
  for (const t of [rivers, cli, native]) {
    lacks(t, /^src\//, 'sources')
    lacks(t, /^(?!starter\/).*(\.test(-d)?\.[cm]?[jt]s$|\.fixture\.|__snapshots__)/, 'tests')
    lacks(t, /^(?!starter\/).*(?<!\.d)\.[cm]?ts$/, 'TypeScript sources')
    lacks(t, /\.node$|Cargo\.toml|\.rs$/, 'a native binary or Rust sources')
  }
  for (const t of packed.values()) {
    const manifest = readJson(path.join(ROOT, packageDir(t.name), 'package.json'))
    const scripts = Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))
    check(
      scripts.length === 0,
      `${t.name} has install scripts (${scripts.join(', ')}): a user's npm install must build nothing`,
    )
  }
}

function packageDir(name: string): string {
  const p = [...publicPackages(), ...platformPackages()].find((x) => x.manifest.name === name)
  return p?.dir ?? fail(`no package named ${name}`)
}

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
    void r
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
  step('the library from plain node (compiled ESM, no tsx)')
  writeFileSync(
    path.join(dir, 'plain.mjs'),
    `import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { asset, defineProject, materialize } from '${SCOPE}/rivers'

const raw = asset({ key: 'raw' }, () => [1, 2, 3])
const total = asset({ key: 'total', deps: { raw } }, ({ raw }) => raw.reduce((a, b) => a + b, 0))
const storeDir = mkdtempSync(path.join(tmpdir(), 'rivers-plain-'))
try {
  const summary = await materialize(defineProject({ assets: [total] }), { storeDir, logLevel: 'silent' })
  console.log(JSON.stringify({ status: summary.status, materialized: summary.materialized }))
} catch (e) {
  console.log(JSON.stringify({ caught: e.code }))
}
`,
  )
  const r = run(process.execPath, ['plain.mjs'], dir)
  check(r.stdout.trim() === '{"status":"success","materialized":["raw","total"]}', `node plain.mjs printed ${r.stdout}`)
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
  const starterRun = run(process.execPath, [tsc, '-p', '.', ...STRICT, '--extendedDiagnostics'], demo)
  const quickRun = run(process.execPath, [tsc, '-p', '.', ...STRICT, '--extendedDiagnostics'], quick)
  // The same check of a file that imports only what every such project imports anyway.
  const base = path.join(demo, 'baseline')
  mkdirSync(base, { recursive: true })
  writeFileSync(
    path.join(base, 'index.ts'),
    "import { z } from 'zod'\nimport { expect } from 'vitest'\nexpect(z.string().parse('x')).toBe('x')\n",
  )
  writeJson(path.join(base, 'tsconfig.json'), { extends: '../tsconfig.json', include: ['index.ts'] })
  const baseRun = run(process.execPath, [tsc, '-p', 'baseline', ...STRICT, '--extendedDiagnostics'], demo)
  const stats = (r: Run) => {
    const field = (name: string) => new RegExp(`^${name}:\\s+(\\S+)`, 'm').exec(r.stdout)?.[1] ?? '?'
    return `${r.seconds.toFixed(1)} s (${field('Files')} files, check ${field('Check time')})`
  }
  figures.push(
    `tsc with the user flags and skipLibCheck false: starter ${stats(starterRun)}, README project ${stats(quickRun)}; ` +
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
      'prebuilt for: ',
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

function main(): void {
  work = mkdtempSync(path.join(tmpdir(), 'rivers-pack-'))
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
  figures.push(`pack test: ${((Date.now() - started) / 1000).toFixed(0)} s in all`)
  step('figures')
  for (const f of figures) console.log(`  ${f}`)
  if (process.env.RIVERS_PACK_KEEP === '1') console.log(`(kept ${work})`)
  else rmSync(work, { recursive: true, force: true })
}

main()
