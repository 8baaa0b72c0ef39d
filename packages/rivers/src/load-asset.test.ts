import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest'

import { asset, defineProject, source } from './definitions/index.js'
import { loadAsset, materialize } from './open.js'

let storeDir: string
beforeEach(() => {
  storeDir = mkdtempSync(path.join(tmpdir(), 'rivers-load-'))
})
afterEach(() => rmSync(storeDir, { recursive: true, force: true }))

const orders = source({ key: 'orders', observe: () => ({ dataVersion: 'o1' }), load: () => [3, 4] })
const raw = asset({ key: 'raw', deps: { orders } }, ({ orders }) => orders.map((n) => ({ n, at: `day-${n}` })))
const total = asset({ key: 'total', deps: { raw } }, ({ raw }) => raw.reduce((a, r) => a + r.n, 0))
const project = defineProject({ assets: [total] })

describe('loadAsset', () => {
  it('reads the current stored value through the IO manager, typed from the handle', async () => {
    await materialize(project, { storeDir, logLevel: 'silent' })
    const rows = await loadAsset(project, raw, { storeDir })
    expectTypeOf(rows).toEqualTypeOf<{ n: number; at: string }[]>()
    expect(rows).toEqual([
      { n: 3, at: 'day-3' },
      { n: 4, at: 'day-4' },
    ])
    expect(await loadAsset(project, 'total', { storeDir })).toBe(7)
    expectTypeOf(await loadAsset(project, 'total', { storeDir })).toEqualTypeOf<unknown>()
  })

  it('names an asset never materialized, an unknown key and a source, and says what to do', async () => {
    await expect(loadAsset(project, total, { storeDir })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RiversError: asset "total" has no stored value: it was never materialized (or was wiped); run \`assets materialize total\`]`,
    )
    await expect(loadAsset(project, 'totl', { storeDir })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RiversError: no asset "totl" in this project (did you mean "total"?): run \`assets list\` to see the keys]`,
    )
    await expect(loadAsset(project, orders, { storeDir })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RiversError: "orders" is a source: Rivers observes it but stores no value of it; read its file (or call its load) directly, or load an asset built from it]`,
    )
  })
})
