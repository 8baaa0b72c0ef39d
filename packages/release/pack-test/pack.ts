/**
 * Packing: dist/ built, this machine's addon put in its platform package, `npm pack` of every
 * package a user installs, and what each tarball must and must not hold.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs'
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'

import { stageBinding } from '../stage-binding.js'
import { BINDING_DIR, type Manifest, platformPackages, publicPackages, ROOT, SCOPE } from '../workspace.js'
import { check, fail, figures, step, userEnv } from './shell.js'

/** The napi target of this machine, as in the platform packages' names (`linux-x64-gnu`). */
export function hostTarget(): string {
  const { targetOf } = createRequire(import.meta.url)(path.join(ROOT, BINDING_DIR, 'load-error.cjs'))
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
  const libc = process.platform === 'linux' ? (header?.glibcVersionRuntime ? 'glibc' : 'musl') : undefined
  return targetOf(process.platform, process.arch, libc)
}

/** One packed package. */
export interface Tarball {
  name: string
  file: string
  /** Its package.json, as packed. */
  manifest: Manifest
  size: number
  unpackedSize: number
  files: string[]
}

/** Builds dist/, puts this machine's addon in its platform package, packs every package it needs. */
export function pack(tarballs: string): Map<string, Tarball> {
  step('build: dist/ of the library and the CLI')
  execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'packages', 'release', 'build-ts.ts')], {
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
  // The binding is packed from its published form (packages/release/stage-binding.ts), the others as they are.
  const dirs = [
    ...publicPackages()
      .filter((p) => !p.dir.startsWith(`${BINDING_DIR}/npm/`))
      .map((p) =>
        p.dir === BINDING_DIR
          ? stageBinding(path.join(path.dirname(tarballs), 'staged-native'))
          : path.join(ROOT, p.dir),
      ),
    platformDir,
  ]
  const packed = new Map<string, Tarball>()
  for (const dir of dirs) {
    const json = execFileSync('npm', ['pack', '--json', '--pack-destination', tarballs], {
      cwd: dir,
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
    const file = path.join(tarballs, info!.filename)
    packed.set(info!.name, {
      name: info!.name,
      file,
      manifest: JSON.parse(execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' })),
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
  const optional = Object.keys(native.manifest.optionalDependencies ?? {})
  const platforms = platformPackages().map((p) => p.manifest.name)
  check(
    JSON.stringify(optional.sort()) === JSON.stringify(platforms.sort()),
    `${native.name}: optionalDependencies ${optional.join(', ')}, expected the platform packages ${platforms.join(', ')}`,
  )
  for (const t of packed.values()) {
    const scripts = Object.keys(t.manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))
    check(
      scripts.length === 0,
      `${t.name} has install scripts (${scripts.join(', ')}): a user's npm install must build nothing`,
    )
  }
}
