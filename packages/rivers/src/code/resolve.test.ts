import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { packageClosure } from './packages.js'
import { Probe } from './probe.js'
import { resolveSpecifier, type Resolution } from './resolve.js'

const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'rivers-resolve-')))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
    writeFileSync(path.join(root, name), text)
  }
}

write({
  'app/package.json': JSON.stringify({
    name: 'app',
    imports: { '#lib/*': './src/lib/*.js', '#cfg': { node: './cfg.ts', default: './cfg.js' } },
  }),
  'app/tsconfig.json':
    '{ // comments and trailing commas\n "compilerOptions": { "baseUrl": ".", "paths": { "~/*": ["src/*"], }, }, }',
  'app/src/main.ts': '',
  'app/src/twin.ts': '',
  'app/src/twin.js': '',
  'app/src/only.ts': '',
  'app/src/dir/index.ts': '',
  'app/src/data.json': '{}',
  'app/src/lib/math.ts': '',
  'app/cfg.ts': '',
  'app/cfg.js': '',
  'app/node_modules/zod/package.json': JSON.stringify({ name: 'zod', version: '4.1.0' }),
  'app/node_modules/express/package.json': JSON.stringify({
    name: 'express',
    version: '5.0.0',
    dependencies: { 'body-parser': '^2' },
  }),
  'app/node_modules/body-parser/package.json': JSON.stringify({ name: 'body-parser', version: '2.1.0' }),
  'libs/shared/package.json': JSON.stringify({ name: 'shared', version: '1.0.0', exports: { '.': './src/index.ts' } }),
  'libs/shared/src/index.ts': '',
})
mkdirSync(path.join(root, 'app/node_modules/@rivers-orchestrator'), { recursive: true })
symlinkSync(path.join(root, 'libs/shared'), path.join(root, 'app/node_modules/shared'), 'dir')

const main = path.join(root, 'app/src/main.ts')
const resolve = (spec: string): Resolution => resolveSpecifier(spec, main, new Probe())
const files = (spec: string): string[] => {
  const r = resolve(spec)
  return r.kind === 'files' ? r.files.map((f) => path.relative(root, f)) : [`(${r.kind})`]
}

describe('resolveSpecifier', () => {
  it('maps NodeNext .js specifiers to TypeScript, keeping every candidate that exists', () => {
    expect(files('./only.js')).toEqual(['app/src/only.ts'])
    expect(files('./twin.js')).toEqual(['app/src/twin.ts', 'app/src/twin.js'])
    expect(files('./only')).toEqual(['app/src/only.ts'])
    expect(files('./dir')).toEqual(['app/src/dir/index.ts'])
    expect(files('./data.json')).toEqual(['app/src/data.json'])
    expect(files('./missing.js')).toEqual(['(unresolved)'])
  })

  it('follows package.json imports and tsconfig paths', () => {
    expect(files('#lib/math')).toEqual(['app/src/lib/math.ts'])
    expect(files('#cfg')).toEqual(['app/cfg.ts', 'app/cfg.js'])
    expect(files('~/only.js')).toEqual(['app/src/only.ts'])
    expect(files('#nope')).toEqual(['(unresolved)'])
  })

  it('finds installed packages with their versions and dependencies', () => {
    const zod = resolve('zod/mini')
    expect(zod).toMatchObject({
      kind: 'package',
      subpath: './mini',
      pkg: { name: 'zod', version: '4.1.0', linked: false },
    })
    const express = resolve('express')
    if (express.kind !== 'package') throw new Error('express not found')
    expect(packageClosure(express.pkg, new Probe()).map((p) => `${p.name}@${p.version}`)).toEqual([
      'express@5.0.0',
      'body-parser@2.1.0',
    ])
  })

  it('tells a linked package (outside node_modules) from an installed one', () => {
    expect(resolve('shared')).toMatchObject({ kind: 'package', pkg: { name: 'shared', linked: true } })
  })

  it("leaves out Node builtins and Rivers' own packages, and reports what it cannot find", () => {
    expect(resolve('node:fs')).toEqual({ kind: 'skip', why: 'builtin' })
    expect(resolve('path')).toEqual({ kind: 'skip', why: 'builtin' })
    expect(resolve('@rivers-orchestrator/rivers')).toEqual({ kind: 'skip', why: 'rivers' })
    expect(resolve('left-pad')).toEqual({ kind: 'unresolved' })
  })
})
