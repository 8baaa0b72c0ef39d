/**
 * A generated Rivers project for the end-to-end benchmarks: the dbt-like graph of `graphs.ts` turned
 * into real `source()` and `asset()` definitions in a loop (built from data, not thousands of literal
 * functions), with groups, kinds, owners and tags from the generated labels and a fixed `codeVersion`.
 * Sources are observed through `observe` (a data version string) and load as `null`; assets return a
 * small constant.
 *
 * @example
 * // rivers.config.ts of a generated project
 * import { generatedProject } from '../../src/e2e/project.ts'
 * export default generatedProject(100_000)
 */
import { asset, defineProject, source, type AssetDef, type Project, type SourceDef } from '@rivers-orchestrator/rivers'
import { type CsrGraph, generate, type Shape } from '../graphs.js'

/** Options of `generatedProject`. */
export interface GeneratedProjectOptions {
  seed?: number
  /** Graph shape (default `dbt`; `hub` for the hub-shaped executor runs). Any shape of `graphs.ts` works. */
  shape?: Shape
  /** Assets running at once during `materialize` (the project setting). */
  concurrency?: number
}

/** Spec fields that come from the generated labels. */
interface LabelSpec {
  group?: string
  kinds?: string[]
  owners?: string[]
  tags?: Record<string, true>
}

function labelSpec(names: readonly string[], ids: Uint32Array, from: number, to: number): LabelSpec {
  const spec: LabelSpec = {}
  for (let i = from; i < to; i++) {
    const label = names[ids[i] ?? 0] ?? ''
    const colon = label.indexOf(':')
    const kind = label.slice(0, colon)
    const value = label.slice(colon + 1)
    if (kind === 'group') spec.group = value
    else if (kind === 'kind') (spec.kinds ??= []).push(value)
    else if (kind === 'owner') (spec.owners ??= []).push(value)
    else if (kind === 'tag') (spec.tags ??= {})[value] = true
  }
  return spec
}

/** The trivial asset function every generated asset shares (its `codeVersion` is given). */
const trivial = (): number => 1

/**
 * `n` assets in the dbt-like shape (about 15% sources) or another shape of `graphs.ts`, in topological
 * order so every dep handle exists before its consumer.
 */
export function generatedProject(n: number, options: GeneratedProjectOptions = {}): Project {
  const shape = options.shape ?? 'dbt'
  const g = generate(shape, n, { seed: options.seed ?? 1, order: 'topo' })
  return projectFromGraph(g, shape === 'dbt' ? `generated-${n}` : `generated-${shape}-${n}`, options.concurrency)
}

/**
 * The definitions alone (`source()`, `asset()`, `defineProject`) of a generated graph in topological
 * order: what the "defining one asset" target times, without generating the graph. With `observed`,
 * a source's data version is read from that map when observed (else `observed-<key>`), so a
 * benchmark can change one source.
 * @example projectFromGraph(generate('hub', 10_000), 'generated-hub-10000')
 */
export function projectFromGraph(
  g: CsrGraph,
  name: string,
  concurrency?: number,
  observed?: ReadonlyMap<string, string>,
): Project {
  const { n } = g
  const labels = g.labels
  const defs: (AssetDef<unknown> | SourceDef<unknown>)[] = new Array(n)
  for (let v = 0; v < n; v++) {
    const key = g.keys[v] ?? ''
    const spec = labels ? labelSpec(labels.names, labels.ids, labels.offsets[v] ?? 0, labels.offsets[v + 1] ?? 0) : {}
    if (g.sources[v]) {
      const dataVersion = `observed-${key}`
      // `load` is given because the executor reads `path` for a source without one (see the report).
      const observe = observed ? () => ({ dataVersion: observed.get(key) ?? dataVersion }) : () => ({ dataVersion })
      defs[v] = source({ key, ...spec, observe, load: () => null })
      continue
    }
    const deps: Record<string, AssetDef<unknown> | SourceDef<unknown>> = {}
    for (let i = g.depOffsets[v] ?? 0, j = 0; i < (g.depOffsets[v + 1] ?? 0); i++, j++)
      deps[`in${j}`] = defs[g.deps[i] ?? 0]!
    defs[v] = asset({ key, deps, ...spec, codeVersion: 'v1' }, trivial)
  }
  return defineProject({ name, assets: defs, ...(concurrency === undefined ? {} : { concurrency }) })
}
