/**
 * The generated project of the automation tick rows: the dbt-like graph of `graphs.ts` (about 15%
 * sources) as `source()` and `asset()` definitions, every non-source asset `when.eager()`. Sources
 * are re-observed once an hour (`every: '1h'`), so a tick's cost is the evaluation of what changed in
 * the store, not 15k `observe` calls; an asset changes when another process records a new
 * materialization of it.
 *
 * @example
 * const { project, graph } = tickProject(100_000)
 */
import {
  asset,
  defineProject,
  type AssetDef,
  type Project,
  type SourceDef,
  source,
  when,
} from '@rivers-orchestrator/rivers'
import { type CsrGraph, generate } from '../graphs.js'

/** A generated project and the graph it was made from. */
export interface TickProject {
  project: Project
  graph: CsrGraph
}

const trivial = (): number => 1

/** `n` dbt-like assets in topological order, every non-source asset eager. */
export function tickProject(n: number, seed = 1): TickProject {
  const g = generate('dbt', n, { seed, order: 'topo' })
  const defs: (AssetDef<unknown> | SourceDef<unknown>)[] = new Array(g.n)
  const eager = when.eager()
  for (let v = 0; v < g.n; v++) {
    const key = g.keys[v] ?? ''
    if (g.sources[v]) {
      const dataVersion = `observed-${key}`
      defs[v] = source({ key, observe: () => ({ dataVersion }), load: () => null, every: '1h' })
      continue
    }
    const deps: Record<string, AssetDef<unknown> | SourceDef<unknown>> = {}
    for (let i = g.depOffsets[v] ?? 0, j = 0; i < (g.depOffsets[v + 1] ?? 0); i++, j++)
      deps[`in${j}`] = defs[g.deps[i] ?? 0]!
    defs[v] = asset({ key, deps, codeVersion: 'v1', automation: eager }, trivial)
  }
  return { project: defineProject({ name: `tick-${n}`, assets: defs }), graph: g }
}
