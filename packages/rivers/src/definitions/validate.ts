/**
 * Run-time validation the executor applies around user code: config, inputs, outputs, observations
 * and check outcomes. Each failure is a RiversError naming the asset and the zod issue paths.
 */
import type { z } from 'zod'
import type { CheckOutcome } from './check.js'
import {
  invalidCheckOutcome,
  invalidConfig,
  invalidInput,
  invalidObservation,
  invalidOutput,
  unexpectedConfig,
  unknownConfigFields,
} from './errors.js'
import { unknownFields } from './config-fields.js'
import type { AssetDef, SourceDef } from './handles.js'
import { describeValue } from './key.js'
import { scrubber, secretPaths, secretValues, underSecret } from './secret.js'
import type { Observation } from './spec-types.js'

/**
 * One line per zod issue: `path: message`. With `secrets` (the schema's secret places and the raw
 * value), messages never echo a secret value and issues at a secret place say so.
 */
function problems(error: z.ZodError, secrets?: { schema: z.ZodType; raw: unknown }): string[] {
  const paths = secrets === undefined ? [] : secretPaths(secrets.schema)
  const scrub = scrubber(paths.length === 0 ? [] : secretValues(secrets!.raw, paths))
  return error.issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('')
    const hidden = paths.length > 0 && underSecret(issue.path, paths) ? ' (a secret: its value is not shown)' : ''
    return `${path === '' ? '(value)' : path}: ${scrub(issue.message)}${hidden}`
  })
}

/**
 * Check an asset's value (already unwrapped from `result()`) against its `output` schema. Returns
 * the parsed value (zod output: defaults applied, unknown object keys stripped), which is what should
 * be stored; returns `value` unchanged when the asset has no output schema.
 *
 * @example
 * const stored = validateOutput(def, unwrapResult(await def.fn(inputs, ctx)).value)
 */
export function validateOutput<T>(def: AssetDef<T>, value: unknown): T {
  if (def.output === undefined) return value as T
  const parsed = def.output.safeParse(value)
  if (!parsed.success) throw invalidOutput(def.key, problems(parsed.error))
  return parsed.data as T
}

/**
 * Check one input value against the schema the consumer declared in `spec.inputs` (unchanged when
 * it declared none). Most useful for key-string deps, whose producer is not known at compile time.
 *
 * @example
 * const orders = validateInput(def, 'orders', loaded)
 */
export function validateInput(def: AssetDef, input: string, value: unknown): unknown {
  const schema = def.inputs[input]
  if (schema === undefined) return value
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw invalidInput(def.key, input, problems(parsed.error))
  return parsed.data
}

/**
 * Validate the run config given for an asset and return what `ctx.config` receives. Without a
 * config schema the asset takes no config (`undefined`; any given config is an error). Without a
 * given config, the schema is applied to `undefined`, then to `{}` (so object schemas with defaults
 * work). A given config with a field the schema does not know is refused (strict config), with the
 * path of the field and the closest known one.
 *
 * @example
 * const config = parseConfig(def, runConfig[def.key]) // throws RIVERS_INVALID_CONFIG (exit 2)
 */
export function parseConfig(def: AssetDef, raw: unknown): unknown {
  if (def.config === undefined) {
    if (raw === undefined) return undefined
    throw unexpectedConfig(def.key)
  }
  if (raw !== undefined) {
    const unknown = unknownFields(def.config, raw)
    if (unknown.length > 0) throw unknownConfigFields(def.key, unknown)
  }
  if (raw === undefined) {
    const bare = def.config.safeParse(undefined)
    if (bare.success) return bare.data
  }
  const given = raw === undefined ? {} : raw
  const parsed = def.config.safeParse(given)
  if (!parsed.success) throw invalidConfig(def.key, problems(parsed.error, { schema: def.config, raw: given }))
  return parsed.data
}

/**
 * Check what a source's `observe` returned and copy out its fields.
 *
 * @example
 * const { dataVersion } = checkObservation(src, await src.observe!(ctx))
 */
export function checkObservation(def: SourceDef, observed: unknown): Observation {
  if (typeof observed !== 'object' || observed === null || Array.isArray(observed))
    throw invalidObservation(def.key, `got ${describeValue(observed)}`)
  const { dataVersion, metadata } = observed as Record<string, unknown>
  if (dataVersion !== undefined && (typeof dataVersion !== 'string' || dataVersion.length === 0)) {
    throw invalidObservation(def.key, '`dataVersion` must be a non-empty string')
  }
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
    throw invalidObservation(def.key, '`metadata` must be a plain object')
  }
  const out: Observation = {}
  if (dataVersion !== undefined) out.dataVersion = dataVersion
  if (metadata !== undefined) out.metadata = metadata as Record<string, unknown>
  return out
}

/**
 * Normalize what a check returned to `{ passed, message?, metadata? }`.
 *
 * @example
 * checkOutcome('raw', 'non_empty', true) // { passed: true }
 */
export function checkOutcome(assetKey: string, checkName: string, outcome: unknown): Exclude<CheckOutcome, boolean> {
  if (typeof outcome === 'boolean') return { passed: outcome }
  if (
    typeof outcome === 'object' &&
    outcome !== null &&
    typeof (outcome as { passed?: unknown }).passed === 'boolean'
  ) {
    const { passed, message, metadata } = outcome as { passed: boolean; message?: unknown; metadata?: unknown }
    const out: Exclude<CheckOutcome, boolean> = { passed }
    if (typeof message === 'string') out.message = message
    else if (message !== undefined)
      throw invalidCheckOutcome(assetKey, checkName, `a message that is ${describeValue(message)}`)
    if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata))
      out.metadata = metadata as Record<string, unknown>
    else if (metadata !== undefined)
      throw invalidCheckOutcome(assetKey, checkName, `metadata that is ${describeValue(metadata)}`)
    return out
  }
  throw invalidCheckOutcome(assetKey, checkName, describeValue(outcome))
}
