/**
 * `defineProject`: collect every asset reachable from the listed ones, validate the whole set once,
 * and freeze it into a `Project` in a deterministic order (by key). Cycles are left to the Rust core.
 */
import { conditionReferences } from './automation.js'
import { classAssets } from './decorators.js'
import {
  duplicateKey,
  duplicateTriggerName,
  invalidDep,
  invalidProjectEntry,
  invalidProjectOptions,
  invalidTriggerEntry,
  schemaMismatch,
  selfDependency,
  unknownConditionAsset,
  unknownConditionInput,
  unknownDep,
  unknownReportingSensor,
} from './errors.js'
import type { PartitionMapping } from '../partitions/mapping.js'
import type { PartitionDefinition } from '../partitions/types.js'
import { SITE, isAssetDef, isKeyRef, isMappedDep, isSourceDef, type AssetDef, type SourceDef } from './handles.js'
import { describeValue } from './key.js'
import { byCodeUnit, labelsOf } from './labels.js'
import { checkPartitionEdge } from './partition-edges.js'
import { DefinitionSite, type Site } from './position.js'
import { normalizeRetention, type NormalizedRetention, type RetentionPolicy } from './retention.js'
import { normalizeRetry, type NormalizedRetry, type RetryPolicy } from './retry.js'
import { findSchemaMismatch } from './schema-compat.js'
import { isScheduleDef, isSensorDef, type ScheduleDef, type SensorDef } from './sensor.js'
import { projectOptionsAreValid } from './spec-fast.js'
import { projectOptionsSchema, specIssues } from './spec-schema.js'
import type { IOManagerLike, LauncherSetting } from './spec-types.js'
import { closest } from './suggest.js'

const PROJECT: unique symbol = Symbol.for('rivers.definitions.project')

/**
 * What `defineProject` accepts in `assets`: definitions, or classes with @asset methods.
 *
 * @example
 * const entries: ProjectEntry[] = [raw, Pipeline]
 */
export type ProjectEntry = AssetDef<any> | SourceDef<any> | (abstract new (...args: any) => any)

/**
 * Options of `defineProject`.
 *
 * @example
 * const options: ProjectOptions = { name: 'shop', assets: [raw, total], concurrency: 4, retry: { maxRetries: 1 } }
 */
export interface ProjectOptions {
  /** Assets, sources and classes with @asset methods; their upstream handles are included too. */
  assets: readonly ProjectEntry[]
  name?: string
  /** Default IO manager of the project's assets. */
  io?: IOManagerLike
  /** Default retry policy of the project's assets. */
  retry?: RetryPolicy
  /** Default retention policy of the project's assets (default: every record keeps its artifact). */
  retention?: RetentionPolicy
  /**
   * Default launcher of the project's jobs (assets with `command` or `resources`): `'local'` (the
   * default), `'slurm'`, or full settings such as `{ type: 'slurm', partition: 'gpu' }`. An asset's
   * own `launcher: 'slurm'` uses these settings when they are Slurm settings.
   */
  launcher?: LauncherSetting
  /** Assets run at once (positive integer). */
  concurrency?: number
  /** Cron schedules over selections, run by `assets tick` / `assets daemon`. */
  schedules?: readonly ScheduleDef[]
  /** Sensors (user functions that request runs), run by `assets tick` / `assets daemon`. */
  sensors?: readonly SensorDef[]
  /**
   * The project's team store (see {@link StoreSetting}); `--store` and `RIVERS_STORE_URL` take
   * precedence. Default: the embedded SQLite store in `.rivers/`.
   */
  store?: StoreSetting
}

/**
 * Where a project's records live when no `--store` / `RIVERS_STORE_URL` says otherwise: a PostgreSQL
 * URL, or `{ env: 'NAME' }`, the environment variable that holds it when a command runs (so that a
 * password stays out of the code).
 *
 * @example
 * const store: StoreSetting = { env: 'TEAM_STORE_URL' } // or 'postgres://rivers@db.internal/team'
 */
export type StoreSetting = string | { readonly env: string }

/**
 * One asset of a project, with its deps resolved to keys and its labels computed.
 *
 * @example
 * const a: ResolvedAsset = project.byKey.get('raw')!
 */
export interface ResolvedAsset {
  readonly key: string
  readonly def: AssetDef | SourceDef
  readonly isSource: boolean
  /**
   * Input name and upstream key, ordered by input name (two names may share a key), with the
   * declared partition mapping and whether the dep is `mapped()` (its input a Record of partition
   * key -> value).
   */
  readonly deps: readonly ResolvedDep[]
  /** The asset's partitions (`spec.partitions`); undefined for unpartitioned assets and sources. */
  readonly partitions: PartitionDefinition | undefined
  readonly description: string | undefined
  readonly group: string | undefined
  readonly tags: Readonly<Record<string, string | true>>
  readonly kinds: readonly string[]
  readonly owners: readonly string[]
  readonly labels: readonly string[]
  /** `codeVersion` if given, else the function's source text; `''` for sources (no code version). */
  readonly codeSource: string
  /** Whether `codeSource` is a user-given `codeVersion` (hash domain `code-version`, else `code-source`). */
  readonly codeIsExplicit: boolean
}

/**
 * One dep of a resolved asset.
 *
 * @example
 * const d: ResolvedDep = project.byKey.get('rolling')!.deps[0]! // { name: 'week', key: 'events', mapping: { kind: 'window', … }, many: true }
 */
export interface ResolvedDep {
  readonly name: string
  readonly key: string
  /** The mapping declared with `mapped(dep, mapping)`; undefined: none (the default applies). */
  readonly mapping: PartitionMapping | undefined
  /** True iff declared with `mapped()`: the input is a Record of upstream partition key -> value. */
  readonly many: boolean
}

/**
 * A validated, frozen project.
 *
 * @example
 * export default defineProject({ assets: [raw, total] }) satisfies Project
 */
export interface Project {
  readonly [PROJECT]: true
  readonly name: string | undefined
  /** Sorted by key (code-unit order); an asset's position is a stable id within this project. */
  readonly assets: readonly ResolvedAsset[]
  readonly byKey: ReadonlyMap<string, ResolvedAsset>
  readonly io: IOManagerLike | undefined
  readonly retry: NormalizedRetry | undefined
  readonly retention: NormalizedRetention | undefined
  readonly launcher: LauncherSetting | undefined
  readonly concurrency: number | undefined
  readonly schedules: readonly ScheduleDef[]
  readonly sensors: readonly SensorDef[]
  /** `ProjectOptions.store`: the project's team store, when it names one. */
  readonly store?: StoreSetting
  /** Internal: where `defineProject` was called (its folder is the base of code version paths). */
  readonly [SITE]?: Site
}

type Def = AssetDef | SourceDef

/**
 * Define a project: every asset reachable from `assets` (deduplicated by identity), validated once.
 * Throws a DefinitionError for an invalid entry or dep, a duplicate key, an unknown or self dep, or
 * an input schema that does not accept its producer's output.
 *
 * @example
 * export default defineProject({ name: 'shop', assets: [total] }) // `raw` comes along as total's dep
 */
export function defineProject(options: ProjectOptions): Project {
  const site = new DefinitionSite()
  const issues = projectOptionsAreValid(options) ? [] : optionIssues(options)
  if (issues.length > 0) throw invalidProjectOptions(issues)
  // Keys were validated when each definition was made (asset(), source(), @asset).
  const byKey = collect(rootsOf(options.assets))
  // The default sort compares strings by UTF-16 code units, like byCodeUnit, without a callback.
  const keys = [...byKey.keys()].sort()
  const resolved = new Array<ResolvedAsset>(keys.length)
  const resolvedByKey = new Map<string, ResolvedAsset>()
  // Whether any edge can involve partitions (else every partition check would pass).
  let partitioned = false
  for (let i = 0; i < keys.length; i++) {
    const r = resolve(byKey.get(keys[i]!)!, byKey)
    resolved[i] = r
    resolvedByKey.set(r.key, r)
    if (!partitioned) partitioned = r.partitions !== undefined || r.deps.some(isMany)
  }
  for (const r of resolved) checkSchemas(r, byKey)
  const now = new Date()
  if (partitioned) for (const r of resolved) checkPartitions(r, resolvedByKey, now)
  for (const r of resolved) checkConditions(r, resolvedByKey)
  const project: Project = {
    [PROJECT]: true,
    name: options.name,
    assets: Object.freeze(resolved),
    byKey: resolvedByKey,
    io: options.io,
    retry: options.retry === undefined ? undefined : normalizeRetry(options.retry),
    retention: options.retention === undefined ? undefined : normalizeRetention(options.retention),
    launcher: options.launcher,
    concurrency: options.concurrency,
    schedules: triggers('schedule', options.schedules, isScheduleDef),
    sensors: triggers('sensor', options.sensors, isSensorDef),
    ...(options.store === undefined ? {} : { store: options.store }),
    [SITE]: site,
  }
  checkReporters(project)
  return Object.freeze(project)
}

/**
 * Whether `x` is a Project (also from another copy of this module).
 *
 * @example
 * const mod = await import(projectFile)
 * if (!isProject(mod.default)) throw new Error('the default export is not defineProject(...)')
 */
export function isProject(x: unknown): x is Project {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[PROJECT] === true
}

/**
 * The issues of the options (zod's), without parsing a big `assets` array element by element: its
 * elements are checked by `rootsOf` (the schema only says it is an array of anything).
 */
function optionIssues(options: ProjectOptions): ReturnType<typeof specIssues> {
  if (
    typeof options === 'object' &&
    options !== null &&
    Object.getPrototypeOf(options) === Object.prototype &&
    Array.isArray(options.assets)
  )
    return specIssues(projectOptionsSchema, { ...options, assets: NO_ENTRIES })
  return specIssues(projectOptionsSchema, options)
}
const NO_ENTRIES: readonly ProjectEntry[] = Object.freeze([])

function rootsOf(entries: readonly unknown[]): Def[] {
  const roots: Def[] = []
  entries.forEach((entry, i) => {
    if (isAssetDef(entry) || isSourceDef(entry)) roots.push(entry)
    else if (isKeyRef(entry)) throw invalidProjectEntry(i, `ref('${entry.key}'), a reference`)
    else if (typeof entry === 'function') {
      const found = Object.values(classAssets(entry))
      if (found.length === 0) throw invalidProjectEntry(i, `${describeValue(entry)} with no @asset methods`)
      roots.push(...found)
    } else throw invalidProjectEntry(i, describeValue(entry))
  })
  return roots
}

/**
 * Every definition reachable from `roots` through handle deps, by key; iterative, each visited once
 * (the map doubles as the visited set). Throws for an invalid dep, else for the first key that two
 * definitions share (in visiting order).
 */
function collect(roots: readonly Def[]): Map<string, Def> {
  const byKey = new Map<string, Def>()
  // Definitions whose key an earlier one holds: visited, and reported once the walk is done.
  let shadowed: Set<Def> | undefined
  let duplicate: [Def, Def] | undefined
  const stack = [...roots].reverse()
  // Input names of the definition being expanded (one array reused: no Object.keys per definition).
  const names: string[] = []
  while (stack.length > 0) {
    const def = stack.pop()!
    const other = byKey.get(def.key)
    if (other === def) continue
    if (other === undefined) byKey.set(def.key, def)
    else {
      if (shadowed?.has(def)) continue
      ;(shadowed ??= new Set()).add(def)
      duplicate ??= [other, def]
    }
    if (def.kind !== 'asset') continue
    names.length = 0
    for (const name in def.deps) names.push(name)
    for (let i = names.length - 1; i >= 0; i--) {
      const name = names[i]!
      const given = def.deps[name]
      const dep = isMappedDep(given) ? given.dep : given
      if (isAssetDef(dep) || isSourceDef(dep)) {
        if (byKey.get(dep.key) !== dep) stack.push(dep)
      } else if (typeof dep !== 'string' && !isKeyRef(dep)) throw invalidDep(def.key, name, describeValue(dep))
    }
  }
  if (duplicate !== undefined) throw duplicateKey(duplicate[0].key, duplicate[0], duplicate[1])
  return byKey
}

const NO_DEPS: readonly ResolvedDep[] = Object.freeze([])
/** The deps being resolved (one array reused; each asset keeps an exact-size copy). */
const scratch: ResolvedDep[] = []

function resolve(def: Def, byKey: ReadonlyMap<string, Def>): ResolvedAsset {
  let deps = NO_DEPS
  if (def.kind === 'asset') {
    scratch.length = 0
    let sorted = true
    for (const name in def.deps) {
      const dep = def.deps[name]!
      const key = typeof dep === 'string' ? dep : dep.key
      if (key === def.key) throw selfDependency(def.key, name)
      const many = isMappedDep(dep)
      const target = many ? dep.dep : dep
      // A handle was collected with the project (its key is there); a key string or ref() must name one.
      if (!isAssetDef(target) && !isSourceDef(target) && !byKey.has(key))
        throw unknownDep(def.key, name, key, suggest(key, def.key, byKey.keys()))
      if (sorted && scratch.length > 0 && byCodeUnit(scratch[scratch.length - 1]!.name, name) > 0) sorted = false
      scratch.push(Object.freeze({ name, key, mapping: many ? dep.mapping : undefined, many }))
    }
    if (scratch.length > 0) {
      if (!sorted) scratch.sort((a, b) => byCodeUnit(a.name, b.name))
      deps = Object.freeze(scratch.slice())
    }
  }
  return Object.freeze({
    key: def.key,
    def,
    isSource: def.kind === 'source',
    deps,
    partitions: def.kind === 'asset' ? def.partitions : undefined,
    description: def.description,
    group: def.group,
    tags: def.tags,
    kinds: def.kinds,
    owners: def.owners,
    labels: Object.freeze(labelsOf(def)),
    codeSource: def.kind === 'asset' ? (def.codeVersion ?? def.codeFn.toString()) : '',
    codeIsExplicit: def.kind === 'asset' && def.codeVersion !== undefined,
  })
}

function suggest(missing: string, self: string, keys: Iterable<string>): string | undefined {
  const candidates = [...keys].filter((k) => k !== self).sort(byCodeUnit)
  const bySegment = candidates.find((k) => k.endsWith(`/${missing}`) || missing.endsWith(`/${k}`))
  return bySegment ?? closest(missing, candidates)
}

function checkSchemas(r: ResolvedAsset, byKey: ReadonlyMap<string, Def>): void {
  if (r.def.kind !== 'asset' || !hasKeys(r.def.inputs)) return
  for (const { name, key } of r.deps) {
    const expected = r.def.inputs[name]
    const producer = byKey.get(key)
    if (expected === undefined || producer?.kind !== 'asset' || producer.output === undefined) continue
    const mismatch = findSchemaMismatch(expected, producer.output)
    if (mismatch !== undefined) throw schemaMismatch(r.key, name, key, mismatch.path, mismatch.detail)
  }
}

/** Every dep where partitions meet resolves, and reads one partition unless it is `mapped()`. */
function checkPartitions(r: ResolvedAsset, byKey: ReadonlyMap<string, ResolvedAsset>, now: Date): void {
  if (r.def.kind !== 'asset') return
  for (const d of r.deps) {
    const up = byKey.get(d.key)!.partitions
    if (r.partitions === undefined && up === undefined && !d.many) continue
    checkPartitionEdge(
      {
        downKey: r.key,
        down: r.partitions,
        input: d.name,
        upKey: d.key,
        up,
        mapping: d.mapping,
        many: d.many,
        given: r.def.deps[d.name]!,
      },
      now,
    )
  }
}

function isMany(d: ResolvedDep): boolean {
  return d.many
}

function hasKeys(record: object): boolean {
  for (const _ in record) return true
  return false
}

function checkConditions(r: ResolvedAsset, byKey: ReadonlyMap<string, ResolvedAsset>): void {
  if (r.def.kind !== 'asset' || r.def.automation === undefined) return
  const refs = conditionReferences(r.def.automation.node)
  for (const [path, input] of refs.inputs) {
    if (!r.deps.some((d) => d.name === input || d.key === input))
      throw unknownConditionInput(
        r.key,
        path,
        input,
        r.deps.map((d) => d.name),
      )
  }
  for (const [path, key] of refs.assets)
    if (!byKey.has(key)) throw unknownConditionAsset(r.key, path, key, closest(key, [...byKey.keys()]))
}

/** Every `reportedBy` names a sensor of the project. */
function checkReporters(project: Project): void {
  let names: string[] | undefined
  for (const a of project.assets) {
    const by = a.def.kind === 'source' ? a.def.reportedBy : undefined
    if (by === undefined) continue
    names ??= project.sensors.map((s) => s.name)
    if (!names.includes(by)) throw unknownReportingSensor(a.key, by, names, closest(by, names))
  }
}

function triggers<T extends { readonly name: string }>(
  kind: 'schedule' | 'sensor',
  given: readonly unknown[] | undefined,
  is: (x: unknown) => x is T,
): readonly T[] {
  const names = new Set<string>()
  const out: T[] = []
  for (const [i, t] of (given ?? []).entries()) {
    if (!is(t)) throw invalidTriggerEntry(kind, i, describeValue(t))
    if (names.has(t.name)) throw duplicateTriggerName(kind, t.name)
    names.add(t.name)
    out.push(t)
  }
  return Object.freeze(out)
}
