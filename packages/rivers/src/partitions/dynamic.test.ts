import { describe, expect, it } from 'vitest'
import { message } from '../definitions/test-helpers.fixture.js'

import { dynamicPartitions } from './dynamic.js'

describe('dynamicPartitions', () => {
  it('assigns indices in order of addition; removed keys leave holes that are never reused', () => {
    let c = dynamicPartitions('customers')
    expect(c.size()).toBe(0)
    c = c.add(['acme', 'globex', 'initech'])
    expect(c.indexOf('initech')).toBe(2)
    c = c.remove(['globex'])
    expect(c.slots).toEqual(['acme', null, 'initech'])
    c = c.add(['umbrella', 'acme'])
    expect(c.slots).toEqual(['acme', null, 'initech', 'umbrella'])
    expect(c.indexOf('umbrella')).toBe(3)
    expect(c.size()).toBe(4)
    expect([...c.keys()]).toEqual(['acme', 'initech', 'umbrella'])
    expect(c.validRanges(0, 4)).toEqual([
      { start: 0, end: 1 },
      { start: 2, end: 4 },
    ])
    expect(c.validRanges(1, 2)).toEqual([])
    // A key added again after removal gets a new index.
    expect(c.add(['globex']).indexOf('globex')).toBe(4)
  })

  it('rebuilds from a stored key list', () => {
    const c = dynamicPartitions('customers').withKeys(['a', null, 'c'])
    expect(c.keyAt(2)).toBe('c')
    expect(message(() => c.keyAt(1))).toMatchInlineSnapshot(`
      "Partition 1 of dynamic partitions 'customers' [a, c] was removed.
      Fix: select a key the set holds now, or add the key again (it gets a new index)."
    `)
    expect(message(() => dynamicPartitions('customers').withKeys(['a', 'a']))).toMatch(/'a' appears twice/)
  })

  it('validates keys, names and unknown keys', () => {
    const c = dynamicPartitions('customers').add(['acme'])
    expect(message(() => c.add(['bad|key']))).toMatchInlineSnapshot(`
      "Invalid partition key "bad|key" of dynamic partitions 'customers' [acme]: it contains '|', which joins the dimensions of product keys.
      Fix: a key is 1 to 255 characters without '|', '...', control characters or leading/trailing spaces, e.g. 'eu-west'."
    `)
    expect(message(() => c.validateKey('line\nbreak'))).toMatch(/control character/)
    expect(message(() => c.remove(['acne']))).toMatchInlineSnapshot(`
      "Unknown partition key 'acne' of dynamic partitions 'customers' [acme]: the set does not hold it. Did you mean 'acme'?
      Fix: write a key such as 'acme'."
    `)
    expect(message(() => dynamicPartitions('my customers'))).toMatch(/dynamicPartitions\('customers'\)/)
  })
})
