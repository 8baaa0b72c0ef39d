import { readFileSync } from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { packageName, STARTER_NOTES, STARTER_RANGES, starterFiles, starterManifest } from './starter.js'

const root = path.resolve(import.meta.dirname, '../../..')
const manifest = (dir: string) => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'))

describe('the starter project', () => {
  it('names the package after its folder, as npm allows', () => {
    expect(packageName('demo')).toBe('demo')
    expect(packageName('My Pipeline!')).toBe('my-pipeline')
    expect(packageName('_private')).toBe('private')
    expect(packageName('..')).toBe('rivers-project')
  })

  it('depends on this release and on the zod and vitest this repository uses', () => {
    const cli = manifest('packages/cli')
    const m = starterManifest('demo') as {
      dependencies: Record<string, string>
      devDependencies: Record<string, string>
    }
    expect(m.dependencies['@rivers-orchestrator/rivers']).toBe(`^${cli.version}`)
    expect(m.dependencies['@rivers-orchestrator/cli']).toBe(`^${cli.version}`)
    expect(STARTER_RANGES.zod).toBe(manifest('packages/rivers').dependencies.zod)
    expect(STARTER_RANGES.vitest).toBe(manifest('.').devDependencies.vitest)
    expect(STARTER_RANGES['@types/node']).toBe(manifest('.').devDependencies['@types/node'])
  })

  it('lists every file it writes, each with a note', () => {
    expect(Object.keys(starterFiles('demo'))).toEqual(Object.keys(STARTER_NOTES))
  })
})
