import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { declarationFile, declarationImports, reachableDeclarations } from './declarations.js'

describe('published declarations', () => {
  it('follows every way a declaration file names another', () => {
    const text = [
      "export * from './definitions/index.js'",
      "export { a, type B } from './a.js'",
      "import type { C } from '../c.js'",
      "import './side.js'",
      "export type D = import('./d.js').D",
      "declare module './index.js' { interface X { y(): void } }",
      '/// <reference path="./globals.d.ts" />',
      "import { z } from 'zod'",
    ].join('\n')
    expect(declarationImports(text)).toEqual([
      './definitions/index.js',
      './a.js',
      '../c.js',
      './d.js',
      './side.js',
      './index.js',
      './globals.d.ts',
    ])
    expect(declarationFile('/d/index.d.ts', './engine/types.js')).toBe(path.resolve('/d/engine/types.d.ts'))
    expect(declarationFile('/d/x/a.d.ts', '../load.cjs')).toBe(path.resolve('/d/load.d.cts'))
  })

  it('keeps what the entries reach, not the internals beside them', () => {
    const files = new Map([
      ['/d/index.d.ts', "export * from './api.js'"],
      ['/d/api.d.ts', "import type { T } from './types.js'\nexport declare function f(t: T): void"],
      ['/d/types.d.ts', 'export type T = string'],
      ['/d/internal.d.ts', "export * from './types.js'"],
    ])
    expect([...reachableDeclarations(['/d/index.d.ts'], (f) => files.get(f))].sort()).toEqual([
      '/d/api.d.ts',
      '/d/index.d.ts',
      '/d/types.d.ts',
    ])
  })
})
