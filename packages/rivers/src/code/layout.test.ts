import { describe, expect, it } from 'vitest'

import { closureHash, functionVersion, moduleHash, ownHash, regionHash } from './layout.js'

describe('code version layouts (SPEC.md "Code versions")', () => {
  it('matches the golden values', () => {
    const region = regionHash(["asset({ key: 'raw' }, () => ", ')'])
    const module = moduleHash(["import { asset } from '@rivers-orchestrator/rivers'\nconst raw = ", '\n'])
    const own = ownHash([['rivers.config.ts', [region]]])
    const closure = closureHash([['rivers.config.ts', module]], [['zod', '4.1.0']], [])
    expect({ region, module, own, closure }).toMatchInlineSnapshot(`
      {
        "closure": "b29bed1defc419f2586084a9e47d6244",
        "module": "2791032632b073650b9e6ec4889ddf45",
        "own": "a3ed512eac9b9466b2ed7337e809b3c8",
        "region": "8ef31765239ecbd3dd956b6707682265",
      }
    `)
    expect(functionVersion('() => [1, 2, 3]', own, closure, [])).toMatchInlineSnapshot(
      `"4b6afc75a26a53fcebeb2ebf43de5e6b"`,
    )
    expect(
      functionVersion('({ orders }) => orders.length', own, closure, [['raw/orders', closure]]),
    ).toMatchInlineSnapshot(`"495322ecbc78e74a1b0854da30bd65ba"`)
    expect(
      closureHash([], [], ['src/a.ts: import(name) at line 3'], '00112233445566778899aabbccddeeff'),
    ).toMatchInlineSnapshot(`"65776146378c08b936be11b00aa668a6"`)
  })

  it('never lets two lists run into each other', () => {
    // one file with two hashes vs two files
    expect(closureHash([['a', 'b']], [], [])).not.toBe(closureHash([], [['a', 'b']], []))
    expect(ownHash([['m', ['h1', 'h2']]])).not.toBe(
      ownHash([
        ['m', ['h1']],
        ['h2', []],
      ]),
    )
    expect(functionVersion('f', 'o', 'c', [])).not.toBe(functionVersion('f', 'o', 'c', [['', '']]))
    // a different nonce is a different closure
    expect(closureHash([], [], ['x'], 'n1')).not.toBe(closureHash([], [], ['x'], 'n2'))
  })
})
