import { expect, test } from 'vitest'
import { asset } from './asset.js'
import { defineProject } from './project.js'
import { normalizeRetention, retains } from './retention.js'

const DAY = 86_400_000

test('keep counts the newest records; maxAge keeps young ones; with both, a record goes only outside both', () => {
  const keep2 = normalizeRetention({ keep: 2 })
  expect([0, 1, 2, 3].map((rank) => retains(keep2, rank, 100 * DAY))).toEqual([true, true, false, false])
  const month = normalizeRetention({ maxAge: '30d' })
  expect(month.maxAgeMs).toBe(30 * DAY)
  expect([retains(month, 5, 29 * DAY), retains(month, 5, 31 * DAY)]).toEqual([true, false])
  const both = normalizeRetention({ keep: 1, maxAge: '7d' })
  expect([retains(both, 0, 100 * DAY), retains(both, 3, DAY), retains(both, 3, 8 * DAY)]).toEqual([true, true, false])
  expect(retains(undefined, 1000, 1000 * DAY)).toBe(true)
})

test('assets and projects carry their normalized policy', () => {
  const raw = asset({ key: 'raw', retention: { keep: 3 } }, () => 1)
  const project = defineProject({ assets: [raw], retention: { maxAge: '1d' } })
  expect(raw.retention).toEqual({ keep: 3, maxAgeMs: undefined })
  expect(project.retention).toEqual({ keep: undefined, maxAgeMs: DAY })
})

test('a bad project policy is a definition error naming the field', () => {
  expect(() => defineProject({ assets: [], retention: { keep: 1.5 } })).toThrow(
    /retention\.keep: expected an integer >= 1/,
  )
})
