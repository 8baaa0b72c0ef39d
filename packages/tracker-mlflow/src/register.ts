/**
 * A materialization of a model asset as a version of a registered model in MLflow: a new version
 * when the asset's data version changed since the latest registered one (a rebuild that made the
 * same output registers nothing), with its source (the run's output), its run, and its lineage as
 * tags (asset, data and code versions, Rivers run and record ids, the last value of each metric).
 */
import type { TrackedMaterialization } from '@rivers-orchestrator/rivers'
import { type MlflowKeyValue, mlflowKey } from './batch.js'
import type { MlflowRegistry, ModelVersion } from './registry.js'

/**
 * The registered model name of an asset: MLflow refuses `/` and `:` in names, so they become `.`;
 * the project's name comes first (names are global on a server).
 *
 * @example
 * modelNameOf('shop', 'model/logreg') // 'shop.model.logreg'
 */
export function modelNameOf(project: string | undefined, assetKey: string): string {
  const key = assetKey.replace(/[/:]/g, '.')
  return project === undefined ? key : `${project.replace(/[/:]/g, '.')}.${key}`
}

/**
 * Registers a version of `name` for the materialization `m` logged as the MLflow run `runId`, unless
 * the latest version already has its data version. Returns the version made, or undefined.
 *
 * @example
 * const v = await registerVersion(registry, 'shop.model.logreg', m, run.run_id, true)
 */
export async function registerVersion(
  registry: MlflowRegistry,
  name: string,
  m: TrackedMaterialization,
  runId: string,
  withOutput: boolean,
): Promise<ModelVersion | undefined> {
  const latest = (await registry.versions(name)).at(-1)
  if (latest?.tags?.some((t) => t.key === 'rivers.data_version' && t.value === m.dataVersion)) return undefined
  return registry.createVersion(name, {
    source: withOutput ? `runs:/${runId}/output` : `runs:/${runId}`,
    runId,
    description: `${m.assetKey}${m.partition === undefined ? '' : `[${m.partition}]`}, Rivers run ${m.runId}`,
    tags: lineageTags(m),
  })
}

/**
 * The inputs a materialization was built from, as tags: `rivers.input.<key>` = its data version
 * (`:<partition>` appended for a partitioned input), the first 100 of them, then `rivers.input_count`.
 *
 * @example
 * inputTags(m) // [{ key: 'rivers.input.penguins/clean', value: 'ee8830b9…' }]
 */
export function inputTags(m: TrackedMaterialization): MlflowKeyValue[] {
  const inputs = m.inputs ?? []
  const tags = inputs.slice(0, MAX_INPUT_TAGS).map((i) => ({
    key: mlflowKey(`rivers.input.${i.key}${i.partition === undefined || i.partition === '' ? '' : `:${i.partition}`}`),
    value: i.dataVersion,
  }))
  // An aggregate over thousands of inputs: the count says the list was cut (the Rivers record has all).
  if (inputs.length > MAX_INPUT_TAGS) tags.push({ key: 'rivers.input_count', value: String(inputs.length) })
  return tags
}

/** Inputs listed as tags, at most (a model version's tags go in one request). */
const MAX_INPUT_TAGS = 100

/**
 * The lineage of a version: what made it, and the last value of each of its metrics.
 *
 * @example
 * lineageTags(m).find((t) => t.key === 'rivers.metric.accuracy')?.value // '0.93'
 */
export function lineageTags(m: TrackedMaterialization): MlflowKeyValue[] {
  const tags: MlflowKeyValue[] = [
    { key: 'rivers.asset', value: m.assetKey },
    { key: 'rivers.data_version', value: m.dataVersion },
    { key: 'rivers.code_version', value: m.codeVersion },
    { key: 'rivers.run_id', value: m.runId },
    { key: 'rivers.record_id', value: String(m.recordId) },
  ]
  if (m.partition !== undefined) tags.push({ key: 'rivers.partition', value: m.partition })
  tags.push(...inputTags(m))
  const last = new Map<string, { value: number; step: number }>()
  for (const p of m.metrics) {
    const seen = last.get(p.name)
    if (seen === undefined || (p.step ?? 0) >= seen.step) last.set(p.name, { value: p.value, step: p.step ?? 0 })
  }
  for (const [metric, { value }] of last) tags.push({ key: mlflowKey(`rivers.metric.${metric}`), value: String(value) })
  return tags
}
