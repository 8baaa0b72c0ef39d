/**
 * One version for every published package, and exact ranges between them: the library, the CLI, the
 * native binding and its platform packages are released together. Private workspaces (examples,
 * benches, test suites) get the version too when it is set, but the check only asks that a range of
 * theirs that pins a version pins this one (`*` is fine there).
 *
 * Usage:
 *   node --import tsx packages/release/versions.ts check        lists every drift; exit 1 if any
 *   node --import tsx packages/release/versions.ts set 0.2.0    sets the versions and ranges (package.json
 *                                                      files and package-lock.json), then checks
 *
 * The generated binding loader (bindings/node/index.js) embeds the version it was built for: after
 * `set`, `npm run build:native` regenerates it (the check says so until then).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { parseTriple } from '@napi-rs/cli'

import {
  BINDING_DIR,
  DEP_FIELDS,
  type Manifest,
  platformPackages,
  readManifest,
  ROOT,
  SCOPE,
  workspaces,
  writeManifest,
} from './workspace.js'

const LIBRARY = `${SCOPE}/rivers`
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/

interface Lockfile {
  packages: Record<string, Partial<Manifest>>
  [field: string]: unknown
}

/**
 * Every drift from one version: versions, ranges between our packages, the binding's platform
 * packages and targets, the lock file, the generated loader. Empty when all agree.
 *
 * @example
 * checkVersions() // [] when consistent
 */
export function checkVersions(root = ROOT): string[] {
  const problems: string[] = []
  const all = [...workspaces(root), ...platformPackages(root)]
  const version = all.find((p) => p.manifest.name === LIBRARY)?.manifest.version
  if (version === undefined) return [`no workspace is named ${LIBRARY}: cannot tell the version`]
  const fix = `run: npm run versions -- set ${version}`
  for (const p of all) {
    const published = p.manifest.private !== true
    if (published && p.manifest.version !== version)
      problems.push(`${p.dir}/package.json: version ${p.manifest.version}, expected ${version} (${fix})`)
    for (const field of DEP_FIELDS)
      for (const [name, range] of Object.entries(p.manifest[field] ?? {}))
        if (name.startsWith(`${SCOPE}/`) && range !== version && (published || SEMVER.test(range)))
          problems.push(`${p.dir}/package.json: ${field}.${name} is "${range}", expected "${version}" (${fix})`)
  }
  problems.push(...checkPlatforms(root), ...checkLockfile(root, version), ...checkLoader(root, version))
  return problems
}

/** The binding's napi targets and its platform packages agree (the published optional dependencies follow from them). */
function checkPlatforms(root: string): string[] {
  const problems: string[] = []
  const binding = readManifest(BINDING_DIR, root)
  const binary = binding.napi?.binaryName ?? 'index'
  const targets = (binding.napi?.targets ?? []).map((t) => parseTriple(t))
  const packages = new Map(platformPackages(root).map((p) => [p.dir.split('/').at(-1)!, p.manifest]))
  if (binding.optionalDependencies !== undefined)
    problems.push(
      `${BINDING_DIR}/package.json lists optionalDependencies: leave them to packages/release/stage-binding.ts (npm ci cannot lock unpublished packages)`,
    )
  for (const t of targets) {
    const name = `${binding.name}-${t.platformArchABI}`
    const m = packages.get(t.platformArchABI)
    if (m === undefined) {
      problems.push(
        `${BINDING_DIR}/npm/${t.platformArchABI}/package.json is missing for target ${t.triple} (run: npx napi create-npm-dirs in ${BINDING_DIR})`,
      )
      continue
    }
    const node = `${binary}.${t.platformArchABI}.node`
    if (m.name !== name) problems.push(`${BINDING_DIR}/npm/${t.platformArchABI}: name ${m.name}, expected ${name}`)
    if (m.main !== node || JSON.stringify(m.files) !== JSON.stringify([node]))
      problems.push(`${BINDING_DIR}/npm/${t.platformArchABI}: main and files must name ${node} only`)
  }
  const declared = new Set(targets.map((t) => t.platformArchABI))
  for (const dir of packages.keys())
    if (!declared.has(dir))
      problems.push(`${BINDING_DIR}/npm/${dir} has no target in ${BINDING_DIR}/package.json napi.targets`)
  return problems
}

/** package-lock.json records the workspaces' versions and ranges as their package.json files say. */
function checkLockfile(root: string, version: string): string[] {
  const lock = readLockfile(root)
  const problems: string[] = []
  for (const p of workspaces(root)) {
    const entry = lock.packages[p.dir]
    if (entry === undefined) {
      problems.push(`package-lock.json has no entry for the workspace ${p.dir} (run: npm install)`)
      continue
    }
    const published = p.manifest.private !== true
    if (published && entry.version !== version)
      problems.push(
        `package-lock.json: ${p.dir} version ${entry.version}, expected ${version} (run: npm run versions -- set ${version})`,
      )
    for (const field of DEP_FIELDS)
      for (const [name, range] of Object.entries(entry[field] ?? {}))
        if (name.startsWith(`${SCOPE}/`) && range !== version && (published || SEMVER.test(range)))
          problems.push(`package-lock.json: ${p.dir} ${field}.${name} is "${range}", expected "${version}"`)
  }
  return problems
}

/** The generated loader checks the platform package's version against the one it was built for. */
function checkLoader(root: string, version: string): string[] {
  const file = path.join(root, BINDING_DIR, 'index.js')
  const embedded = new Set(
    [...readFileSync(file, 'utf8').matchAll(/bindingPackageVersion !== '([^']+)'/g)].map((m) => m[1]),
  )
  if (embedded.size === 1 && embedded.has(version)) return []
  return [
    `${BINDING_DIR}/index.js was generated for version ${[...embedded].join(', ') || '(none)'}, not ${version} (run: npm run build:native, and commit index.js)`,
  ]
}

/**
 * Sets `version` on every workspace and platform package, every range between them, and the lock
 * file's workspace entries.
 *
 * @example
 * setVersion('0.2.0')
 */
export function setVersion(version: string, root = ROOT): void {
  if (!SEMVER.test(version)) throw new Error(`not a version: ${version} (expected MAJOR.MINOR.PATCH[-PRERELEASE])`)
  const retarget = (m: Partial<Manifest>) => {
    m.version = version
    for (const field of DEP_FIELDS)
      for (const name of Object.keys(m[field] ?? {})) if (name.startsWith(`${SCOPE}/`)) m[field]![name] = version
  }
  for (const p of [...workspaces(root), ...platformPackages(root)]) {
    retarget(p.manifest)
    writeManifest(p.dir, p.manifest, root)
  }
  const lock = readLockfile(root)
  for (const p of workspaces(root)) {
    const entry = lock.packages[p.dir]
    if (entry !== undefined) retarget(entry)
  }
  writeFileSync(path.join(root, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`)
}

function readLockfile(root: string): Lockfile {
  return JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Lockfile
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const [command, version] = process.argv.slice(2)
  if (command === 'set' && version !== undefined) setVersion(version)
  else if (command !== 'check') {
    console.error('usage: npm run versions -- check | set <version>')
    process.exit(2)
  }
  const problems = checkVersions()
  for (const p of problems) console.error(`versions: ${p}`)
  if (problems.length > 0) process.exit(1)
  console.log(`versions: every package at ${readManifest('packages/rivers').version}, ranges exact, lock file in step`)
}
