/**
 * The native binding as it is published: its `files` and a package.json whose optionalDependencies
 * name one platform package per napi target (bindings/node/npm/<target>), at this version: what
 * `napi pre-publish` adds before a release. The committed package.json declares the targets
 * (`napi.targets`) but lists no optional dependencies, because npm cannot lock a dependency that is
 * not on the registry yet, and `npm ci` refuses a lock file that lacks one.
 *
 * Usage: node --import tsx packages/release/stage-binding.ts <dir>   (then `npm publish <dir>`, after the
 * platform packages)
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { parseTriple } from '@napi-rs/cli'

import { BINDING_DIR, type Manifest, readManifest, ROOT } from './workspace.js'

/**
 * The published package.json of the binding: the platform packages as optional dependencies, at the
 * binding's version; no scripts or devDependencies (they build the addon from source).
 *
 * @example
 * publishedBindingManifest(readManifest('bindings/node')).optionalDependencies
 * // { '@rivers-orchestrator/native-linux-x64-gnu': '0.1.0', ... }
 */
export function publishedBindingManifest(manifest: Manifest): Manifest {
  const { scripts: _scripts, devDependencies: _dev, ...published } = manifest
  const optionalDependencies: Record<string, string> = {}
  for (const triple of manifest.napi?.targets ?? [])
    optionalDependencies[`${manifest.name}-${parseTriple(triple).platformArchABI}`] = manifest.version
  return { ...published, optionalDependencies }
}

/**
 * Copies the binding's files to `dir` with its published package.json; returns `dir`.
 *
 * @example
 * execFileSync('npm', ['pack'], { cwd: stageBinding('/tmp/native') })
 */
export function stageBinding(dir: string): string {
  const manifest = readManifest(BINDING_DIR)
  mkdirSync(dir, { recursive: true })
  for (const file of manifest.files ?? [])
    cpSync(path.join(ROOT, BINDING_DIR, file), path.join(dir, file), { recursive: true })
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(publishedBindingManifest(manifest), null, 2)}\n`)
  return dir
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const dir = process.argv[2]
  if (dir === undefined) {
    console.error('usage: node --import tsx packages/release/stage-binding.ts <dir>')
    process.exit(2)
  }
  console.log(`staged ${readManifest(BINDING_DIR).name} in ${stageBinding(path.resolve(dir))}`)
}
