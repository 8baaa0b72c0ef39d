/**
 * Batched partition functions (`asset({ partitions, batch })`): one call per batch, one record per
 * partition. A batched pipeline runs exactly what its one-partition twin runs, edit after edit, and
 * ends with the same values and data versions; bad results, retries, blocking checks and gc of the
 * shared segment files behave as for one partition at a time.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { asset, check, daily, defineProject, isRiversError, mapped, mapping, source } from '../index.js'
import { openWorkspace } from '../open.js'
import { GC_MARGIN_MS } from './gc-safety.js'
import { mulberry32 } from '../automation/random.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'rivers-batch-'))
  dirs.push(d)
  return d
}

const DAYS = Array.from({ length: 20 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`)
const days = daily({ start: '2024-01-01', end: '2024-01-21' })

/** The pipeline, batched (`batch` partitions per call) or one partition per call; `calls` counts calls. */
function pipeline(data: { values: Record<string, number> }, batch: number | undefined, calls: number[]) {
  const raw = source({
    key: 'raw',
    observe: () => ({ dataVersion: JSON.stringify(data.values) }),
    load: () => ({ ...data.values }),
  })
  const day =
    batch === undefined
      ? asset({ key: 'day', partitions: days, deps: { raw } }, ({ raw }, ctx) => {
          calls.push(1)
          return raw[ctx.partition!.key] ?? 0
        })
      : asset({ key: 'day', partitions: days, batch, deps: { raw } }, (b) => {
          calls.push(b.partitions.length)
          return Object.fromEntries(b.partitions.map((p) => [p.key, b.inputs(p.key).raw[p.key] ?? 0]))
        })
  const win =
    batch === undefined
      ? asset({ key: 'win', partitions: days, deps: { w: mapped(day, mapping.window({ length: 3 })) } }, ({ w }) =>
          Object.values(w).reduce((a, b) => a + b, 0),
        )
      : asset({ key: 'win', partitions: days, batch, deps: { w: mapped(day, mapping.window({ length: 3 })) } }, (b) =>
          Object.fromEntries(
            b.partitions.map((p) => [p.key, Object.values(b.inputs(p.key).w).reduce((x, y) => x + y, 0)]),
          ),
        )
  const total = asset({ key: 'total', deps: { win: mapped(win) } }, ({ win }) => win)
  return defineProject({ assets: [total] })
}

async function build(data: { values: Record<string, number> }, dir: string, batch: number | undefined) {
  const calls: number[] = []
  const ws = await openWorkspace(pipeline(data, batch, calls), { projectDir: dir, logLevel: 'silent' })
  try {
    const summary = await ws.materialize()
    expect(summary.status, JSON.stringify(summary.failed)).toBe('success')
    // The current data version of each partition: its newest record's.
    const versions = new Map<string, string>()
    for (const r of (await ws.show('win', { limit: 10_000 })).history)
      if (!versions.has(r.partition!)) versions.set(r.partition!, r.dataVersion)
    return { summary, calls, total: await ws.load('total'), versions }
  } finally {
    await ws.close()
  }
}

describe('batched partition functions', () => {
  it('run what the one-partition twin runs, with the same values and data versions, edit after edit', async () => {
    const rand = mulberry32(7)
    const data = { values: Object.fromEntries(DAYS.map((d, i) => [d, i])) }
    const [batchedDir, plainDir] = [tempDir(), tempDir()]
    const first = await build(data, batchedDir, 6)
    // 20 partitions in calls of at most 6.
    expect(first.calls.sort()).toEqual([2, 6, 6, 6])
    expect(first.summary.partitions?.win).toEqual({ planned: 20, materialized: 20, skipped: 0, failed: 0 })
    // One segment file per call, not one file per partition.
    expect(
      readdirSync(path.join(batchedDir, '.rivers', 'storage', 'day')).filter((f) => f.endsWith('.seg')),
    ).toHaveLength(4)
    await build(data, plainDir, undefined)
    for (let step = 0; step < 6; step++) {
      for (let k = 1 + Math.floor(rand() * 2); k > 0; k--) {
        const d = DAYS[Math.floor(rand() * DAYS.length)]!
        data.values = { ...data.values, [d]: rand() < 0.3 ? data.values[d]! : Math.floor(rand() * 50) }
      }
      const batched = await build(data, batchedDir, 6)
      const plain = await build(data, plainDir, undefined)
      expect(batched.total).toEqual(plain.total)
      expect(batched.summary.partitions).toEqual(plain.summary.partitions)
      expect([...batched.versions].sort()).toEqual([...plain.versions].sort())
      expect(batched.versions.size).toBe(20)
    }
  }, 120_000)

  it('refuse a result without every partition, and record none of the call', async () => {
    const dir = tempDir()
    const bad = asset({ key: 'bad', partitions: days, batch: 5 }, (b) =>
      Object.fromEntries(b.partitions.slice(1).map((p) => [p.key, 1])),
    )
    const ws = await openWorkspace(defineProject({ assets: [bad] }), { projectDir: dir, logLevel: 'silent' })
    try {
      const summary = await ws.materialize({ partitions: ['2024-01-01...2024-01-05'] })
      expect(summary.status).toBe('failed')
      expect(summary.partitions?.bad).toEqual({ planned: 5, materialized: 0, skipped: 0, failed: 5 })
      expect(summary.failed[0]?.error).toContain('returned no value for "2024-01-01"')
      expect(summary.failed[0]?.error).toContain('Return one value per partition key of batch.partitions')
      expect(await ws.partitions('bad')).toMatchObject({ fresh: 0, missing: 20 })
    } finally {
      await ws.close()
    }
  })

  it('retry a failed call as a whole, and keep the partitions whose blocking check passed', async () => {
    const dir = tempDir()
    let attempts = 0
    const flaky = asset(
      {
        key: 'flaky',
        partitions: days,
        batch: 4,
        retry: { maxRetries: 1, delay: 0 },
        checks: [check('positive', (v: number) => v > 0, { blocking: true })],
      },
      (b) => {
        attempts++
        if (attempts === 1) throw new Error('warehouse busy')
        return Object.fromEntries(b.partitions.map((p) => [p.key, p.index === 2 ? -1 : p.index + 1]))
      },
    )
    const ws = await openWorkspace(defineProject({ assets: [flaky] }), { projectDir: dir, logLevel: 'silent' })
    try {
      const summary = await ws.materialize({ partitions: ['2024-01-01...2024-01-04'] })
      expect(attempts).toBe(2)
      expect(summary.partitions?.flaky).toEqual({ planned: 4, materialized: 3, skipped: 0, failed: 1 })
      expect(summary.failed[0]?.error).toContain('2024-01-03')
      expect(summary.failed[0]?.error).toContain('blocking check "positive"')
      const statuses = await ws.partitions('flaky', { partitions: ['2024-01-01...2024-01-04'] })
      expect(statuses.runs.map((r) => [r.from, r.to, r.status])).toEqual([
        ['2024-01-01', '2024-01-02', 'fresh'],
        ['2024-01-03', '2024-01-03', 'missing'],
        ['2024-01-04', '2024-01-04', 'fresh'],
      ])
      const show = await ws.show('flaky')
      expect(show.history.find((r) => r.partition === '2024-01-01')?.metadata).toMatchObject({ attempts: 2, batch: 4 })
    } finally {
      await ws.close()
    }
  })

  it('are refused without partitions, with a command, with a bad size, and as decorated methods', () => {
    const refused = (f: () => unknown): string => {
      try {
        f()
      } catch (e) {
        expect(isRiversError(e)).toBe(true)
        return (e as Error).message
      }
      throw new Error('not refused')
    }
    expect(refused(() => asset({ key: 'a', batch: 3 }, () => ({})))).toContain('this asset has no partitions')
    expect(refused(() => asset({ key: 'a', partitions: days, batch: 0 }, () => ({})))).toContain('expected at least 1')
    expect(refused(() => asset({ key: 'a', partitions: days, batch: 2.5 }, () => ({})))).toContain('whole number')
    expect(refused(() => asset({ key: 'a', partitions: days, batch: 2, command: ['true'] }))).toContain(
      'cannot be batched',
    )
    expect(refused(() => asset({ key: 'a', partitions: days, batch: 2 }))).toContain('cannot be a decorated method')
  })

  it('keep a shared segment file while any record points into it, and let gc remove it after', async () => {
    const dir = tempDir()
    const data = { v: 1 }
    const make = () => {
      const raw = source({ key: 'raw', observe: () => ({ dataVersion: String(data.v) }), load: () => data.v })
      return defineProject({
        assets: [
          asset({ key: 'seg', partitions: days, batch: 10, deps: { raw }, retention: { keep: 1 } }, (b) =>
            Object.fromEntries(
              b.partitions.map((p) => [p.key, p.index < 10 ? b.inputs(p.key).raw * p.index : p.index]),
            ),
          ),
        ],
      })
    }
    const segs = () => readdirSync(path.join(dir, '.rivers', 'storage', 'seg')).filter((f) => f.endsWith('.seg'))
    const run = async (fn: (ws: Awaited<ReturnType<typeof openWorkspace>>) => Promise<unknown>) => {
      const ws = await openWorkspace(make(), { projectDir: dir, logLevel: 'silent' })
      try {
        return await fn(ws)
      } finally {
        await ws.close()
      }
    }
    await run((ws) => ws.materialize())
    expect(segs()).toHaveLength(2)
    // Only the first 10 partitions read the source: they re-run, the last 10 stay current.
    data.v = 2
    await run((ws) => ws.materialize({ force: true, partitions: ['2024-01-01...2024-01-10'] }))
    expect(segs()).toHaveLength(3)
    // gc leaves what was superseded within its safety margin (2 s) alone.
    await new Promise((resolve) => setTimeout(resolve, GC_MARGIN_MS + 100))
    const report = (await run((ws) => ws.gc([], { apply: true }))) as { files: { storagePath: string }[] }
    // The first segment is superseded as a whole and goes; the second still holds current partitions.
    expect(report.files.map((f) => f.storagePath.endsWith('.seg'))).toEqual([true])
    expect(segs()).toHaveLength(2)
    const values = (await run(async (ws) => {
      const out: unknown[] = []
      for (const day of ['2024-01-04', '2024-01-15']) out.push(await ws.load('seg', { partition: day }))
      return out
    })) as unknown[]
    expect(values).toEqual([6, 14])
  })
})
