/** `source(spec)`: external data the pipeline observes and loads but does not build. */
import type { SourceContext } from './context.js'
import { type Duration, parseDuration } from './duration.js'
import { invalidKey, invalidSpec } from './errors.js'
import { finishDefinition, frozenList, frozenRecord } from './frozen.js'
import type { KIND, SITE, SourceDef } from './handles.js'
import { describeValue, keyProblem } from './key.js'
import { DefinitionSite } from './position.js'
import { sourceSpecIsValid } from './spec-fast.js'
import { sourceSpecSchema, specIssues } from './spec-schema.js'
import type { Observation } from './spec-types.js'

/**
 * The spec of a source. It needs `path` (the executor content-hashes the file to observe it, and
 * loads its bytes), `observe` (which returns the data version) or `reportedBy` (a sensor reports its
 * data versions); `load` gives consumers their value.
 *
 * @example
 * const spec: SourceSpec = { key: 'raw/orders', path: 'data/orders.csv', group: 'ingest' }
 */
export interface SourceSpec<R = unknown, P = string | undefined> {
  key: string
  /** A file, relative to the project file's folder. */
  path?: P
  /** Returns the current data version (default with `path`: the content hash of the file). */
  observe?: (ctx: SourceContext) => Observation | Promise<Observation>
  /** Returns the value consumers receive (default with `path`: the file's bytes as a Buffer). */
  load?: (ctx: SourceContext) => R
  description?: string
  group?: string
  tags?: Record<string, string | true>
  kinds?: readonly string[]
  owners?: readonly string[]
  metadata?: Record<string, unknown>
  /** How often the daemon re-observes it, e.g. `'30s'` (default: every tick). */
  every?: Duration
  /**
   * The name of the sensor that reports this source's data versions (`observations` of its result),
   * for data that Rivers cannot look at itself (a table in another system, a bucket, an API). Its
   * data version is the latest one reported; until the first report the source is missing.
   */
  reportedBy?: string
}

/** Type-only marker: the source has no `load`. */
declare const NO_LOAD: unique symbol

/**
 * Type-only: what `R` (the return type of `load`) is when a source has no `load`.
 *
 * @example
 * type V = SourceValue<NoLoad, string> // Buffer
 */
export type NoLoad = typeof NO_LOAD

/**
 * The value consumers of a source receive: what `load` returns (awaited), else the bytes of `path`,
 * else `undefined`.
 *
 * @example
 * type V = SourceValue<NoLoad, 'data/orders.csv'> // Buffer
 */
export type SourceValue<R, P> = [R] extends [NoLoad] ? (P extends string ? Buffer : undefined) : Awaited<R>

/**
 * Define a source asset. Consumers' input types follow from `load` (or `Buffer` for a bare `path`).
 *
 * @example
 * import { readFile } from 'node:fs/promises'
 * const orders = source({
 *   key: 'raw/orders',
 *   path: 'data/orders.json',
 *   load: async (ctx) => JSON.parse(await readFile(ctx.path!, 'utf8')) as { id: number }[],
 * })
 * const count = asset({ key: 'order_count', deps: { orders } }, ({ orders }) => orders.length)
 */
export function source<R = NoLoad, P extends string | undefined = undefined>(
  spec: SourceSpec<R, P>,
): SourceDef<SourceValue<R, P>> {
  const site = new DefinitionSite()
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw invalidSpec(
      'source',
      '(no key)',
      [
        {
          path: '',
          problem: `expected a spec object, got ${describeValue(spec)}`,
          hint: "write source({ key: 'raw/orders', path: 'data/orders.csv' }).",
        },
      ],
      site.at(),
    )
  }
  const problem = keyProblem(spec.key)
  if (problem !== undefined) throw invalidKey(spec.key, problem, site.at(), 'source')
  if (!sourceSpecIsValid(spec)) {
    const issues = specIssues(sourceSpecSchema, spec)
    if (issues.length > 0) throw invalidSpec('source', spec.key, issues, site.at())
  }
  const def: Omit<SourceDef<SourceValue<R, P>>, 'declaredAt' | typeof KIND | typeof SITE> = {
    kind: 'source',
    key: spec.key,
    path: spec.path,
    observe: spec.observe,
    load: spec.load,
    observesByContentHash: spec.observe === undefined && spec.reportedBy === undefined,
    reportedBy: spec.reportedBy,
    loadsFileBytes: spec.load === undefined && spec.path !== undefined,
    everyMs: spec.every === undefined ? undefined : parseDuration(spec.every),
    description: spec.description,
    group: spec.group,
    tags: frozenRecord(spec.tags),
    kinds: frozenList(spec.kinds),
    owners: frozenList(spec.owners),
    metadata: frozenRecord(spec.metadata),
  }
  return finishDefinition(def, 'source', site)
}
