/**
 * A model's versions, derived from its records: each data version, in the order it was first
 * recorded, is the next version (1, 2, …), with the lineage of that first record. Rebuilding a model
 * to a data version it had before gives that version again (the same weights are the same version).
 * Nothing is written per materialization, so a version can never be half registered.
 */
import type { HistoryRecord, MetricPoint } from '../store/types.js'

/**
 * One version of a model.
 *
 * @example
 * const v: ModelVersion = versionsOf(history)[0]!
 * v.version // 1
 */
export interface ModelVersion {
  version: number
  dataVersion: string
  /** Its newest record whose artifact is kept (else its first), and the run that built that. */
  recordId: number
  runId: string
  /** When it was first built. */
  createdAt: string
  codeVersion: string
  /** The inputs' data versions of that record (the lineage). */
  inputs: readonly { key: string; dataVersion: string }[]
  /** The config values it was built with (secrets redacted), null when none were recorded. */
  params: unknown
  /** Each metric's value (the summary value, else the last step). */
  metrics: Readonly<Record<string, number>>
  storagePath: string | null
  /** When gc deleted its artifact (it can no longer be promoted), else null. */
  collectedAt: string | null
  /** How many records have this data version (rebuilds that gave the same model). */
  records: number
}

/**
 * The value of each metric of a record: a point without a step (the summary) wins, else the point
 * with the highest step (the last one logged on ties).
 *
 * @example
 * metricValues([{ name: 'loss', value: 0.9, step: 0 }, { name: 'loss', value: 0.2, step: 9 }]) // { loss: 0.2 }
 */
export function metricValues(points: readonly MetricPoint[]): Record<string, number> {
  const out: Record<string, number> = {}
  const steps = new Map<string, number>()
  for (const p of points) {
    const step = p.step ?? Number.POSITIVE_INFINITY
    const seen = steps.get(p.name)
    if (seen !== undefined && step < seen) continue
    steps.set(p.name, step)
    out[p.name] = p.value
  }
  return out
}

/**
 * The versions of a model from its records (any order; materializations only), oldest first.
 *
 * @example
 * const versions = versionsOf(await store.assetHistory('model/churn', { limit: 100_000 }))
 */
export function versionsOf(history: readonly HistoryRecord[]): ModelVersion[] {
  const records = history.filter((r) => r.kind === 'materialization' && r.partition === '').sort((a, b) => a.id - b.id)
  const byData = new Map<string, ModelVersion>()
  const out: ModelVersion[] = []
  for (const r of records) {
    const seen = byData.get(r.dataVersion)
    if (seen !== undefined) {
      seen.records++
      // A rebuild to the same data version: its artifact is the one to serve while it is kept.
      if (r.collectedAt === null && r.storagePath !== null)
        Object.assign(seen, { recordId: r.id, runId: r.runId, storagePath: r.storagePath, collectedAt: null })
      continue
    }
    const v: ModelVersion = {
      version: out.length + 1,
      dataVersion: r.dataVersion,
      recordId: r.id,
      runId: r.runId,
      createdAt: r.finishedAt,
      codeVersion: r.codeVersion,
      inputs: r.inputs.map((i) => ({
        key: i.partition === '' ? i.key : `${i.key}[${i.partition}]`,
        dataVersion: i.dataVersion,
      })),
      params: r.params,
      metrics: metricValues(r.metrics),
      storagePath: r.storagePath,
      collectedAt: r.collectedAt,
      records: 1,
    }
    byData.set(r.dataVersion, v)
    out.push(v)
  }
  return out
}
