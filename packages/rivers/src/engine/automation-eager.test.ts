/**
 * Differential test of the tick's fused `eager` path: over random projects and store states (assets
 * never built, inputs rebuilt since, an input without data, a source that cannot be observed, an
 * input added since the last run, two inputs on one key) and random sets of inputs requested in the
 * same tick, `evaluateEager` must give what the general evaluator gives on the asset's facts: the
 * same tree, status, inputs without data and "an input was requested".
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { type EvaluatedNode, evaluateConditionNow } from '../automation/evaluate.js'
import { mulberry32 } from '../automation/random.js'
import { asset, defineProject, source, when } from '../definitions/index.js'
import type { AssetDef, Project, SourceDef } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { SqliteStore } from '../store/sqlite-store.js'
import { evaluateEager, plainEagerPositions } from './automation-eager.js'
import { assetFacts, tickReads } from './automation-facts.js'
import { TickMemo } from './automation-memo.js'
import type { AssetId } from './planner.js'
import { ProjectState } from './project-state.js'
import { RunConfig } from './run-config.js'

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-eager-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

interface World {
  sources: Map<string, string>
  broken: Set<string>
  salt: Map<string, number>
}

/** Sources and eager assets with random inputs; `extra` adds one more input to some assets. */
function randomProject(seed: number, world: World, extra: boolean): Project {
  const next = mulberry32(seed)
  const defs: (AssetDef<unknown> | SourceDef<unknown>)[] = []
  for (let i = 0; i < 3; i++) {
    const key = `src${i}`
    if (!world.sources.has(key)) world.sources.set(key, 'v0')
    defs.push(
      source({
        key,
        observe: () => {
          if (world.broken.has(key)) throw new Error(`${key} is down`)
          return { dataVersion: world.sources.get(key)! }
        },
        load: () => 1,
      }),
    )
  }
  for (let i = 0; i < 24; i++) {
    const key = `a${String(i).padStart(2, '0')}`
    const deps: Record<string, AssetDef<unknown> | SourceDef<unknown>> = {}
    const n = 1 + Math.floor(next() * 3)
    for (let j = 0; j < n; j++) deps[`in${j}`] = defs[Math.floor(next() * defs.length)]!
    if (next() < 0.15) deps.again = deps.in0! // two inputs on one key
    const more = defs[Math.floor(next() * defs.length)]!
    if (extra && next() < 0.3) deps.added = more
    // Mostly plain eager; a few others that must not take the fused path.
    const automation = i % 6 === 5 ? when.eager().and(when.rateLimit('1m')) : when.eager()
    defs.push(asset({ key, deps, codeVersion: 'v1', automation }, () => world.salt.get(key) ?? 0))
  }
  return defineProject({ name: `eager-${seed}`, assets: defs })
}

const log = pino({ level: 'silent' })

/** Compares both paths on every plain-eager asset of `project` over the store, for a few random request sets. */
async function compare(project: Project, store: SqliteStore, next: () => number, labels: Set<string>): Promise<void> {
  const state = await ProjectState.open(project, store, dir, RunConfig.resolve(project))
  await state.observeSources({ runId: 'observe', log, signal: new AbortController().signal })
  const conditioned = project.assets.flatMap((a, i) =>
    a.def.kind === 'asset' && a.def.automation !== undefined ? [i as AssetId] : [],
  )
  const memo = TickMemo.build(state, conditioned)
  const plain = plainEagerPositions(state, memo)
  const ids = memo.ids.filter((_, p) => plain[p] === 1)
  expect(ids.length).toBeGreaterThan(0)
  expect(ids.length).toBeLessThan(memo.ids.length) // the others stay on the general path
  const reads = tickReads({ state, store, io: undefined as never, projectDir: dir, now: 0 })
  for (let round = 0; round < 4; round++) {
    const requested = new Uint8Array(state.size)
    for (let id = 0; id < state.size; id++) if (next() < 0.2) requested[id] = 1
    const fused: { tree: EvaluatedNode; status: string; unbuilt: string[]; inputRequested: boolean }[] = []
    evaluateEager(state, ids, requested, (_row, tree, status, unbuilt, inputRequested) =>
      fused.push({ tree, status, unbuilt: (unbuilt ?? []).map((d) => d.name), inputRequested }),
    )
    const facts = assetFacts(
      state,
      ids,
      () => false,
      () => undefined,
    )
    facts.forEach((f, row) => {
      const depIds = state.depIds(ids[row]!)
      f.inputs.forEach((input, k) => {
        if (requested[depIds[k]!] === 1) input.requested = true
      })
      const e = evaluateConditionNow(when.eager().node, f, reads, { evaluatedAt: undefined, nodes: {} }, 0)
      if (e instanceof Promise) throw new Error('eager needs no read')
      expect(fused[row], f.key).toEqual({
        tree: e.tree,
        status: f.status,
        unbuilt: f.inputs.filter((x) => x.current === undefined).map((x) => x.name),
        inputRequested: f.inputs.some((x) => x.requested === true),
      })
      // What decided it: 'never', 'no input…', 'input … has no data yet', 'input … has a new data version; …'.
      labels.add(e.tree.label.replace(/input [^;]*? (has|have|is|are) /g, 'input … $1 ').replace(/\d+/g, 'N'))
    })
  }
}

describe('the fused eager path', () => {
  it.each([1, 2, 3, 4])('decides as the evaluator does (seed %i)', async (seed) => {
    const world: World = { sources: new Map(), broken: new Set(), salt: new Map() }
    const project = randomProject(seed, world, false)
    const grown = randomProject(seed, world, true)
    const next = mulberry32(seed * 31)
    const storeDir = path.join(dir, 'store')
    const ws = await openWorkspace(project, { storeDir, projectDir: dir, logLevel: 'silent' })
    const store = SqliteStore.open(storeDir)
    const labels = new Set<string>()
    try {
      const keys = project.assets.filter((a) => !a.isSource).map((a) => a.key)
      const steps = [
        async () => {}, // nothing built
        async () => void (await ws.materialize({ select: keys.filter(() => next() < 0.4).map((k) => `+key:${k}`) })),
        async () => {
          world.sources.set('src1', 'v1')
          for (const k of keys) if (next() < 0.3) world.salt.set(k, next())
          await ws.materialize({ select: keys.filter(() => next() < 0.3).map((k) => `+key:${k}`) })
        },
        async () => void world.broken.add('src2'),
      ]
      for (const step of steps) {
        await step()
        await compare(project, store, next, labels)
        await compare(grown, store, next, labels)
      }
    } finally {
      await store.close()
      await ws.close()
    }
    // The cases the random states must have reached.
    expect([...labels]).toEqual(
      expect.arrayContaining([
        'eager: never materialized',
        'eager: no input has a new data version',
        'eager: input … has no data yet',
        'eager: an input source could not be observed',
        'eager: input … has a new data version',
        'eager: input … is requested in this tick',
      ]),
    )
  })
})
