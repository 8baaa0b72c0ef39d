import { describe, expect, it } from 'vitest'

import { when } from '../definitions/automation.js'
import type { AssetFacts, EvaluatedNode } from './scope.js'
import { nextWake, readsEvaluationTime } from './wake.js'

const now = Date.parse('2026-12-05T10:20:00Z')
const facts = (over: Partial<AssetFacts> = {}): AssetFacts => ({
  key: 'model',
  status: 'fresh',
  causes: [],
  lastMaterializedAt: now - 10 * 60_000,
  inputs: [],
  inProgress: false,
  lastRequestedAt: undefined,
  ...over,
})
const ok: EvaluatedNode = { kind: 'and', path: '', value: false, label: 'and: 0 of 2 true' }

describe('nextWake', () => {
  it('is the next cron tick, the end of a time_since or rate_limit window, the earliest of a tree', () => {
    expect(nextWake(when.onCron('0 * * * *').node, facts(), ok, now)).toBe(Date.parse('2026-12-05T11:00:00Z'))
    expect(nextWake(when.timeSince('1h').node, facts(), ok, now)).toBe(now + 50 * 60_000 + 1)
    expect(nextWake(when.rateLimit('30m').node, facts({ lastRequestedAt: now - 60_000 }), ok, now)).toBe(
      now + 29 * 60_000,
    )
    const tree = when.eager().and(when.timeSince('1h').or(when.onCron('30 * * * *'))).node
    expect(nextWake(tree, facts(), ok, now)).toBe(Date.parse('2026-12-05T10:30:00Z'))
  })

  it('is never for conditions only facts can change, and now after an error', () => {
    for (const c of [when.eager(), when.missing(), when.timeSince('1m'), when.rateLimit('1m').not()])
      expect(nextWake(c.node, facts(), ok, now)).toBe(Infinity)
    expect(nextWake(when.timeSince('1h').node, facts({ lastMaterializedAt: undefined }), ok, now)).toBe(Infinity)
    const failed: EvaluatedNode = {
      ...ok,
      children: [{ kind: 'drift', path: '0', value: false, label: 'drift x: no value', details: { error: 'gone' } }],
    }
    expect(nextWake(when.eager().node, facts(), failed, now)).toBe(now)
  })

  it('knows which trees read the time of their previous evaluation', () => {
    expect(readsEvaluationTime(when.eager().or(when.onCron('0 3 * * *')).node)).toBe(true)
    expect(readsEvaluationTime(when.eager().since(when.timeSince('1h')).node)).toBe(false)
  })
})
