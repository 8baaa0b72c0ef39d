import { describe, expect, it } from 'vitest'

import { tokenize } from './lexer.js'
import { normalizedPieces, normalizedText } from './normalize.js'
import { locateRegion, regionForest } from './regions.js'

/** The text of the region at the first occurrence of `at` in `src` (1-based line and column found for it). */
function region(src: string, at: string, callees: string[], jsx = false): string | undefined {
  const offset = src.indexOf(at)
  const before = src.slice(0, offset)
  const line = before.split('\n').length
  const col = offset - before.lastIndexOf('\n')
  const t = tokenize(src)
  const r = locateRegion(t, line, col, callees, jsx)
  return r === undefined ? undefined : src.slice(r.start, r.end)
}

describe('locateRegion', () => {
  it('delimits a definition call exactly, nested brackets, strings and templates included', () => {
    const src = "f(asset({ key: 'a)' }, ({ raw }) => raw.map((x) => `${x})`)))\nconst b = 1"
    expect(region(src, 'asset', ['asset'])).toBe("asset({ key: 'a)' }, ({ raw }) => raw.map((x) => `${x})`))")
    // a declaration is taken whole (with its `export` and `;`), so adding one leaves the rest alone
    expect(region("export const a = asset({ key: 'a' }, f);\nconst b = 1", 'asset', ['asset'])).toBe(
      "export const a = asset({ key: 'a' }, f);",
    )
    expect(region("const a = asset({ key: 'a' }, f), b = 1", 'asset', ['asset'])).toBe("asset({ key: 'a' }, f)")
  })

  it('takes a member chain, type arguments and `new`', () => {
    expect(region('x = rivers.asset<number>({ key: "a" }, f)', 'asset', ['asset'])).toBe(
      'rivers.asset<number>({ key: "a" }, f)',
    )
    expect(region('make(new Maker("a").build())', 'new', ['Maker'])).toBe('new Maker("a")')
  })

  it('refuses a position whose callee has another name (an alias, or a wrong position)', () => {
    expect(region("const a = def({ key: 'a' }, f)", 'def', ['asset'])).toBeUndefined()
    expect(region("const a = asset({ key: 'a' }, f)", 'key', ['asset'])).toBeUndefined()
  })

  it('refuses decorators, destructured values, JSX files and files the tokenizer cannot follow', () => {
    expect(region("class P { @asset({ key: 'a' }) a() {} }", 'asset', ['asset'])).toBeUndefined()
    expect(region("const { key } = asset({ key: 'a' }, f)", 'asset', ['asset'])).toBeUndefined()
    expect(region("const a = asset({ key: 'a' }, f)", 'asset', ['asset'], true)).toBeUndefined()
    expect(region("const a = asset({ key: 'a' }, f)\nconst s = 'open", 'asset', ['asset'])).toBeUndefined()
  })

  it('masks a factory call only where its value can only be a handle', () => {
    const use = (decl: string, rest = '') => region(`${decl}\n${rest}`, 'above', ['above'])
    expect(use("const hi = above('high', 5)")).toBe("const hi = above('high', 5)")
    expect(use("const hi: AssetDef<number[]> = above('high', 5)")).toBe(
      "const hi: AssetDef<number[]> = above('high', 5)",
    )
    expect(use("defineProject({ assets: [above('high', 5)] })")).toBe("above('high', 5)")
    // the parameter `hi` shadows the module's `hi`: not a use of the factory's value
    expect(
      use("const hi = above('high', 5)", 'asset({ key: "b", deps: { hi } }, ({ hi }) => hi.filter(Boolean))'),
    ).toBe("const hi = above('high', 5)")
    // the value is read, exported, returned, destructured or stored: not masked
    expect(use("const hi = above('high', 5)", 'const t = hi.threshold')).toBeUndefined()
    expect(use("export const hi = above('high', 5)")).toBeUndefined()
    expect(use("const hi = above('high', 5)", 'export { hi }')).toBeUndefined()
    expect(use("function f() { return above('high', 5) }")).toBeUndefined()
    expect(use("const { asset: hi, threshold } = above('high', 5)")).toBeUndefined()
    expect(use("const o = { hi: above('high', 5) }")).toBeUndefined()
  })

  it("masks Rivers' own definition calls whatever is done with the handle", () => {
    const src =
      "export const raw = asset({ key: 'raw' }, f)\nconst b = asset({ key: 'b', deps: { raw } }, ({ raw }) => raw.length)"
    expect(region(src, 'asset', ['asset'])).toBe("export const raw = asset({ key: 'raw' }, f)")
  })
})

describe('regionForest and pieces', () => {
  it('nests regions by containment and drops overlapping pairs', () => {
    const outer = { start: 0, end: 20, first: 0, last: 9 }
    const inner = { start: 5, end: 10, first: 2, last: 4 }
    const other = { start: 25, end: 30, first: 11, last: 13 }
    expect(regionForest([inner, other, outer])).toEqual({ regions: [outer, inner, other], parent: [-1, 0, -1] })
    const crossing = { start: 15, end: 27, first: 8, last: 12 }
    expect(regionForest([outer, crossing, inner]).regions).toEqual([inner])
  })

  it('normalizes text to tokens and cuts child regions out, giving each cut its token position', () => {
    expect(normalizedText(tokenize('const a = f( x ) // note\n\n\n  /* c */ b'))).toBe('const a = f ( x )\nb')
    const t = tokenize('a(b(c), d)\n;e')
    // cut `b(c)`: tokens 2..5
    expect(normalizedPieces(t, 0, t.count - 1, [{ first: 2, last: 5 }])).toEqual({
      pieces: ['a (', ' , d )\n; e'],
      positions: [2],
    })
  })
})
