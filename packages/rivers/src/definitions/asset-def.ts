/** Validation of asset specs and construction of the frozen `AssetDef`. */
import type { AssetSpec } from './asset-types.js'
import type { NormalizedCheck } from './check.js'
import type { CheckContext } from './context.js'
import { parseDuration } from './duration.js'
import { finishDefinition, frozenList, frozenRecord } from './frozen.js'
import { invalidDep, invalidKey, invalidSpec, zod3Schema } from './errors.js'
import { type KIND, type SITE, isAssetDef, isKeyRef, isMappedDep, isSourceDef, type AssetDef } from './handles.js'
import { describeValue, keyProblem } from './key.js'
import type { Site } from './position.js'
import { normalizeRetention } from './retention.js'
import { normalizeRetry } from './retry.js'
import { assetSpecIsValid } from './spec-fast.js'
import { assetSpecSchema, isZod3Schema, specIssues } from './spec-schema.js'
import type { ZodSchema } from './spec-types.js'
import { type NormalizedModel, normalizeModel } from './model.js'

/**
 * Validate an asset spec (key, deps, then every other field) and throw the matching DefinitionError.
 *
 * @example
 * const spec = validateAssetSpec({ key: 'raw' }, new DefinitionSite())
 */
export function validateAssetSpec(spec: unknown, site: Site): AssetSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw invalidSpec(
      'asset',
      '(no key)',
      [
        {
          path: '',
          problem: `expected a spec object, got ${describeValue(spec)}`,
          hint: "write asset({ key: 'raw/orders' }, fn).",
        },
      ],
      site.at(),
    )
  }
  const raw = spec as Record<string, unknown>
  const problem = keyProblem(raw.key)
  if (problem !== undefined) throw invalidKey(raw.key, problem, site.at())
  const key = raw.key as string
  const deps = raw.deps
  if (typeof deps === 'object' && deps !== null && !Array.isArray(deps)) {
    for (const name in deps) {
      if (!Object.hasOwn(deps, name)) continue
      const dep = (deps as Record<string, unknown>)[name]
      const inner = isMappedDep(dep) ? dep.dep : dep
      if (typeof inner !== 'string' && !isAssetDef(inner) && !isSourceDef(inner) && !isKeyRef(inner))
        throw invalidDep(key, name, describeValue(inner))
    }
  }
  if (assetSpecIsValid(raw)) return raw as unknown as AssetSpec
  const zod3 = zod3Field(raw)
  if (zod3 !== undefined) throw zod3Schema(key, zod3, site.at())
  const issues = specIssues(assetSpecSchema, raw)
  if (issues.length > 0) throw invalidSpec('asset', key, issues, site.at())
  return raw as unknown as AssetSpec
}

/** The first schema field that holds a zod 3 schema (`config`, `output`, `inputs.<name>`), if any. */
function zod3Field(raw: Record<string, unknown>): string | undefined {
  if (isZod3Schema(raw.config)) return 'config'
  if (isZod3Schema(raw.output)) return 'output'
  const inputs = raw.inputs
  if (typeof inputs === 'object' && inputs !== null)
    for (const [name, schema] of Object.entries(inputs)) if (isZod3Schema(schema)) return `inputs.${name}`
  return undefined
}

/**
 * Freeze a validated spec and a runner into an `AssetDef`.
 *
 * @example
 * const def = buildAssetDef(validateAssetSpec({ key: 'one' }, new DefinitionSite()), () => 1, () => 1, new DefinitionSite())
 */
export function buildAssetDef(spec: AssetSpec, run: AssetDef['fn'], codeFn: Function, site: Site): AssetDef {
  const checks: readonly NormalizedCheck[] =
    spec.checks === undefined
      ? frozenList(undefined)
      : Object.freeze(
          spec.checks.map((c) =>
            Object.freeze({
              name: c.name,
              blocking: c.blocking ?? false,
              description: c.description,
              fn: (value: unknown, ctx: CheckContext) => c.fn(value, ctx),
            }),
          ),
        )
  const def: Omit<AssetDef, 'declaredAt' | typeof KIND | typeof SITE> = {
    kind: 'asset',
    key: spec.key,
    deps: frozenRecord(spec.deps),
    fn: run,
    codeFn,
    description: spec.description,
    group: spec.group,
    tags: frozenRecord(spec.tags),
    kinds: frozenList(spec.kinds),
    owners: frozenList(spec.owners),
    metadata: frozenRecord(spec.metadata),
    codeVersion: spec.codeVersion,
    config: spec.config,
    output: spec.output,
    inputs: frozenRecord(spec.inputs as Record<string, ZodSchema> | undefined),
    retry: spec.retry === undefined ? undefined : normalizeRetry(spec.retry),
    retention: spec.retention === undefined ? undefined : normalizeRetention(spec.retention),
    timeoutMs: spec.timeout === undefined ? undefined : parseDuration(spec.timeout),
    checks,
    io: spec.io,
    resources: spec.resources === undefined ? undefined : Object.freeze({ ...spec.resources }),
    command:
      typeof spec.command === 'function'
        ? (spec.command as AssetDef['command'])
        : spec.command === undefined
          ? undefined
          : Object.freeze([...spec.command]),
    env: frozenRecord(spec.env),
    cwd: spec.cwd,
    launcher:
      spec.launcher === undefined || typeof spec.launcher === 'string'
        ? spec.launcher
        : deepFreeze(structuredClone(spec.launcher)),
    automation: spec.automation,
    partitions: spec.partitions,
  }
  // Only batched assets have the field (a spread in the literal would make every definition slower to build).
  if (spec.batch !== undefined) (def as { batch?: number }).batch = spec.batch
  if (spec.model !== undefined) (def as { model?: NormalizedModel }).model = normalizeModel(spec.model, spec.key)
  return finishDefinition(def, 'asset', site)
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
