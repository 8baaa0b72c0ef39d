import { describe, expect, it } from 'vitest'
import { IdiomaticPlanner, sha256 } from './idiomatic.js'

describe('IdiomaticPlanner', () => {
  it('rejects duplicate keys, unknown deps, self deps and cycles', () => {
    expect(
      () =>
        new IdiomaticPlanner([
          { key: 'a', deps: [] },
          { key: 'a', deps: [] },
        ]),
    ).toThrow("duplicate asset key 'a'")
    expect(() => new IdiomaticPlanner([{ key: 'a', deps: ['b'] }])).toThrow("unknown asset 'b'")
    expect(() => new IdiomaticPlanner([{ key: 'a', deps: ['a'] }])).toThrow('itself')
    expect(
      () =>
        new IdiomaticPlanner([
          { key: 'a', deps: ['b'] },
          { key: 'b', deps: ['a'] },
        ]),
    ).toThrow('cycle')
  })

  it('sorts deps first without recursion, even on a deep chain', () => {
    const n = 200_000
    const p = new IdiomaticPlanner(
      Array.from({ length: n }, (_, i) => ({ key: `n${n - 1 - i}`, deps: i === n - 1 ? [] : [`n${n - 2 - i}`] })),
    )
    expect(p.order[0]).toBe('n0')
    expect(p.order[n - 1]).toBe(`n${n - 1}`)
  })

  it('versions with sha256 hex and plans layers', () => {
    expect(sha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    const p = new IdiomaticPlanner([
      { key: 'raw', deps: [], source: true },
      { key: 'b', deps: ['raw'] },
      { key: 'c', deps: ['b'] },
    ])
    expect(p.plan(null, false)).toEqual([['b'], ['c']])
    expect(p.missingInputs(['b', 'c'], p.plan(['b', 'c'], false))).toEqual([['b', 'raw']])
    p.observe('raw', sha256('v1'))
    p.record('b', { codeVersion: '', configHash: '', dataVersion: sha256('b'), deps: new Map([['raw', sha256('v1')]]) })
    expect(p.status('b')).toBe('fresh')
    expect(p.plan(null, false)).toEqual([['c']])
  })
})
