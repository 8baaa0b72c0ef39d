/**
 * Partitioned assets through the real `assets` binary: a daily asset reading an unpartitioned source,
 * a 3-day rolling window over it, an unpartitioned total over every window; per-partition plans,
 * early cutoff per partition, `--partition` selections and their errors, `assets partitions`, and an
 * incremental run that ends exactly where a clean build of the same data does.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'

import { afterAll, describe, expect, test } from 'vitest'

import { makeProject, removeProjects, type TestProject } from './project.js'

afterAll(removeProjects)

const T = { timeout: 60_000 }

const CONFIG = `
import { asset, daily, defineProject, mapped, mapping, source } from '@rivers-orchestrator/rivers'

const readings = source({ key: 'readings', path: 'readings.json' })
const days = daily({ start: '2024-01-01', end: '2024-01-11' })

export const dailyReadings = asset(
  { key: 'daily_readings', partitions: days, deps: { readings } },
  ({ readings }, ctx) => {
    const all: Record<string, number> = JSON.parse(String(readings))
    return { day: ctx.partition!.key, value: all[ctx.partition!.key] ?? 0, start: ctx.partition!.window!.start.toISOString() }
  },
)

export const rolling = asset(
  { key: 'rolling', partitions: days, deps: { window: mapped(dailyReadings, mapping.window({ length: 3 })) } },
  ({ window }) => Object.values(window).reduce((sum, r) => sum + r.value, 0),
)

export const total = asset({ key: 'total', deps: { sums: mapped(rolling) } }, ({ sums }) =>
  Object.entries(sums).map(([day, sum]) => \`\${day}=\${sum}\`),
)

export default defineProject({ assets: [readings, dailyReadings, rolling, total] })
`

const readings = (changed: Record<string, number> = {}): string =>
  JSON.stringify({
    ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`2024-01-${String(i + 1).padStart(2, '0')}`, i + 1])),
    ...changed,
  })

/** The stored value of an unpartitioned asset's current record. */
async function storedValue(p: TestProject, key: string): Promise<unknown> {
  const r = await p.run(['show', key, '--json'])
  expect(r.code, r.stderr).toBe(0)
  const storagePath = r.json().history[0].storagePath as string
  return JSON.parse(readFileSync(path.join(p.dir, '.rivers', 'storage', ...storagePath.split('/')), 'utf8'))
}

describe('a daily-partitioned pipeline', () => {
  const p = makeProject({ 'rivers.config.ts': CONFIG, 'readings.json': readings() })

  test('the first run builds every partition, then the reader of all of them', T, async () => {
    const r = await p.run(['materialize', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const s = r.json()
    expect(s.status).toBe('success')
    expect([...s.materialized].sort()).toEqual(['daily_readings', 'rolling', 'total'])
    expect(s.partitions).toEqual({
      daily_readings: { planned: 10, materialized: 10, skipped: 0, failed: 0 },
      rolling: { planned: 10, materialized: 10, skipped: 0, failed: 0 },
    })
    // Windows at the start are cut by the definition's start: Jan 1 reads Jan 1 only.
    expect(await storedValue(p, 'total')).toEqual([
      '2024-01-01=1',
      '2024-01-02=3',
      '2024-01-03=6',
      '2024-01-04=9',
      '2024-01-05=12',
      '2024-01-06=15',
      '2024-01-07=18',
      '2024-01-08=21',
      '2024-01-09=24',
      '2024-01-10=27',
    ])
  })

  test('a second run builds nothing, and status counts partitions', T, async () => {
    const r = await p.run(['materialize', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({ materialized: [], failed: [] })
    const status = (await p.run(['status', '--json'])).json()
    const byKey = Object.fromEntries(status.assets.map((a: { key: string }) => [a.key, a]))
    expect(byKey.daily_readings).toMatchObject({
      status: 'fresh',
      planned: false,
      partitions: { total: 10, fresh: 10, stale: 0, missing: 0 },
    })
    expect(byKey.total).toMatchObject({ status: 'fresh', planned: false })
    const one = (await p.run(['status', 'daily_readings', '--partition', '2024-01-02...2024-01-03', '--json'])).json()
    expect(one.assets).toEqual([
      { key: 'daily_readings', partition: '2024-01-02', status: 'fresh', planned: false, causes: [], rootCauses: [] },
      { key: 'daily_readings', partition: '2024-01-03', status: 'fresh', planned: false, causes: [], rootCauses: [] },
    ])
  })

  test('one changed day: every daily partition re-runs, only the windows that read it follow', T, async () => {
    p.write({ 'readings.json': readings({ '2024-01-05': 50 }) })
    const stale = (await p.run(['status', 'daily_readings', '--partition', '2024-01-05', '--json'])).json()
    expect(stale.assets).toEqual([
      {
        key: 'daily_readings',
        partition: '2024-01-05',
        status: 'stale',
        planned: true,
        causes: [
          {
            kind: 'upstream_data_changed',
            message: 'an input it reads has new data (or a partition it reads appeared or went missing)',
          },
        ],
        rootCauses: [],
      },
    ])
    const plan = (await p.run(['plan', '--json'])).json()
    expect(plan.partitions.daily_readings).toEqual({ count: 10, ranges: ['2024-01-01...2024-01-10'] })
    const r = await p.run(['materialize', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const s = r.json()
    expect(s.partitions).toEqual({
      daily_readings: { planned: 10, materialized: 10, skipped: 0, failed: 0 },
      rolling: { planned: 10, materialized: 3, skipped: 7, failed: 0 },
    })
    expect(s.materialized).toContain('total')
    const sums = (await storedValue(p, 'total')) as string[]
    expect(sums.slice(4, 7)).toEqual(['2024-01-05=57', '2024-01-06=60', '2024-01-07=63'])
    // Each record says which partition it is and which partitions of its input it read.
    const shown = (await p.run(['show', 'rolling', '--json'])).json()
    const latest = shown.history.find((h: { partition?: string }) => h.partition === '2024-01-07')
    expect(latest.inputs).toEqual([
      { key: 'daily_readings', partition: '2024-01-05...2024-01-07', dataVersion: expect.any(String) },
    ])
    const human = await p.run(['show', 'rolling'])
    expect(human.stdout).toContain('daily_readings[2024-01-05...2024-01-07]@')
  })

  test('the incremental result equals a clean build of the same data', T, async () => {
    const clean = makeProject({ 'rivers.config.ts': CONFIG, 'readings.json': readings({ '2024-01-05': 50 }) })
    expect((await clean.run(['materialize', '--json'])).code).toBe(0)
    expect(await storedValue(p, 'total')).toEqual(await storedValue(clean, 'total'))
  })

  test('--partition runs the partitions asked for, forced or not', T, async () => {
    const fresh = await p.run(['materialize', 'daily_readings', '--partition', '2024-01-03...2024-01-04', '--json'])
    expect(fresh.code, fresh.stderr).toBe(0)
    expect(fresh.json().partitions).toBeUndefined()
    const forced = await p.run([
      'materialize',
      'daily_readings',
      '--partition',
      '2024-01-03...2024-01-04',
      '--partition',
      '2024-01-09',
      '--force',
      '--json',
    ])
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.json().partitions).toEqual({
      daily_readings: { planned: 3, materialized: 3, skipped: 0, failed: 0 },
    })
  })

  test('assets partitions lists runs of one status', T, async () => {
    p.write({ 'readings.json': readings({ '2024-01-05': 50, '2024-01-02': 7 }) })
    // Nothing re-ran yet: the source changed, so every daily partition is stale.
    const r = await p.run(['partitions', 'daily_readings', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({
      key: 'daily_readings',
      definition: expect.stringContaining('daily'),
      total: 10,
      stale: 10,
      runs: [{ from: '2024-01-01', to: '2024-01-10', count: 10, status: 'stale' }],
    })
    expect((await p.run(['materialize', 'daily_readings', '--partition', '2024-01-01...2024-01-03'])).code).toBe(0)
    const after = await p.run(['partitions', 'daily_readings'])
    expect(after.code, after.stderr).toBe(0)
    expect(after.stdout).toContain('2024-01-01...2024-01-03')
    expect(after.stdout).toMatch(/2024-01-04\.\.\.2024-01-10\s+7\s+stale/)
  })

  test('gc keeps the current output of every partition', T, async () => {
    // Keep one record per (asset, partition): the older outputs of re-built partitions go.
    p.write({
      'rivers.config.ts': CONFIG.replace(
        'defineProject({ assets: [readings, dailyReadings, rolling, total] })',
        'defineProject({ assets: [readings, dailyReadings, rolling, total], retention: { keep: 1 } })',
      ),
    })
    const gc = await p.run(['gc', '--yes', '--json'])
    expect(gc.code, gc.stderr).toBe(0)
    expect(gc.json().files.length).toBeGreaterThan(10)
    // Rebuilding the reader of every partition reads each current partition's file back.
    const r = await p.run(['materialize', 'total', '--force', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({ status: 'success', materialized: ['total'] })
  })

  test('bad partitions are refused before anything runs', T, async () => {
    const unknown = await p.run(['materialize', 'daily_readings', '--partition', '2024-02-30'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('2024-02-30')
    const outside = await p.run(['materialize', 'daily_readings', '--partition', '2023-12-31'])
    expect(outside.code).toBe(2)
    const unpartitioned = await p.run(['materialize', 'total', '--partition', '2024-01-01'])
    expect(unpartitioned.code).toBe(2)
    expect(unpartitioned.stderr).toContain('no asset selected by total is partitioned')
    const notPartitioned = await p.run(['partitions', 'total'])
    expect(notPartitioned.code).toBe(2)
    expect(notPartitioned.stderr).toContain('"total" is not partitioned')
  })
})

describe('a dynamic partition set', () => {
  const p = makeProject({
    'rivers.config.ts': `
import { asset, defineProject, dynamicPartitions } from '@rivers-orchestrator/rivers'

export const orders = asset({ key: 'orders', partitions: dynamicPartitions('customers') }, (_, ctx) => ({
  customer: ctx.partition!.key,
}))

export default defineProject({ assets: [orders] })
`,
  })

  test('keys added by command become partitions; removing one with records needs --wipe', T, async () => {
    const empty = await p.run(['materialize', '--json'])
    expect(empty.code, empty.stderr).toBe(0)
    expect(empty.json().materialized).toEqual([])
    const added = await p.run(['partitions', 'add', 'customers', 'acme', 'globex', '--json'])
    expect(added.code, added.stderr).toBe(0)
    expect(added.json()).toMatchObject({ set: 'customers', assets: ['orders'], changed: 2, keys: ['acme', 'globex'] })
    const built = await p.run(['materialize', '--json'])
    expect(built.code, built.stderr).toBe(0)
    expect(built.json().partitions).toEqual({ orders: { planned: 2, materialized: 2, skipped: 0, failed: 0 } })
    const refused = await p.run(['partitions', 'remove', 'customers', 'acme'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('orders [acme] has records')
    expect(refused.stderr).toContain('--wipe')
    const removed = await p.run(['partitions', 'remove', 'customers', 'acme', '--wipe', '--json'])
    expect(removed.code, removed.stderr).toBe(0)
    expect(removed.json()).toMatchObject({ changed: 1, keys: ['globex'], wiped: 1 })
    const status = (await p.run(['partitions', 'orders', '--json'])).json()
    expect(status).toMatchObject({ total: 1, fresh: 1, missing: 0 })
    // Added again, a key is a new partition (missing), not the old one back.
    expect((await p.run(['partitions', 'add', 'customers', 'acme'])).code).toBe(0)
    expect((await p.run(['partitions', 'orders', '--json'])).json()).toMatchObject({ total: 2, fresh: 1, missing: 1 })
  })

  test('bad sets and keys are refused', T, async () => {
    const badKey = await p.run(['partitions', 'add', 'customers', 'a|b'])
    expect(badKey.code).toBe(2)
    expect(badKey.stderr).toContain('a|b')
    const unknownSet = await p.run(['partitions', 'add', 'custmers', 'x'])
    expect(unknownSet.code).toBe(2)
    expect(unknownSet.stderr).toContain('did you mean "customers"')
    const noKeys = await p.run(['partitions', 'add', 'customers'])
    expect(noKeys.code).toBe(2)
    const unknownKey = await p.run(['partitions', 'remove', 'customers', 'initech'])
    expect(unknownKey.code).toBe(2)
    expect(unknownKey.stderr).toContain('initech')
  })
})
