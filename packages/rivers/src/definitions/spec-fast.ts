/**
 * The fast path of spec validation: a hand-written check of the common spec fields (key, deps,
 * labels, codeVersion; for sources path, observe and load) that says "valid" only where the zod
 * schemas of `spec-schema.ts` would accept the spec too. Anything else (another field, a value it
 * does not recognise) goes through zod, which also writes the messages. A project of 100k assets
 * defined in a loop thus validates each spec in well under a microsecond instead of a zod parse.
 */
import { isPartitionMapping } from '../partitions/mapping.js'
import { isPartitionDefinition } from '../partitions/types.js'
import { conditionIssues, isCondition } from './automation.js'
import { isMappedDep } from './handles.js'
import { keyProblem } from './key.js'
import { LABEL } from './spec-schema.js'

/** Asset spec fields the fast path checks; with any other field present, zod decides. */
const ASSET_FIELDS = new Set([
  'key',
  'deps',
  'description',
  'group',
  'tags',
  'kinds',
  'owners',
  'metadata',
  'codeVersion',
  'automation',
  'partitions',
])
/** Source spec fields the fast path checks. */
const SOURCE_FIELDS = new Set([
  'key',
  'path',
  'observe',
  'load',
  'reportedBy',
  'description',
  'group',
  'tags',
  'kinds',
  'owners',
  'metadata',
])

/**
 * Whether `spec` (an object whose `key` is already a valid key) certainly passes `assetSpecSchema`.
 * `false` means "not known": run zod.
 *
 * @example
 * assetSpecIsValid({ key: 'total', deps: { raw }, group: 'ml' }) // true
 */
export function assetSpecIsValid(spec: object): boolean {
  if (!isPlain(spec)) return false
  const raw = spec as Record<string, unknown>
  for (const field in raw) if (!ASSET_FIELDS.has(field)) return false
  if (typeof raw.key !== 'string') return false
  const deps = raw.deps
  if (deps !== undefined) {
    if (!isRecord(deps)) return false
    // The schema's refinement: a key-string dep must be a valid key, a mapped() dep's mapping a mapping.
    for (const name in deps) {
      let dep = (deps as Record<string, unknown>)[name]
      if (isMappedDep(dep)) {
        if (dep.mapping !== undefined && !isPartitionMapping(dep.mapping)) return false
        dep = dep.dep
      }
      if (typeof dep === 'string' && keyProblem(dep) !== undefined) return false
    }
  }
  const codeVersion = raw.codeVersion
  if (codeVersion !== undefined && (typeof codeVersion !== 'string' || codeVersion.length === 0)) return false
  if (raw.partitions !== undefined && !isPartitionDefinition(raw.partitions)) return false
  const automation = raw.automation
  if (automation !== undefined && (!isCondition(automation) || conditionIssues(automation.node).length > 0))
    return false
  return labelsAreValid(raw)
}

/**
 * Whether `spec` (an object whose `key` is already a valid key) certainly passes `sourceSpecSchema`.
 * `false` means "not known": run zod.
 *
 * @example
 * sourceSpecIsValid({ key: 'raw/orders', path: 'orders.csv' }) // true
 */
export function sourceSpecIsValid(spec: object): boolean {
  if (!isPlain(spec)) return false
  const raw = spec as Record<string, unknown>
  for (const field in raw) if (!SOURCE_FIELDS.has(field)) return false
  if (typeof raw.key !== 'string') return false
  const { path, observe, load, reportedBy } = raw
  if (reportedBy !== undefined) return false // rare: zod says what is wrong with it, if anything
  if (path === undefined && observe === undefined) return false
  if (path !== undefined && (typeof path !== 'string' || path.length === 0)) return false
  if (observe !== undefined && typeof observe !== 'function') return false
  if (load !== undefined && typeof load !== 'function') return false
  return labelsAreValid(raw)
}

/** `defineProject` option fields the fast path checks (io, retry, retention and launcher go to zod). */
const PROJECT_FIELDS = new Set(['assets', 'name', 'concurrency', 'schedules', 'sensors'])

/**
 * Whether `options` certainly pass `projectOptionsSchema` (the shape only: entries of `assets`,
 * `schedules` and `sensors` are checked one by one elsewhere). `false` means "not known": run zod.
 * Most projects thus never load zod.
 *
 * @example
 * projectOptionsAreValid({ name: 'shop', assets: [total], concurrency: 4 }) // true
 */
export function projectOptionsAreValid(options: object): boolean {
  if (!isPlain(options)) return false
  const raw = options as Record<string, unknown>
  for (const field in raw) if (!PROJECT_FIELDS.has(field)) return false
  const { assets, name, concurrency, schedules, sensors } = raw
  if (!Array.isArray(assets)) return false
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) return false
  if (concurrency !== undefined && !(Number.isSafeInteger(concurrency) && (concurrency as number) >= 1)) return false
  if (schedules !== undefined && !Array.isArray(schedules)) return false
  return sensors === undefined || Array.isArray(sensors)
}

/** The label fields shared by assets and sources (`labelFields` of spec-schema.ts). */
function labelsAreValid(raw: Record<string, unknown>): boolean {
  const { description, group, tags, kinds, owners, metadata } = raw
  if (description !== undefined && typeof description !== 'string') return false
  if (group !== undefined && !isLabel(group)) return false
  if (tags !== undefined) {
    if (!isRecord(tags)) return false
    for (const name in tags) {
      const value = (tags as Record<string, unknown>)[name]
      if (!LABEL.test(name) || (value !== true && !isLabel(value))) return false
    }
  }
  if (kinds !== undefined && !isLabelArray(kinds)) return false
  if (owners !== undefined && !isLabelArray(owners)) return false
  return metadata === undefined || isRecord(metadata)
}

function isLabel(value: unknown): boolean {
  return typeof value === 'string' && LABEL.test(value)
}

function isLabelArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false
  for (let i = 0; i < value.length; i++) if (!isLabel(value[i])) return false
  return true
}

/**
 * An object with the plain prototype (or none) and no `constructor` of its own: zod's object
 * schemas see exactly its own enumerable string keys.
 */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype) return (value as { constructor?: unknown }).constructor === Object
  return proto === null && (value as { constructor?: unknown }).constructor === undefined
}

/** What a zod record of string keys accepts: a plain object without symbol keys. */
function isRecord(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    isPlain(value) &&
    Object.getOwnPropertySymbols(value).length === 0
  )
}
