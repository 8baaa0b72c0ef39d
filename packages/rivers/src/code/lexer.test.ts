import { describe, expect, it } from 'vitest'

import { closingBracket, TK, tokenAt, tokenize, tokenText } from './lexer.js'

const texts = (src: string): string[] => {
  const t = tokenize(src)
  return Array.from({ length: t.count }, (_, i) => tokenText(t, i))
}

describe('tokenize', () => {
  it('skips comments and keeps strings, templates and regexes whole', () => {
    expect(texts("a // x 'y\n/* b( */ c('d)', `e${f}g`, /h)/g)")).toEqual([
      'a',
      'c',
      '(',
      "'d)'",
      ',',
      '`e${',
      'f',
      '}g`',
      ',',
      '/h)/g',
      ')',
    ])
  })

  it('tells division from a regex by the previous token', () => {
    expect(texts('x = a / b / c')).toEqual(['x', '=', 'a', '/', 'b', '/', 'c'])
    expect(texts('return /a/.test(s)')).toEqual(['return', '/a/', '.', 'test', '(', 's', ')'])
    expect(texts('f(/[/]/)')).toEqual(['f', '(', '/[/]/', ')'])
  })

  it('follows nested template substitutions', () => {
    const t = tokenize('`a${`b${c}`}d` + {}')
    expect(t.ok).toBe(true)
    expect(texts('`a${`b${c}`}d`')).toEqual(['`a${', '`b${', 'c', '}`', '}d`'])
  })

  it('reports text it cannot follow', () => {
    expect(tokenize("f('abc").ok).toBe(false)
    expect(tokenize('/* open').ok).toBe(false)
    expect(tokenize('{ a').ok).toBe(false)
    expect(tokenize('a }').ok).toBe(false)
    expect(tokenize('`${a').ok).toBe(false)
  })

  it('keeps multi-character punctuators and numbers together', () => {
    expect(texts('a?.b ?? c => ...d === 1.5e-3')).toEqual([
      'a',
      '?.',
      'b',
      '??',
      'c',
      '=>',
      '...',
      'd',
      '===',
      '1.5e-3',
    ])
    expect(tokenize('#x').kind[0]).toBe(TK.privateName)
  })
})

describe('brackets', () => {
  it('finds the closing bracket past strings, templates and nested brackets', () => {
    const src = "asset({ key: ')' }, () => `${[1, 2]}`)\nnext()"
    const t = tokenize(src)
    const open = tokenAt(t, src.indexOf('('))
    expect(tokenText(t, closingBracket(t, open))).toBe(')')
    expect(t.end[closingBracket(t, open)]).toBe(src.indexOf('\n'))
  })

  it('refuses mismatched brackets', () => {
    const t = tokenize('f(a]')
    expect(t.ok).toBe(true)
    expect(closingBracket(t, 1)).toBe(-1)
  })
})
