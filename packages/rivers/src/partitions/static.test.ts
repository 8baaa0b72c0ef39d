import { describe, expect, it } from 'vitest'
import { message } from '../definitions/test-helpers.fixture.js'

import { staticPartitions } from './static.js'

describe('staticPartitions', () => {
  it('indexes keys by position', () => {
    const s = staticPartitions(['eu', 'us', 'asia'])
    expect(s.size()).toBe(3)
    expect(s.indexOf('asia')).toBe(2)
    expect(s.keyAt(1)).toBe('us')
    expect([...s.keys()]).toEqual(['eu', 'us', 'asia'])
    expect([...s.keys(1, 2)]).toEqual(['us'])
    expect(s.validRanges(0, 10)).toEqual([{ start: 0, end: 3 }])
    expect(s.describe()).toBe('static partitions [eu, us, asia]')
  })

  it('refuses bad keys, naming the key and the fix', () => {
    const bad = ['', 'e|u', 'a...b', 'tab\there', ' eu', 'x'.repeat(256)]
    expect(bad.map((k) => message(() => staticPartitions(['ok', k])))).toMatchSnapshot()
    expect(message(() => staticPartitions(['eu', 'us', 'eu']))).toMatchInlineSnapshot(`
      "Partition key 'eu' appears twice in static partitions [eu, us, eu].
      Fix: list each key once."
    `)
    expect(message(() => staticPartitions([]))).toMatch(/empty/)
  })

  it('suggests the nearest key, and rejects indices outside the list', () => {
    const s = staticPartitions(['eu-west', 'us-east'])
    expect(message(() => s.indexOf('eu-wset'))).toMatchInlineSnapshot(`
      "Unknown partition key 'eu-wset' of static partitions [eu-west, us-east]: it is not in the list. Did you mean 'eu-west'?
      Fix: write a key such as 'eu-west' or 'us-east'."
    `)
    expect(message(() => s.keyAt(2))).toMatchInlineSnapshot(`
      "Partition index 2 is outside static partitions [eu-west, us-east].
      Fix: pass an integer from 0 to 1."
    `)
  })
})
