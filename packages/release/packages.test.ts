/**
 * What every published package must carry (issue 10): metadata, a `files` list, exports that point
 * at compiled JavaScript and declarations (with the sources behind the development condition), no
 * install scripts (a user's `npm install` builds nothing), and a README.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { buildOrder } from './build-ts.js'
import { BINDING_DIR, platformPackages, publicPackages, ROOT, workspaces } from './workspace.js'

const SOURCE = '@rivers-orchestrator/source'
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare']

describe('published packages', () => {
  const published = publicPackages()

  it('are the library, the CLI, the PostgreSQL store, the MLflow tracker, the Ray and Kubernetes launchers, the web UI, the binding and one package per platform', () => {
    expect(published.map((p) => p.manifest.name)).toEqual([
      '@rivers-orchestrator/native',
      '@rivers-orchestrator/rivers',
      '@rivers-orchestrator/cli',
      '@rivers-orchestrator/store-postgres',
      '@rivers-orchestrator/tracker-mlflow',
      '@rivers-orchestrator/launcher-ray',
      '@rivers-orchestrator/launcher-kubernetes',
      '@rivers-orchestrator/ui',
      ...platformPackages().map((p) => `@rivers-orchestrator/native-${p.dir.split('/').at(-1)}`),
    ])
    expect(platformPackages().length).toBe(6)
  })

  it.each(published.map((p) => [p.manifest.name, p] as const))('%s: metadata, files, no install scripts', (_, p) => {
    const m = p.manifest
    expect(m.license).toBe('Apache-2.0')
    expect(m.engines).toEqual({ node: '>=20' })
    expect(m.repository).toMatchObject({
      type: 'git',
      url: 'git+https://github.com/rivers-orchestrator/rivers.git',
      directory: p.dir.startsWith(`${BINDING_DIR}/npm/`) ? BINDING_DIR : p.dir,
    })
    expect(typeof m.description === 'string' && m.description.length > 20).toBe(true)
    expect(Array.isArray(m.keywords) && m.keywords.length > 0).toBe(true)
    expect(Array.isArray(m.files) && m.files.length > 0).toBe(true)
    expect(Object.keys(m.scripts ?? {}).filter((s) => INSTALL_SCRIPTS.includes(s))).toEqual([])
    expect(existsSync(path.join(ROOT, p.dir, 'README.md')), `${p.dir}/README.md`).toBe(true)
  })

  it.each(
    workspaces()
      .filter((p) => p.manifest.private !== true && p.manifest.exports !== undefined)
      .map((p) => [p.manifest.name, p] as const),
  )('%s: each TypeScript export is its source (dev), declarations and compiled JavaScript', (_, p) => {
    for (const [subpath, target] of Object.entries(p.manifest.exports!)) {
      if (typeof target === 'string') {
        // Files shipped as they are (./clients/*, ./package.json), never TypeScript sources.
        expect(target, `${p.dir} exports["${subpath}"]`).not.toMatch(/\.ts$|^\.\/src\//)
        continue
      }
      const source = target[SOURCE]
      const hint = `${p.dir}/package.json exports["${subpath}"] must read { "${SOURCE}": "./src/NAME.ts", "types": "./dist/NAME.d.ts", "default": "./dist/NAME.js" }`
      expect(Object.keys(target), hint).toEqual([SOURCE, 'types', 'default'])
      expect(source, hint).toMatch(/^\.\/src\/(.+)\.ts$/)
      const name = /^\.\/src\/(.+)\.ts$/.exec(source!)![1]
      expect(target, hint).toEqual({ [SOURCE]: source, types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` })
      expect(existsSync(path.join(ROOT, p.dir, source!)), `${p.dir}/${source}`).toBe(true)
      expect(p.manifest.files, `${p.dir}: files must hold dist`).toContain('dist')
    }
  })

  it('build the library before the CLI, which compiles against its declarations', () => {
    expect(buildOrder().map((p) => p.manifest.name)).toEqual([
      '@rivers-orchestrator/rivers',
      '@rivers-orchestrator/cli',
      '@rivers-orchestrator/store-postgres',
      '@rivers-orchestrator/tracker-mlflow',
      '@rivers-orchestrator/launcher-ray',
      '@rivers-orchestrator/launcher-kubernetes',
      '@rivers-orchestrator/ui',
    ])
  })

  it('the library ships the job protocol clients that users run in their jobs', () => {
    const rivers = workspaces().find((p) => p.manifest.name === '@rivers-orchestrator/rivers')!
    expect(rivers.manifest.files).toContain('clients')
    expect(rivers.manifest.exports!['./clients/*']).toBe('./clients/*')
  })
})
