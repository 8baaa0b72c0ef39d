import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'

import { asset, check, defineProject, source, type Project } from '../definitions/index.js'
import { openWorkspace } from '../open.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-engine-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function run(
  project: Project,
  opts: Parameters<Awaited<ReturnType<typeof openWorkspace>>['materialize']>[0] = {},
) {
  const ws = await openWorkspace(project, { storeDir: path.join(dir, '.rivers'), logLevel: 'silent' })
  try {
    return await ws.materialize(opts)
  } finally {
    await ws.close()
  }
}

async function status(project: Project, exprs: string[] = []) {
  const ws = await openWorkspace(project, { storeDir: path.join(dir, '.rivers'), logLevel: 'silent' })
  try {
    return await ws.status(exprs)
  } finally {
    await ws.close()
  }
}

function pipeline(opts: { double?: (xs: number[]) => number[]; codeVersion?: string } = {}) {
  const raw = asset({ key: 'raw' }, () => [1, 2, 3])
  const double = asset({ key: 'double', deps: { raw }, codeVersion: opts.codeVersion ?? 'v1' }, ({ raw }) =>
    (opts.double ?? ((xs) => xs.map((x) => x * 2)))(raw),
  )
  const sum = asset({ key: 'sum', deps: { double } }, ({ double }) => double.reduce((a, b) => a + b, 0))
  const other = asset({ key: 'other', deps: { raw } }, ({ raw }) => raw.length)
  return defineProject({ assets: [sum, other] })
}

describe('materialize', () => {
  it('builds everything, then nothing, then exactly what a change needs (early cutoff)', async () => {
    // Every project comes from one call site: a factory's call (its text and place) is part of the
    // code of what it defines, so calling `pipeline` from five places would make five versions.
    const variants: Parameters<typeof pipeline>[0][] = [
      {},
      {},
      // New code version that produces identical bytes: double runs, sum is skipped.
      { codeVersion: 'v2', double: (xs) => xs.map((x) => x + x) },
      // New code version with a new result: sum runs too.
      { codeVersion: 'v3', double: (xs) => xs.map((x) => x * 3) },
      { codeVersion: 'v3', double: (xs) => xs.map((x) => x * 3) },
    ]
    const runs = []
    for (const opts of variants) runs.push(await run(pipeline(opts)))
    const [first, second, third, fourth, fifth] = runs
    expect(first!.status).toBe('success')
    expect([...first!.materialized].sort()).toEqual(['double', 'other', 'raw', 'sum'])
    expect(second!.materialized).toEqual([])
    expect(second!.skipped).toEqual([])
    expect(third!.materialized).toEqual(['double'])
    expect(third!.skipped).toEqual([{ key: 'sum', reason: 'upstream_unchanged' }])
    expect(fourth!.materialized).toEqual(['double', 'sum'])
    expect(fifth!.materialized).toEqual([])
  })

  it('explains staleness with causes and root causes', async () => {
    // A factory's arguments are code of what it defines: only `double` is made by the call whose
    // argument changes (`doubled(cv)`), so only `double` gets a new code version.
    const raw = asset({ key: 'raw' }, () => [1, 2, 3])
    const doubled = (codeVersion: string) =>
      asset({ key: 'double', deps: { raw }, codeVersion }, ({ raw }) => raw.map((x) => x * 2))
    const summed = (double: ReturnType<typeof doubled>) =>
      defineProject({
        assets: [
          asset({ key: 'sum', deps: { double } }, ({ double }) => double.reduce((a, b) => a + b, 0)),
          asset({ key: 'other', deps: { raw } }, ({ raw }) => raw.length),
        ],
      })
    let report: Awaited<ReturnType<typeof status>> | undefined
    for (const cv of ['v1', 'v2']) {
      const project = summed(doubled(cv))
      if (cv === 'v1') await run(project)
      else report = await status(project)
    }
    const byKey = Object.fromEntries(report!.assets.map((a) => [a.key, a]))
    expect(byKey.double).toMatchObject({
      status: 'stale',
      planned: true,
      causes: [{ kind: 'code_changed' }],
      rootCauses: [{ key: 'double', kind: 'code_changed' }],
    })
    expect(byKey.sum).toMatchObject({ status: 'fresh', planned: true, causes: [] })
    expect(byKey.raw).toMatchObject({ status: 'fresh', planned: false })
  })

  it('isolates failures and keeps them in the next plan', async () => {
    let fail = true
    const raw = asset({ key: 'raw' }, () => 1)
    const bad = asset({ key: 'bad', deps: { raw } }, ({ raw }) => {
      if (fail) throw new Error('boom')
      return raw + 1
    })
    const after = asset({ key: 'after', deps: { bad } }, ({ bad }) => bad * 2)
    const fine = asset({ key: 'fine', deps: { raw } }, ({ raw }) => raw * 10)
    const project = defineProject({ assets: [after, fine] })
    const s = await run(project)
    expect(s.status).toBe('failed')
    expect(s.failed.map((f) => f.key)).toEqual(['bad'])
    expect(s.failed[0]!.error).toBe('boom')
    expect(s.skipped).toEqual([{ key: 'after', reason: 'upstream_failed' }])
    expect([...s.materialized].sort()).toEqual(['fine', 'raw'])
    fail = false
    const s2 = await run(project)
    expect(s2.materialized).toEqual(['bad', 'after'])
  })

  it('stops downstream of a failed blocking check', async () => {
    const raw = asset(
      { key: 'raw', checks: [check('positive', (xs: number[]) => xs.every((x) => x > 0), { blocking: true })] },
      () => [1, -2],
    )
    const down = asset({ key: 'down', deps: { raw } }, ({ raw }) => raw.length)
    const project = defineProject({ assets: [down] })
    const s = await run(project)
    expect(s.status).toBe('failed')
    expect(s.materialized).toEqual([])
    expect(s.failed).toEqual([
      {
        key: 'raw',
        error:
          'blocking check "positive" of asset "raw" failed; its output is not recorded and its downstream assets are skipped',
      },
    ])
    expect(s.skipped).toEqual([{ key: 'down', reason: 'check_failed' }])
    // The failed output is not recorded: raw stays missing and planned, with its descendant.
    expect((await status(project)).assets.map((a) => [a.key, a.status, a.planned])).toEqual([
      ['down', 'missing', true],
      ['raw', 'missing', true],
    ])
  })

  it('rebuilds on config and source changes', async () => {
    const file = path.join(dir, 'data.txt')
    writeFileSync(file, 'a,b\n')
    const data = source({ key: 'data', path: file })
    const lines = asset(
      { key: 'lines', deps: { data }, config: z.object({ sep: z.string().default(',') }) },
      ({ data }, ctx) => data.toString().trim().split(ctx.config.sep),
    )
    const project = defineProject({ assets: [lines] })
    expect((await run(project)).materialized).toEqual(['lines'])
    expect((await run(project)).materialized).toEqual([])
    expect((await run(project, { config: { lines: { sep: ';' } } })).materialized).toEqual(['lines'])
    writeFileSync(file, 'a,b,c\n')
    const report = await status(project)
    expect(report.assets.find((a) => a.key === 'lines')).toMatchObject({
      status: 'stale',
      rootCauses: expect.arrayContaining([
        { key: 'data', kind: 'source_changed', message: 'source data has new data' },
      ]),
    })
    expect((await run(project, { config: { lines: { sep: ';' } } })).materialized).toEqual(['lines'])
  })

  it('cancels: running assets see their signal, the rest is skipped, the run is recorded as cancelled', async () => {
    const controller = new AbortController()
    let sawAbort = false
    const raw = asset({ key: 'raw' }, () => 1)
    const slow = asset({ key: 'slow', deps: { raw } }, async ({ raw }, ctx) => {
      if (sawAbort) return raw
      setTimeout(() => controller.abort(), 10)
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))
      sawAbort = true
      return raw
    })
    const after = asset({ key: 'after', deps: { slow } }, ({ slow }) => slow + 1)
    const project = defineProject({ assets: [after] })
    const s = await run(project, { signal: controller.signal, concurrency: 1 })
    expect(sawAbort).toBe(true)
    expect(s.status).toBe('cancelled')
    expect(s.materialized).toEqual(['raw'])
    expect(s.skipped).toEqual([
      { key: 'slow', reason: 'cancelled' },
      { key: 'after', reason: 'cancelled' },
    ])
    // Nothing half-done is recorded: the next run builds exactly what is left.
    const next = await run(project)
    expect(next.materialized).toEqual(['slow', 'after'])
  })

  it('gives up on an asset that ignores cancellation after the grace period, recording nothing of it', async () => {
    const controller = new AbortController()
    const stubborn = asset({ key: 'stubborn' }, async () => {
      controller.abort()
      await new Promise((resolve) => setTimeout(resolve, 300))
      return 1
    })
    const s = await run(defineProject({ assets: [stubborn] }), { signal: controller.signal, cancelGraceMs: 50 })
    expect(s.status).toBe('cancelled')
    expect(s.skipped).toEqual([{ key: 'stubborn', reason: 'cancelled' }])
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect((await status(defineProject({ assets: [stubborn] }))).assets[0]!.status).toBe('missing')
  })

  it('never materializes an asset twice at once across concurrent runs on one store', async () => {
    let running = 0
    let maxRunning = 0
    let calls = 0
    const raw = asset({ key: 'raw' }, async () => {
      calls++
      running++
      maxRunning = Math.max(maxRunning, running)
      await new Promise((resolve) => setTimeout(resolve, 150))
      running--
      return [1, 2, 3]
    })
    const sum = asset({ key: 'sum', deps: { raw } }, ({ raw }) => raw.length)
    const project = defineProject({ assets: [sum] })
    const [a, b] = await Promise.all([run(project), run(project)])
    expect(maxRunning).toBe(1)
    expect(calls).toBe(1)
    // One run built both; the other waited on the lease, then found them fresh.
    expect([...a.materialized, ...b.materialized].sort()).toEqual(['raw', 'sum'])
    expect([...a.skipped, ...b.skipped].map((x) => x.reason)).toEqual(['upstream_unchanged', 'upstream_unchanged'])
  })

  it('resolves relative source paths against the project folder, not the working directory', async () => {
    writeFileSync(path.join(dir, 'in.txt'), 'hello')
    const data = source({ key: 'data', path: 'in.txt' })
    const upper = asset({ key: 'upper', deps: { data } }, ({ data }) => data.toString().toUpperCase())
    const ws = await openWorkspace(defineProject({ assets: [upper] }), {
      storeDir: path.join(dir, '.rivers'),
      projectDir: dir,
      logLevel: 'silent',
    })
    try {
      const s = await ws.materialize()
      expect(s.materialized).toEqual(['upper'])
      expect((await ws.show('data')).history[0]).toMatchObject({ kind: 'observation' })
    } finally {
      await ws.close()
    }
  })
})
