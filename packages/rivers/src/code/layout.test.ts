import { describe, expect, it } from 'vitest'

import { closureHash, functionVersion, moduleHash, ownHash, regionHash } from './layout.js'

describe('code version layouts (SPEC.md "Code versions")', () => {
  it('matches the golden values', () => {
    const region = regionHash(["const raw = asset ( { key : 'raw' } , ( ) =>", ')'])
    const module = moduleHash(["import { asset } from '@rivers-orchestrator/rivers'\nexport default"])
    const own = ownHash([['rivers.config.ts', ['at 9', region]]])
    const closure = closureHash([['rivers.config.ts', module]], [['zod', '4.1.0']], [])
    expect({ region, module, own, closure }).toMatchInlineSnapshot(`
      {
        "closure": "66899abca9ca790aafab35f0d59024cf",
        "module": "f30414a49fd11ac69ae2b68822c341e0",
        "own": "0fae52321e3c60154b743a0f3982b1ae",
        "region": "106f59018068a6705686413e97509880",
      }
    `)
    expect(functionVersion('() => [1, 2, 3]', own, closure, [])).toMatchInlineSnapshot(
      `"b2af3a1535800500185c566f4e90b9e5"`,
    )
    expect(functionVersion('({ orders }) => orders.length', own, closure, [closure])).toMatchInlineSnapshot(
      `"433ee6eaa9dd1126721a44e53fe62647"`,
    )
    expect(
      closureHash([], [], ['src/a.ts: import(name) at line 3'], '00112233445566778899aabbccddeeff'),
    ).toMatchInlineSnapshot(`"65776146378c08b936be11b00aa668a6"`)
  })

  it('never lets two lists run into each other', () => {
    // one file with two hashes vs two files
    expect(closureHash([['a', 'b']], [], [])).not.toBe(closureHash([], [['a', 'b']], []))
    expect(ownHash([['m', ['at 1', 'h2']]])).not.toBe(
      ownHash([
        ['m', ['at 1']],
        ['h2', []],
      ]),
    )
    expect(functionVersion('f', 'o', 'c', [])).not.toBe(functionVersion('f', 'o', 'c', ['']))
    // a different nonce is a different closure
    expect(closureHash([], [], ['x'], 'n1')).not.toBe(closureHash([], [], ['x'], 'n2'))
  })
})
