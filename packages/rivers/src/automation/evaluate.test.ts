import { describe, expect, it } from 'vitest'
import { when, type Condition } from '../definitions/automation.js'
import { type AssetFacts, type ConditionMemory, type EvaluationReads, evaluateCondition } from './evaluate.js'
import { formatTree } from './tree.js'

const T0 = Date.parse('2026-12-05T10:00:00.000Z')
const MIN = 60_000
const empty = (): ConditionMemory => ({ evaluatedAt: undefined, nodes: {} })

function facts(over: Partial<AssetFacts> = {}): AssetFacts {
  return {
    key: 'model',
    status: 'fresh',
    causes: [],
    lastMaterializedAt: T0 - 60 * MIN,
    inputs: [{ name: 'features', key: 'ml/features', current: 'b', consumed: 'a' }],
    inProgress: false,
    lastRequestedAt: undefined,
    ...over,
  }
}

/** Stored history as plain data: records per key (oldest first), values by data version, metrics. */
interface World {
  records?: Record<string, { dataVersion: string; finishedAt: number; metadata: Record<string, unknown> | null }[]>
  values?: Record<string, unknown>
  metrics?: Record<string, number[]>
}

function reads(world: World, calls: string[] = []): EvaluationReads {
  return {
    async records(key, since, limit) {
      calls.push(`records ${key}`)
      const all = [...(world.records?.[key] ?? [])].reverse()
      const at = since === undefined ? -1 : all.findIndex((r) => r.dataVersion === since)
      return (at < 0 ? all : all.slice(0, at + 1)).slice(0, limit)
    },
    async value(key, dataVersion) {
      calls.push(`value ${key}@${dataVersion}`)
      if (!(dataVersion in (world.values ?? {}))) throw new Error(`no value of ${key} at ${dataVersion}`)
      return world.values![dataVersion]
    },
    async metric(key, name, limit) {
      calls.push(`metric ${key}:${name}`)
      return (world.metrics?.[`${key}:${name}`] ?? []).slice(-limit)
    },
  }
}

async function evaluate(c: Condition, f: AssetFacts, world: World = {}, memory = empty(), now = T0) {
  return evaluateCondition(c.node, f, reads(world), memory, now)
}

describe('simple nodes', () => {
  it('missing, code/config changed, in progress', async () => {
    expect(
      (await evaluate(when.missing(), facts({ status: 'missing', lastMaterializedAt: undefined }))).requested,
    ).toBe(true)
    expect((await evaluate(when.missing(), facts())).requested).toBe(false)
    const code = facts({ status: 'stale', causes: [{ kind: 'code_changed' }] })
    expect((await evaluate(when.codeChanged(), code)).requested).toBe(true)
    expect((await evaluate(when.configChanged(), code)).requested).toBe(false)
    expect((await evaluate(when.inProgress(), facts({ inProgress: true }))).requested).toBe(true)
  })

  it('eager: missing or a new input version, never with a missing input', async () => {
    const changed = facts({ status: 'stale', causes: [{ kind: 'upstream_data_changed', dep: 'ml/features' }] })
    const r = await evaluate(when.eager(), changed)
    expect(r.requested).toBe(true)
    expect(r.tree.label).toBe('eager: input features has a new data version')
    expect((await evaluate(when.eager(), facts())).requested).toBe(false)
    expect((await evaluate(when.eager(), facts({ status: 'missing', lastMaterializedAt: undefined }))).requested).toBe(
      true,
    )
    const noInput = facts({
      status: 'missing',
      lastMaterializedAt: undefined,
      inputs: [{ name: 'features', key: 'ml/features', current: undefined, consumed: undefined }],
    })
    const m = await evaluate(when.eager(), noInput)
    expect(m.requested).toBe(false)
    expect(m.tree.label).toBe('eager: input features has no data yet')
    expect((await evaluate(when.eager(), facts({ status: 'unobservable' }))).requested).toBe(false)
  })

  it('eager: an input requested in the same tick counts as new, and not as missing', async () => {
    const input = { name: 'features', key: 'ml/features', consumed: undefined, requested: true }
    const first = await evaluate(
      when.eager(),
      facts({ status: 'missing', lastMaterializedAt: undefined, inputs: [{ ...input, current: undefined }] }),
    )
    expect([first.requested, first.tree.label]).toEqual([true, 'eager: never materialized'])
    const fresh = await evaluate(when.eager(), facts({ inputs: [{ ...input, current: 'a'.repeat(32) }] }))
    expect([fresh.requested, fresh.tree.label]).toEqual([true, 'eager: input features is requested in this tick'])
    expect(fresh.tree.details).toEqual({ requestedInputs: ['features'] })
  })

  it('time since and rate limit', async () => {
    expect((await evaluate(when.timeSince('30m'), facts())).requested).toBe(true)
    expect((await evaluate(when.timeSince('2h'), facts())).requested).toBe(false)
    expect((await evaluate(when.timeSince('2h'), facts({ lastMaterializedAt: undefined }))).requested).toBe(true)
    expect((await evaluate(when.rateLimit('10m'), facts())).requested).toBe(true)
    const recent = facts({ lastRequestedAt: T0 - 5 * MIN })
    const r = await evaluate(when.rateLimit('10m'), recent)
    expect(r.requested).toBe(false)
    expect(r.tree.label).toBe('rate_limit 10m: last automation run started 5m ago')
    expect((await evaluate(when.rateLimit('4m'), recent)).requested).toBe(true)
  })

  it('on_cron: a tick since the previous evaluation, else since the last materialization', async () => {
    const cron = when.onCron('0 * * * *')
    // First evaluation: since the last materialization (09:00); 10:00 ticked since.
    const first = await evaluate(cron, facts(), {}, empty(), T0 + 5 * MIN)
    expect(first.requested).toBe(true)
    expect(first.tree.details).toEqual({ tick: '2026-12-05T10:00:00.000Z', since: '2026-12-05T09:00:00.000Z' })
    // Next evaluation five minutes later: no tick in between.
    const second = await evaluate(cron, facts(), {}, first.memory, T0 + 10 * MIN)
    expect(second.requested).toBe(false)
    // Never materialized and never evaluated: false.
    const none = await evaluate(cron, facts({ lastMaterializedAt: undefined }), {}, empty(), T0 + 5 * MIN)
    expect(none.requested).toBe(false)
    // An hour later the next tick passed.
    expect((await evaluate(cron, facts(), {}, second.memory, T0 + 61 * MIN)).requested).toBe(true)
  })

  it('and, or, not, ensemble', async () => {
    const stale = facts({ status: 'stale', causes: [{ kind: 'code_changed' }] })
    expect((await evaluate(when.codeChanged().and(when.missing()), stale)).requested).toBe(false)
    expect((await evaluate(when.codeChanged().or(when.missing()), stale)).requested).toBe(true)
    expect((await evaluate(when.missing().not(), stale)).requested).toBe(true)
    const three = [when.codeChanged(), when.missing(), when.timeSince('1m')]
    const majority = await evaluate(when.ensemble(three), stale)
    expect(majority.requested).toBe(true)
    expect(majority.tree.label).toBe('ensemble: 2 of 3 true, a majority 2 needed')
    expect((await evaluate(when.ensemble(three, { atLeast: 3 }), stale)).requested).toBe(false)
    expect(majority.tree.children!.map((c) => c.path)).toEqual(['0', '1', '2'])
  })
})

describe('since: durable memory', () => {
  it('remembers a true condition until reset or materialization', async () => {
    const c = when.codeChanged().since(when.onCron('0 0 * * *'))
    const changed = facts({ status: 'stale', causes: [{ kind: 'code_changed' }] })
    const t1 = await evaluate(c, changed, {}, { evaluatedAt: T0 - MIN, nodes: {} }, T0)
    expect(t1.requested).toBe(true)
    // The code is changed back: code_changed is false now, but since remembers.
    const t2 = await evaluate(c, facts(), {}, t1.memory, T0 + MIN)
    expect(t2.requested).toBe(true)
    expect(t2.tree.children![0]!.value).toBe(false)
    // Midnight passes: reset.
    const midnight = Date.parse('2026-12-06T00:00:30.000Z')
    const t3 = await evaluate(c, facts(), {}, t2.memory, midnight)
    expect(t3.requested).toBe(false)
    expect(t3.tree.label).toMatch(/^since: reset at /)
    // True again, then the asset is materialized after it: false.
    const t4 = await evaluate(c, changed, {}, t3.memory, midnight + MIN)
    expect(t4.requested).toBe(true)
    const t5 = await evaluate(c, facts({ lastMaterializedAt: midnight + 2 * MIN }), {}, t4.memory, midnight + 3 * MIN)
    expect(t5.requested).toBe(false)
  })

  it('ignores memory of another node kind at the same path', async () => {
    const r = await evaluate(
      when.missing().since(when.codeChanged()),
      facts(),
      {},
      { evaluatedAt: T0 - MIN, nodes: { '': { kind: 'drift', trueAt: T0 } } },
    )
    expect(r.requested).toBe(false)
  })
})

describe('data amount', () => {
  const rec = (dataVersion: string, rows: number, at: number) => ({ dataVersion, finishedAt: at, metadata: { rows } })
  const world: World = {
    records: { 'ml/features': [rec('a', 100, 1), rec('x', 130, 2), rec('b', 180, 3)] },
  }

  it('total: current running total minus the consumed one', async () => {
    const r = await evaluate(when.dataAmount({ input: 'features', atLeast: 80 }), facts(), world)
    expect(r.requested).toBe(true)
    expect(r.tree.details).toMatchObject({ rows: 80, records: 2 })
    expect((await evaluate(when.dataAmount({ input: 'ml/features', atLeast: 81 }), facts(), world)).requested).toBe(
      false,
    )
  })

  it('increment: the sum over the newer records', async () => {
    const r = await evaluate(when.dataAmount({ input: 'features', atLeast: 310, mode: 'increment' }), facts(), world)
    expect(r.requested).toBe(true)
    expect(r.tree.details).toMatchObject({ rows: 310 })
  })

  it('reads nothing when the input did not change', async () => {
    const calls: string[] = []
    const same = facts({ inputs: [{ name: 'features', key: 'ml/features', current: 'a', consumed: 'a' }] })
    const r = await evaluateCondition(
      when.dataAmount({ input: 'features', atLeast: 1 }).node,
      same,
      reads(world, calls),
      empty(),
      T0,
    )
    expect(r.requested).toBe(false)
    expect(calls).toEqual([])
  })

  it('never consumed: every row is new', async () => {
    const fresh = facts({ inputs: [{ name: 'features', key: 'ml/features', current: 'b', consumed: undefined }] })
    const r = await evaluate(when.dataAmount({ input: 'features', atLeast: 180 }), fresh, world)
    expect(r.tree.details).toMatchObject({ rows: 180 })
  })
})

describe('drift', () => {
  const shifted = (n: number, shift: number) => Array.from({ length: n }, (_, i) => ({ x: (i % 50) + shift, y: i % 7 }))
  const columns = (n: number, shift: number) => ({ x: Array.from({ length: n }, (_, i) => (i % 50) + shift) })

  it('KS over rows, max over columns, static threshold', async () => {
    const world: World = { values: { a: shifted(200, 0), b: shifted(200, 25) } }
    const r = await evaluate(when.drift({ input: 'features', test: 'ks', threshold: 0.2 }), facts(), world)
    expect(r.requested).toBe(true)
    expect(r.tree.details).toMatchObject({ statistic: 0.5, columns: ['x', 'y'], threshold: 0.2 })
    expect(r.tree.label).toBe('drift ks(x,y)=0.5 > 0.2')
    const same = { values: { a: shifted(200, 0), b: shifted(200, 0) } }
    expect(
      (await evaluate(when.drift({ input: 'features', test: 'cvm', threshold: 0.2 }), facts(), same)).requested,
    ).toBe(false)
  })

  it('object of columns, chosen columns, MMD', async () => {
    const world: World = { values: { a: columns(100, 0), b: columns(100, 40) } }
    const r = await evaluate(
      when.drift({ input: 'features', columns: ['x'], test: 'mmd', threshold: 0.05 }),
      facts(),
      world,
    )
    expect(r.requested).toBe(true)
    const missing = await evaluate(
      when.drift({ input: 'features', columns: ['z'], test: 'ks', threshold: 0.1 }),
      facts(),
      world,
    )
    expect(missing.requested).toBe(false)
    expect(missing.tree.details?.error).toMatch(/has no numeric column z/)
  })

  it('warm-up records statistics, a dynamic threshold reads them, each pair is computed once', async () => {
    const c = when.drift({ input: 'features', test: 'ks', dynamic: { quantile: 0.5, window: 3 }, warmup: 2 })
    const values: Record<string, unknown> = { r: shifted(100, 0) }
    for (let i = 1; i <= 5; i++) values[`c${i}`] = shifted(100, i * 5)
    const world: World = { values }
    const at = (cur: string) =>
      facts({ inputs: [{ name: 'features', key: 'ml/features', current: cur, consumed: 'r' }] })
    let memory = empty()
    const results: boolean[] = []
    const labels: string[] = []
    for (const cur of ['c1', 'c2', 'c3', 'c3', 'c1']) {
      const calls: string[] = []
      const r = await evaluateCondition(c.node, at(cur), reads(world, calls), memory, T0)
      memory = r.memory
      results.push(r.requested)
      labels.push(r.tree.label)
      if (labels.length === 4) expect(calls).toEqual([]) // the same pair (r, c3) again: remembered
    }
    expect(labels.slice(0, 2)).toEqual(['drift ks(x,y)=0.1: warm-up 1 of 2', 'drift ks(x,y)=0.2: warm-up 2 of 2'])
    // Third comparison: 0.3 against the median of [0.1, 0.2] = 0.15.
    expect(labels[2]).toBe('drift ks(x,y)=0.3 > 0.15')
    expect(results.slice(0, 3)).toEqual([false, false, true])
    // The same pair again: same statistic, same threshold (its own value not counted twice).
    expect(labels[3]).toBe('drift ks(x,y)=0.3 > 0.15')
    // A new pair (r, c1) with 0.1 against the window [0.1, 0.2, 0.3] → median 0.2.
    expect(labels[4]).toBe('drift ks(x,y)=0.1 <= 0.2')
  })

  it('no reference, no new data', async () => {
    const none = facts({ inputs: [{ name: 'features', key: 'ml/features', current: 'b', consumed: undefined }] })
    expect((await evaluate(when.drift({ input: 'features', test: 'ks', threshold: 0.1 }), none)).tree.label).toBe(
      'drift ks(features): no reference (the asset never consumed features)',
    )
  })
})

describe('performance', () => {
  it('below a bound, read from another asset', async () => {
    const world: World = { metrics: { 'eval:accuracy': [0.95, 0.93, 0.88] } }
    const c = when.performance({ asset: 'eval', metric: 'accuracy', below: 0.9 })
    const r = await evaluate(c, facts(), world)
    expect(r.requested).toBe(true)
    expect(r.tree.label).toBe('performance eval:accuracy=0.88 < 0.9')
    expect((await evaluate(c, facts(), { metrics: {} })).tree.label).toBe(
      'performance eval:accuracy: no value recorded yet',
    )
  })

  it('deviation from the previous window', async () => {
    const steady = [0.9, 0.91, 0.89, 0.9, 0.91, 0.89]
    const c = when.performance({ metric: 'auc', deviation: { sigmas: 3, window: 6 } })
    const low = await evaluate(c, facts(), { metrics: { 'model:auc': [...steady, 0.7] } })
    expect(low.requested).toBe(true)
    expect(low.tree.details).toMatchObject({ latest: 0.7, window: 6 })
    expect((await evaluate(c, facts(), { metrics: { 'model:auc': [...steady, 0.905] } })).requested).toBe(false)
  })
})

describe('formatTree', () => {
  it('one line per node, indented, with ✓ and ✗', async () => {
    const stale = facts({ status: 'stale', causes: [{ kind: 'upstream_data_changed', dep: 'ml/features' }] })
    const r = await evaluate(when.eager().and(when.rateLimit('10m')).and(when.inProgress().not()), stale)
    expect(formatTree(r.tree)).toMatchInlineSnapshot(`
      "✓ and: 3 of 3 true
        ✓ eager: input features has a new data version
        ✓ rate_limit 10m: no run requested by automation yet
        ✓ not: false inside
          ✗ in_progress: no run holds its lease"
    `)
  })
})
