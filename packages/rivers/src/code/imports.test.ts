import { describe, expect, it } from 'vitest'

import { moduleImports } from './imports.js'
import { tokenize } from './lexer.js'

const imports = (src: string) => moduleImports(tokenize(src))

describe('moduleImports', () => {
  it('finds static imports, re-exports, literal dynamic imports and requires', () => {
    const src = [
      "import { a } from './a.js'",
      "import b, * as c from '../b'",
      "import './side.ts'",
      "export { d } from '#d'",
      "export * from 'zod'",
      "const e = await import('./e.mjs')",
      "const f = require('./f.cjs')",
      "import g = require('./g')",
      "const w = new URL('./worker.ts', import.meta.url)",
      "const u = import.meta.resolve('./u.js')",
    ].join('\n')
    expect(imports(src)).toEqual({
      specifiers: ['./a.js', '../b', './side.ts', '#d', 'zod', './e.mjs', './f.cjs', './g', './worker.ts', './u.js'],
      soft: [],
      computed: [],
    })
  })

  it('leaves type-only imports out, but not a default import named type', () => {
    const src = [
      "import type { T } from './types.js'",
      "export type { U } from './u.js'",
      "import type from './named-type.js'",
      "import { type V, w } from './mixed.js'",
    ].join('\n')
    expect(imports(src).specifiers).toEqual(['./named-type.js', './mixed.js'])
    expect(imports(src).soft).toEqual([])
  })

  it('reports computed loads with their line', () => {
    const src = 'const a = 1\nconst m = await import(name)\nconst r = require(`./${x}`)\nfunction require(x) {}'
    expect(imports(src).computed).toEqual(['import(name) at line 2', 'require(`./${) at line 3'])
  })

  it('keeps specifiers found only in comments as soft candidates', () => {
    expect(imports("// import { x } from './old.js'\nimport { y } from './y.js'")).toEqual({
      specifiers: ['./y.js'],
      soft: ['./old.js'],
      computed: [],
    })
  })

  it('falls back to the textual scan when the tokenizer cannot follow the file', () => {
    const src = "import { a } from './a.js'\nconst el = <p>don't</p>\nconst m = import(name)"
    const found = imports(src)
    expect(found.specifiers).toEqual(['./a.js'])
    expect(found.computed).toEqual(['import(…) at line 3'])
  })
})
