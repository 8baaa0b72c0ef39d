/**
 * Differential test of the incremental tick: a workspace that stays open (and so evaluates only
 * what changed since its previous tick) must request exactly what a workspace opened afresh (which
 * evaluates every condition) requests at the same moment, over random changes made by another
 * workspace (materializations, wipes), by the sources, and by time.
 */
import { describe, expect, it } from 'vitest'

import type { Condition } from '../definitions/automation.js'
import { asset, defineProject, source, when } from '../definitions/index.js'
import type { AssetDef, SourceDef } from '../definitions/index.js'
import { mulberry32 } from '../automation/random.js'
import { tickWorkspaces } from './tick-workspaces.fixture.js'

const { workspace } = tickWorkspaces('rivers-incremental-')

const CONDITIONS: (() => Condition)[] = [
  () => when.eager(),
  () => when.missing(),
  () => when.eager().and(when.rateLimit('10m')),
  () => when.missing().or(when.timeSince('1h')),
  () => when.eager().or(when.onCron('0 * * * *')),
  () => when.eager().and(when.inProgress().not()),
  () => when.codeChanged().or(when.eager()),
  () => when.eager().since(when.timeSince('30m')),
]

/** Sources whose versions the test sets, and assets with random inputs, conditions and outputs. */
function randomProject(seed: number, world: { sources: Map<string, string>; salt: Map<string, number> }) {
  const next = mulberry32(seed)
  const defs: (AssetDef<unknown> | SourceDef<unknown>)[] = []
  for (let i = 0; i < 4; i++) {
    const key = `src${i}`
    world.sources.set(key, 'v0')
    defs.push(source({ key, observe: () => ({ dataVersion: world.sources.get(key)! }), load: () => 1 }))
  }
  for (let i = 0; i < 28; i++) {
    const key = `a${String(i).padStart(2, '0')}`
    const deps: Record<string, AssetDef<unknown> | SourceDef<unknown>> = {}
    const n = 1 + Math.floor(next() * 3)
    for (let j = 0; j < n; j++) deps[`in${j}`] = defs[Math.floor(next() * defs.length)]!
    const conditioned = next() < 0.85
    const automation = conditioned ? CONDITIONS[Math.floor(next() * CONDITIONS.length)]!() : undefined
    defs.push(
      asset(
        { key, deps, codeVersion: 'v1', ...(automation === undefined ? {} : { automation }) },
        () => world.salt.get(key) ?? 0,
      ),
    )
  }
  return defineProject({ name: `incremental-${seed}`, assets: defs })
}

describe('incremental tick', () => {
  it.each([1, 2, 3])('requests what a full evaluation requests, step by step (seed %i)', async (seed) => {
    const world = { sources: new Map<string, string>(), salt: new Map<string, number>() }
    const project = randomProject(seed, world)
    const keys = project.assets.filter((a) => !a.isSource).map((a) => a.key)
    const next = mulberry32(seed * 7919)
    const live = await workspace(project) // ticks (stored, runs waited for) and stays open
    const other = await workspace(project) // "another process" materializing and wiping
    // The tick's time never runs behind the records' (real) times, as in a real daemon.
    let now = Date.now()
    let carried = 0
    for (let step = 0; step < 24; step++) {
      // Changes: a source moves, another process materializes or wipes, time passes.
      const r = next()
      if (r < 0.3) world.sources.set(`src${Math.floor(next() * 4)}`, `v${step}`)
      else if (r < 0.6) {
        const key = keys[Math.floor(next() * keys.length)]!
        world.salt.set(key, step)
        await other.materialize({ select: [`+${key}`] }) // what it needs upstream, if missing
        await other.materialize({ select: [key], force: true })
      } else if (r < 0.68) await other.wipe([keys[Math.floor(next() * keys.length)]!])
      now = Math.max(now, Date.now()) + Math.floor(next() * 40) * 60_000

      const fresh = await workspace(project)
      const expected = await fresh.tick({ dryRun: true, now: new Date(now) })
      await fresh.close()
      const got = await live.tick({ now: new Date(now) })
      expect(got.requested, `step ${step}`).toEqual(expected.requested)
      // What the live workspace evaluated, it evaluated as a fresh one does.
      const byKey = new Map(expected.decisions.map((d) => [d.key, d.tree.label]))
      for (const d of got.decisions) expect(d.tree.label, `step ${step}, ${d.key}`).toBe(byKey.get(d.key))
      for (const run of got.runs) expect(run.summary?.status, `step ${step}`).toBe('success')
      if (step > 0) carried += got.carried
    }
    // Not a full evaluation each time: decisions were carried.
    expect(carried).toBeGreaterThan(0)
  })

  it('evaluates nothing on a tick where nothing changed, and stores nothing', async () => {
    const world = { sources: new Map<string, string>(), salt: new Map<string, number>() }
    const ws = await workspace(randomProject(5, world))
    const now = Date.parse('2026-12-05T10:00:00Z')
    const first = await ws.tick({ now: new Date(now) })
    expect(first.evaluated).toBeGreaterThan(0)
    // The runs of the first tick changed records: their consumers are evaluated once more.
    await ws.tick({ now: new Date(now + 1000) })
    const idle = await ws.tick({ now: new Date(now + 2000) })
    expect(idle).toMatchObject({ tickId: null, evaluated: 0, requested: [], decisions: [] })
    expect(idle.carried).toBe(first.decisions.length)
  })
})
