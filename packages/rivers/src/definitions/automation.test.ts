import { describe, expect, test } from 'vitest'
import {
  asset,
  conditionIssues,
  defineProject,
  isCondition,
  isScheduleDef,
  isSensorDef,
  schedule,
  sensor,
  source,
  when,
} from './index.js'
import { thrown } from './test-helpers.fixture.js'

describe('when builders', () => {
  test('build plain, frozen nodes and combine them', () => {
    const c = when
      .eager()
      .or(when.onCron('0 3 * * *', 'Europe/Zurich'))
      .and(when.rateLimit('10m'))
      .and(when.inProgress().not())
    expect(isCondition(c)).toBe(true)
    expect(Object.isFrozen(c)).toBe(true)
    expect(Object.isFrozen(c.node)).toBe(true)
    expect(JSON.parse(JSON.stringify(c.node))).toEqual(c.node)
    expect(c.node).toEqual({
      kind: 'and',
      of: [
        { kind: 'or', of: [{ kind: 'eager' }, { kind: 'on_cron', cron: '0 3 * * *', timezone: 'Europe/Zurich' }] },
        { kind: 'rate_limit', ms: 600_000, text: '10m' },
        { kind: 'not', of: { kind: 'in_progress' } },
      ],
    })
  })

  test('fill defaults of every builder', () => {
    expect(when.onCron('@daily').node).toEqual({ kind: 'on_cron', cron: '@daily', timezone: 'UTC' })
    expect(when.timeSince(1500).node).toEqual({ kind: 'time_since', ms: 1500, text: '1500ms' })
    expect(when.codeChanged().since(when.missing()).node).toEqual({
      kind: 'since',
      condition: { kind: 'code_changed' },
      reset: { kind: 'missing' },
    })
    expect(when.dataAmount({ input: 'raw', atLeast: 100 }).node).toEqual({
      kind: 'data_amount',
      input: 'raw',
      atLeast: 100,
      metadataKey: 'rows',
      mode: 'total',
    })
    expect(when.drift({ input: 'f', test: 'ks', dynamic: { quantile: 0.9 } }).node).toEqual({
      kind: 'drift',
      input: 'f',
      columns: null,
      test: 'ks',
      threshold: null,
      dynamic: { quantile: 0.9, window: 20 },
      warmup: 0,
    })
    expect(when.performance({ metric: 'auc', deviation: { sigmas: 3 } }).node).toEqual({
      kind: 'performance',
      asset: null,
      metric: 'auc',
      below: null,
      deviation: { sigmas: 3, window: 10 },
    })
    expect(when.ensemble([when.eager(), when.missing(), when.codeChanged()]).node).toMatchObject({
      kind: 'ensemble',
      atLeast: 'majority',
    })
    expect(when.ensemble([when.eager()], { atLeast: 1 }).node).toMatchObject({ atLeast: 1 })
    expect(when.all(when.eager(), when.missing()).node.kind).toBe('and')
    expect(when.any(when.eager()).node.kind).toBe('or')
    expect(when.not(when.eager()).node).toEqual({ kind: 'not', of: { kind: 'eager' } })
  })
})

describe('validation', () => {
  test('a valid tree has no issues', () => {
    const c = when.ensemble(
      [
        when.drift({ input: 'f', columns: ['x'], test: 'mmd', threshold: 0.1, warmup: 2 }),
        when.dataAmount({ input: 'raw', atLeast: 10, mode: 'increment' }),
        when.performance({ asset: 'eval', metric: 'auc', below: 0.9 }),
      ],
      { atLeast: 2 },
    )
    expect(conditionIssues(c.node)).toEqual([])
  })

  test('asset() names every bad field with its path and a fix', () => {
    const raw = asset({ key: 'raw' }, () => [1])
    const automation = when
      .onCron('0 25 * * *', 'Mars/Olympus')
      .or(when.timeSince('soon' as never))
      .and(
        when.ensemble(
          [
            when.drift({ input: 'raw', test: 'chi2' as never, threshold: 0.2, dynamic: { quantile: 1.5 } }),
            when.dataAmount({ input: 'raw', atLeast: 0 }),
            when.performance({ metric: 'auc' }),
          ],
          { atLeast: 4 },
        ),
      )
    expect(thrown(() => asset({ key: 'model', deps: { raw }, automation }, () => 1))).toMatchSnapshot()
  })

  test('something that is not a condition', () => {
    expect(thrown(() => asset({ key: 'model', automation: { kind: 'eager' } as never }, () => 1))).toMatchSnapshot()
    expect(conditionIssues(when.eager().and('soon' as never).node)).toEqual([
      {
        path: 'automation.of[1]',
        problem: 'not a condition (invalid: string "soon")',
        hint: 'build conditions with when.*(), e.g. when.eager().',
      },
    ])
  })

  test('the asset keeps its condition', () => {
    const c = when.eager()
    expect(asset({ key: 'a', automation: c }, () => 1).automation).toBe(c)
    expect(asset({ key: 'b' }, () => 1).automation).toBeUndefined()
  })
})

describe('defineProject checks what conditions refer to', () => {
  const raw = asset({ key: 'raw/rows' }, () => [1])

  test('inputs by name or by dep key', () => {
    const byName = asset(
      { key: 'a', deps: { rows: raw }, automation: when.dataAmount({ input: 'rows', atLeast: 1 }) },
      () => 1,
    )
    const byKey = asset(
      { key: 'b', deps: { rows: raw }, automation: when.dataAmount({ input: 'raw/rows', atLeast: 1 }) },
      () => 1,
    )
    expect(defineProject({ assets: [byName, byKey] }).assets).toHaveLength(3)
  })

  test('an unknown input or metrics asset is an invalid project', () => {
    const bad = asset(
      {
        key: 'model',
        deps: { rows: raw },
        automation: when.eager().and(when.drift({ input: 'row', test: 'ks', threshold: 0.1 })),
      },
      () => 1,
    )
    expect(thrown(() => defineProject({ assets: [bad] }))).toMatchSnapshot()
    const perf = asset(
      { key: 'model', automation: when.performance({ asset: 'raw/row', metric: 'auc', below: 1 }) },
      () => 1,
    )
    expect(thrown(() => defineProject({ assets: [perf, raw] }))).toMatchSnapshot()
  })
})

describe('schedules, sensors and source intervals', () => {
  test('schedule() and sensor() validate and freeze', () => {
    const s = schedule({ name: 'nightly', cron: '0 2 * * *', select: ['+model'] })
    expect(isScheduleDef(s)).toBe(true)
    expect(s).toMatchObject({ kind: 'schedule', name: 'nightly', timezone: 'UTC', select: ['+model'] })
    expect(Object.isFrozen(s.select)).toBe(true)
    const t = sensor({ name: 'batches', every: '30s', evaluate: () => ({}) })
    expect(isSensorDef(t)).toBe(true)
    expect(t.everyMs).toBe(30_000)
    const p = defineProject({ assets: [asset({ key: 'a' }, () => 1)], schedules: [s], sensors: [t] })
    expect(p.schedules).toEqual([s])
    expect(p.sensors).toEqual([t])
    expect(defineProject({ assets: [] }).schedules).toEqual([])
  })

  test('errors', () => {
    expect(
      thrown(() => schedule({ name: 'night ly', cron: '61 * * * *', timezone: 'Nowhere/City', select: [] })),
    ).toMatchSnapshot()
    expect(thrown(() => sensor({ name: 's', every: '-1s' as never, evaluate: 1 as never }))).toMatchSnapshot()
    const s = sensor({ name: 's', evaluate: () => ({}) })
    expect(thrown(() => defineProject({ assets: [], sensors: [s, s] }))).toMatchSnapshot()
    expect(thrown(() => defineProject({ assets: [], schedules: [{ name: 'x' } as never] }))).toMatchSnapshot()
  })

  test('source every', () => {
    expect(source({ key: 'raw', path: 'a.csv', every: '10s' }).everyMs).toBe(10_000)
    expect(source({ key: 'raw', path: 'a.csv' }).everyMs).toBeUndefined()
    expect(thrown(() => source({ key: 'raw', path: 'a.csv', every: 'often' as never }))).toContain('every')
  })
})
