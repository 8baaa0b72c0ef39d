import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'

import { asset, check, defineProject, result, source } from '../index.js'
import { runAsset, runAssets } from './index.js'

const raw = asset({ key: 'raw' }, () => [1, 2, 3])
const daily = asset(
  {
    key: 'daily',
    deps: { parsed: raw },
    config: z.object({ scale: z.number().default(1), label: z.string().default('x') }),
    checks: [
      check('non_empty', (v: number[]) => v.length > 0),
      check('small', (v: number[]) => ({ passed: v.every((x) => x < 100), message: 'values under 100' })),
    ],
  },
  ({ parsed }, ctx) => {
    ctx.log.info({ rows: parsed.length }, 'scaling')
    ctx.addMetadata({ label: ctx.config.label, attempt: ctx.attempt, aborted: ctx.signal.aborted })
    ctx.addMetric('rows', parsed.length)
    return parsed.map((x) => x * ctx.config.scale)
  },
)

describe('runAsset', () => {
  it('runs one asset with its inputs given, config defaults applied, a real context, its checks and logs', async () => {
    const r = await runAsset(daily, { inputs: { parsed: [1, 2, 50] } })
    expectTypeOf(r.value).toEqualTypeOf<number[]>()
    expect(r.value).toEqual([1, 2, 50])
    expect(r.metadata).toMatchObject({ label: 'x', attempt: 1, aborted: false })
    expect(r.metadata.bytes).toBeGreaterThan(0)
    expect(r.metrics).toEqual([{ name: 'rows', value: 3 }])
    expect(r.checks).toEqual([
      { name: 'non_empty', passed: true, blocking: false },
      { name: 'small', passed: true, blocking: false, message: 'values under 100' },
    ])
    expect(r.logs.find((l) => l.msg === 'scaling')).toMatchObject({ asset: 'daily', rows: 3, level: 30 })
    expect(r.dataVersion).toMatch(/^[0-9a-f]+$/)
  })

  it('applies a config override, validated strictly as a run config is', async () => {
    expect((await runAsset(daily, { inputs: { parsed: [2] }, config: { scale: 10 } })).value).toEqual([20])
    await expect(runAsset(daily, { inputs: { parsed: [2] }, config: { scale: 'ten' } as never })).rejects.toThrow(
      /daily/,
    )
    await expect(runAsset(daily, { inputs: { parsed: [2] }, config: { scal: 2 } as never })).rejects.toThrow(/scal/)
  })

  it('names a missing or an unknown input before running anything', async () => {
    await expect(runAsset(daily, { inputs: {} as never })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RiversError: runAsset(daily): input "parsed" (from "raw") is not given: pass it as inputs: { parsed: … }]`,
    )
    await expect(
      runAsset(daily, { inputs: { parsed: [1], parsd: [2] } as never }),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RiversError: runAsset(daily): "parsd" is not an input of this asset; its inputs are "parsed": remove it, or add it to the asset's deps]`,
    )
  })

  it('fails as a run would: a throwing function, a blocking check, an output the store refuses', async () => {
    const throws = asset({ key: 'throws' }, () => {
      throw new TypeError('no rows')
    })
    await expect(runAsset(throws)).rejects.toThrow('asset "throws" failed: TypeError: no rows')
    const blocked = asset({ key: 'blocked', checks: [check('never', () => false, { blocking: true })] }, () => 1)
    await expect(runAsset(blocked)).rejects.toThrow(/blocked.*never/s)
    const fn = asset({ key: 'fn' }, () => ({ f: () => 1 }))
    await expect(runAsset(fn)).rejects.toThrow(/asset "fn" failed/)
    const typed = asset({ key: 'typed', output: z.object({ n: z.number() }) }, () => ({ n: 'x' }) as never)
    await expect(runAsset(typed)).rejects.toThrow(/typed/)
  })

  it('keeps what result() gives: its metadata, and its data version (hashed as in the store)', async () => {
    const r = await runAsset(
      asset({ key: 'wrapped' }, () => result({ rows: 3 }, { metadata: { n: 3 }, dataVersion: 'v1' })),
    )
    expect(r.value).toEqual({ rows: 3 })
    expect(r.metadata.n).toBe(3)
    expect(r.dataVersion).toMatch(/^[0-9a-f]{32}$/)
  })
})

describe('runAsset of a job asset', () => {
  it('runs its command through the launcher, its inputs given as files by the job protocol', async () => {
    const script =
      "const fs = require('node:fs'); const raw = JSON.parse(fs.readFileSync(JSON.parse(process.env.RIVERS_INPUTS).raw, 'utf8'));" +
      " console.log('summing', raw.length); fs.writeFileSync(process.env.RIVERS_OUTPUT, JSON.stringify({ sum: raw.reduce((a, b) => a + b, 0) }))"
    const job = asset({
      key: 'job_sum',
      deps: { raw },
      output: z.object({ sum: z.number() }),
      command: [process.execPath, '-e', script],
    })
    const r = await runAsset(job, { inputs: { raw: [1, 2, 4] } })
    expect(r.value).toEqual({ sum: 7 })
    expect(r.logs.find((l) => l.stream === 'stdout')?.msg).toBe('summing 3')
  })
})

describe('runAssets', () => {
  const orders = source({ key: 'orders', observe: () => ({ dataVersion: 'o1' }), load: () => [5, 6] })
  const doubled = asset({ key: 'doubled', deps: { orders } }, ({ orders }) => orders.map((x) => x * 2))
  const total = asset({ key: 'total', deps: { doubled, raw } }, ({ doubled, raw }) => doubled.length + raw.length)
  const project = defineProject({ assets: [total] })

  it('runs a selection in one run: given upstream values, real sources, selected assets feeding each other', async () => {
    const r = await runAssets(project, { select: ['doubled', total], values: { raw: [0] } })
    expect(r.get(doubled).value).toEqual([10, 12])
    expectTypeOf(r.get(total).value).toEqualTypeOf<number>()
    expect(r.get(total).value).toBe(3)
    expect(Object.keys(r.assets).sort()).toEqual(['doubled', 'total'])
    const given = await runAssets(project, { select: ['doubled'], values: { orders: [1] } })
    expect(given.get(doubled).value).toEqual([2])
  })

  it('refuses an unknown key, a missing upstream value, and a value nothing takes', async () => {
    await expect(runAssets(project, { select: ['totl'] })).rejects.toThrow(
      'no asset "totl" in this project (did you mean "total"?)',
    )
    await expect(runAssets(project, { select: [total] })).rejects.toThrow(
      `runAssets: "total" needs "doubled", which is neither selected nor given: add it to select, or pass values: { 'doubled': … }`,
    )
    await expect(runAssets(project, { select: ['doubled'], values: { raw: [1] } })).rejects.toThrow(
      /a value is given for "raw", but no asset of the selection \("doubled"\) takes it/,
    )
    await expect(runAssets(project, { select: ['orders'] })).rejects.toThrow(/"orders" is a source/)
    const only = await runAssets(project, { select: ['doubled'] })
    expect(() => only.get(total)).toThrow(
      'runAssets: "total" was not selected ("doubled"), so it has no result: add it to select',
    )
  })
})
