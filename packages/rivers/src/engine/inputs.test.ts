/**
 * What a source's `load` is given when an asset reads it: the run, key and path, a logger bound to
 * the source (made when first used) and the model registry.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, expect, it } from 'vitest'

import { asset, defineProject, source } from '../definitions/index.js'
import type { SourceContext } from '../definitions/context.js'
import { openWorkspace } from '../open.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-inputs-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

it("gives a source's load its run, key, a logger bound to the source and the model registry", async () => {
  const seen: { ctx: SourceContext; logBindings: Record<string, unknown>; sameLog: boolean; aliases: unknown }[] = []
  const raw = source({
    key: 'raw',
    observe: () => ({ dataVersion: 'v1' }),
    load: (ctx) => {
      const first = ctx.log
      const logBindings = first.bindings()
      seen.push({ ctx, logBindings, sameLog: first === ctx.log, aliases: typeof ctx.models.alias })
      return 41
    },
  })
  const a = asset({ key: 'a', deps: { raw } }, ({ raw }) => raw + 1)
  const b = asset({ key: 'b', deps: { raw } }, ({ raw }) => raw + 2)
  const ws = await openWorkspace(defineProject({ assets: [a, b] }), {
    storeDir: path.join(dir, '.rivers'),
    logLevel: 'silent',
  })
  const summary = await ws.materialize({})
  await ws.close()
  expect(summary.failed).toEqual([])
  expect(summary.status).toBe('success')
  expect(seen).toHaveLength(2) // each consumer loads it again
  for (const s of seen) {
    expect(s.ctx.runId).toBe(summary.runId)
    expect(s.ctx.key).toBe('raw')
    expect(s.ctx.path).toBeUndefined()
    expect(s.ctx.signal.aborted).toBe(false)
    expect(s.logBindings).toMatchObject({ asset: 'raw' })
    expect(s.sameLog).toBe(true)
    expect(s.aliases).toBe('function')
  }
})
