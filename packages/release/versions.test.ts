import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { checkVersions, setVersion } from './versions.js'
import { platformPackages, ROOT, workspaces } from './workspace.js'

const copies: string[] = []
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** The manifests, lock file and generated loader of the repository, copied to a temporary folder. */
function copyOfRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rivers-versions-'))
  copies.push(dir)
  const files = [
    'package.json',
    'package-lock.json',
    'bindings/node/index.js',
    ...[...workspaces(), ...platformPackages()].map((p) => `${p.dir}/package.json`),
  ]
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    cpSync(path.join(ROOT, file), path.join(dir, file))
  }
  return dir
}

function editJson(file: string, edit: (value: any) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8'))
  edit(value)
  writeFileSync(file, JSON.stringify(value, null, 2))
}

describe('one version for every package', () => {
  it('holds in this repository: versions, exact ranges, platform packages, lock file, generated loader', () => {
    expect(checkVersions()).toEqual([])
  })

  it('set rewrites every version and range; the generated loader then needs a rebuild', () => {
    const dir = copyOfRepo()
    setVersion('1.2.3-rc.1', dir)
    const cli = JSON.parse(readFileSync(path.join(dir, 'packages/cli/package.json'), 'utf8'))
    expect(cli.version).toBe('1.2.3-rc.1')
    expect(cli.dependencies['@rivers-orchestrator/rivers']).toBe('1.2.3-rc.1')
    expect(cli.dependencies.commander).toMatch(/^\^/)
    const platform = JSON.parse(readFileSync(path.join(dir, 'bindings/node/npm/darwin-arm64/package.json'), 'utf8'))
    expect(platform.version).toBe('1.2.3-rc.1')
    const lock = JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8'))
    expect(lock.packages['packages/rivers'].dependencies['@rivers-orchestrator/native']).toBe('1.2.3-rc.1')
    expect(checkVersions(dir)).toEqual([
      'bindings/node/index.js was generated for version 0.1.0, not 1.2.3-rc.1 (run: npm run build:native, and commit index.js)',
    ])
    expect(() => setVersion('v2', dir)).toThrow('not a version: v2')
  })

  it('names each drift and the command that fixes it', () => {
    const dir = copyOfRepo()
    editJson(path.join(dir, 'packages/cli/package.json'), (m) => {
      m.dependencies['@rivers-orchestrator/rivers'] = '^0.1.0'
    })
    editJson(path.join(dir, 'bindings/node/npm/darwin-x64/package.json'), (m) => {
      m.version = '0.0.9'
    })
    editJson(path.join(dir, 'benches/package.json'), (m) => {
      m.version = '0.0.1' // a private workspace: its own version does not matter
      m.dependencies['@rivers-orchestrator/native'] = '*' // nor a range that is not a pin
      m.dependencies['@rivers-orchestrator/rivers'] = '0.0.9' // but a stale pin does
    })
    editJson(path.join(dir, 'bindings/node/package.json'), (m) => {
      m.napi.targets.push('riscv64gc-unknown-linux-gnu')
      m.optionalDependencies = { '@rivers-orchestrator/native-linux-x64-gnu': '0.1.0' }
    })
    expect(checkVersions(dir)).toEqual([
      'packages/cli/package.json: dependencies.@rivers-orchestrator/rivers is "^0.1.0", expected "0.1.0" (run: npm run versions -- set 0.1.0)',
      'benches/package.json: dependencies.@rivers-orchestrator/rivers is "0.0.9", expected "0.1.0" (run: npm run versions -- set 0.1.0)',
      'bindings/node/npm/darwin-x64/package.json: version 0.0.9, expected 0.1.0 (run: npm run versions -- set 0.1.0)',
      'bindings/node/package.json lists optionalDependencies: leave them to packages/release/stage-binding.ts (npm ci cannot lock unpublished packages)',
      'bindings/node/npm/linux-riscv64-gnu/package.json is missing for target riscv64gc-unknown-linux-gnu (run: npx napi create-npm-dirs in bindings/node)',
    ])
  })
})
