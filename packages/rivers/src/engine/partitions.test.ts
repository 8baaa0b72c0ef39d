/**
 * Partitioned assets through the library: an incremental run after random edits of the data gives
 * exactly what a clean build of the same data gives (windows, an offset window, a daily -> weekly
 * coarsening, an unpartitioned reader of every partition), and only what the edit reaches runs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it, vi } from 'vitest'

import {
  asset,
  daily,
  defineProject,
  dynamicPartitions,
  hourly,
  mapped,
  mapping,
  partitionProduct,
  source,
  staticPartitions,
  weekly,
} from '../index.js'
import { openWorkspace } from '../open.js'
import { mulberry32 } from '../automation/random.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'rivers-partitions-'))
  dirs.push(d)
  return d
}

const DAYS = Array.from({ length: 20 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`)

/** A project over `data` (read through a source whose version is the data itself). */
function project(data: { values: Record<string, number> }) {
  const raw = source({
    key: 'raw',
    observe: () => ({ dataVersion: JSON.stringify(data.values) }),
    load: () => ({ ...data.values }),
  })
  const days = daily({ start: '2024-01-01', end: '2024-01-21' })
  const day = asset({ key: 'day', partitions: days, deps: { raw } }, ({ raw }, ctx) => raw[ctx.partition!.key] ?? 0)
  const win = asset(
    { key: 'win', partitions: days, deps: { w: mapped(day, mapping.window({ length: 3 })) } },
    ({ w }) => Object.values(w).reduce((a, b) => a + b, 0),
  )
  const prev = asset(
    { key: 'prev', partitions: days, deps: { y: mapped(win, mapping.window({ length: 1, offset: 1 })), d: day } },
    ({ y, d }) => (Object.values(y)[0] ?? -1) * 100 + d,
  )
  const week = asset(
    { key: 'week', partitions: weekly({ start: '2024-01-01', end: '2024-01-22' }), deps: { days: mapped(day) } },
    ({ days }, ctx) =>
      `${ctx.partition!.key}:${Object.entries(days)
        .map(([k, v]) => `${k.slice(8)}=${v}`)
        .join(',')}`,
  )
  const total = asset({ key: 'total', deps: { prev: mapped(prev), week: mapped(week) } }, ({ prev, week }) => ({
    prev,
    week,
  }))
  return defineProject({ assets: [total] })
}

async function build(data: { values: Record<string, number> }, dir: string) {
  const ws = await openWorkspace(project(data), { projectDir: dir, logLevel: 'silent' })
  try {
    const summary = await ws.materialize()
    expect(summary.status, JSON.stringify(summary.failed)).toBe('success')
    return { summary, total: await ws.load('total') }
  } finally {
    await ws.close()
  }
}

describe('partitioned assets, incrementally', () => {
  it('end exactly where a clean build of the same data ends, after each of 12 random edits', async () => {
    const rand = mulberry32(13)
    const data = { values: Object.fromEntries(DAYS.map((d, i) => [d, i])) }
    const dir = tempDir()
    const first = await build(data, dir)
    expect(first.summary.partitions).toMatchObject({
      day: { planned: 20, materialized: 20 },
      win: { planned: 20, materialized: 20 },
      prev: { planned: 20, materialized: 20 },
      week: { planned: 3, materialized: 3 },
    })
    for (let step = 0; step < 12; step++) {
      const before = data.values
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
        const d = DAYS[Math.floor(rand() * DAYS.length)]!
        // Now and then the "edit" writes the value it had: nothing may re-run downstream of it.
        const v = rand() < 0.25 ? data.values[d]! : Math.floor(rand() * 50)
        data.values = { ...data.values, [d]: v }
      }
      const changed = new Set(DAYS.filter((d) => data.values[d] !== before[d]))
      const incremental = await build(data, dir)
      const clean = await build(data, tempDir())
      expect(incremental.total).toEqual(clean.total)
      const p = incremental.summary.partitions ?? {}
      if (changed.size === 0) {
        expect(incremental.summary.materialized).toEqual([])
        continue
      }
      // Every day re-runs (it reads the whole source); only the windows that read a changed day follow.
      expect(p.day?.materialized).toBe(20)
      const reached = new Set<number>()
      for (const d of changed) {
        const i = DAYS.indexOf(d)
        for (const j of [i, i + 1, i + 2]) if (j < 20) reached.add(j)
      }
      expect(p.win?.materialized).toBe(reached.size)
      expect(p.week?.materialized).toBe(new Set([...changed].map((d) => Math.floor(DAYS.indexOf(d) / 7))).size)
    }
  }, 120_000)
})

describe('products of partitions', () => {
  it('run per (day, region), read a window per dimension, and re-run only the cells a change reaches', async () => {
    const data = { values: { eu: 1, us: 2, apac: 3 } as Record<string, number> }
    const make = () => {
      const raw = source({
        key: 'raw',
        observe: () => ({ dataVersion: JSON.stringify(data.values) }),
        load: () => ({ ...data.values }),
      })
      const cells = partitionProduct({
        date: daily({ start: '2024-01-01', end: '2024-01-06' }),
        region: staticPartitions(['eu', 'us', 'apac']),
      })
      const sales = asset({ key: 'sales', partitions: cells, deps: { raw } }, ({ raw }, ctx) => {
        const { date, region } = ctx.partition!.dimensions
        return raw[region!]! * 100 + Number(date!.slice(8))
      })
      const trend = asset(
        {
          key: 'trend',
          partitions: cells,
          deps: {
            last2: mapped(
              sales,
              mapping.perDimension({ date: mapping.window({ length: 2 }), region: mapping.identity() }),
            ),
          },
        },
        ({ last2 }) => Object.entries(last2).map(([k, v]) => `${k}=${v}`),
      )
      return defineProject({ assets: [trend] })
    }
    const dir = tempDir()
    const run = async () => {
      const ws = await openWorkspace(make(), { projectDir: dir, logLevel: 'silent' })
      try {
        const summary = await ws.materialize()
        return { summary, parts: await ws.partitions('trend', { partitions: ['2024-01-03|us'] }) }
      } finally {
        await ws.close()
      }
    }
    const first = await run()
    expect(first.summary.partitions).toEqual({
      sales: { planned: 15, materialized: 15, skipped: 0, failed: 0 },
      trend: { planned: 15, materialized: 15, skipped: 0, failed: 0 },
    })
    expect(first.parts.runs).toEqual([{ from: '2024-01-03|us', to: '2024-01-03|us', count: 1, status: 'fresh' }])
    data.values = { ...data.values, us: 20 }
    const second = await run()
    // Every sales cell reads the whole source and re-runs; only the 5 us cells change, so 5 trend cells follow.
    expect(second.summary.partitions).toEqual({
      sales: { planned: 15, materialized: 15, skipped: 0, failed: 0 },
      trend: { planned: 15, materialized: 5, skipped: 10, failed: 0 },
    })
  }, 60_000)
})

describe('partition spaces that move while a workspace is open', () => {
  it('take in dynamic keys added by another process, and time windows that complete meanwhile', async () => {
    const dir = tempDir()
    const customers = asset({ key: 'customers', partitions: dynamicPartitions('customers') }, (_, ctx) =>
      ctx.partition!.key.toUpperCase(),
    )
    const start = new Date(Date.UTC(2026, 0, 1))
    const hours = asset({ key: 'hours', partitions: hourly({ start }) }, (_, ctx) => ctx.partition!.index)
    const project = defineProject({ assets: [customers, hours] })
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(new Date(start.getTime() + 3 * 3_600_000 + 60_000)) // 03:01: three complete hours
      const ws = await openWorkspace(project, { projectDir: dir, logLevel: 'silent' })
      const other = await openWorkspace(project, { projectDir: dir, logLevel: 'silent' })
      try {
        await ws.addPartitions('customers', ['acme'])
        expect((await ws.materialize()).partitions).toEqual({
          customers: { planned: 1, materialized: 1, skipped: 0, failed: 0 },
          hours: { planned: 3, materialized: 3, skipped: 0, failed: 0 },
        })
        await other.addPartitions('customers', ['globex'])
        vi.setSystemTime(new Date(start.getTime() + 4 * 3_600_000 + 60_000)) // 04:01: a fourth hour
        expect((await ws.materialize()).partitions).toEqual({
          customers: { planned: 1, materialized: 1, skipped: 0, failed: 0 },
          hours: { planned: 1, materialized: 1, skipped: 0, failed: 0 },
        })
        expect(await ws.load('customers', { partition: 'globex' })).toBe('GLOBEX')
        expect(await ws.partitions('hours')).toMatchObject({ total: 4, fresh: 4 })
      } finally {
        await other.close()
        await ws.close()
      }
    } finally {
      vi.useRealTimers()
    }
  })
})
