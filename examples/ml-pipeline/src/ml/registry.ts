/**
 * Model registry entry. The version is derived from the model's content:
 * the sha256 of its parameters serialised as canonical JSON (sorted keys).
 * Retraining with the same data and seed yields the same version; any change
 * to the weights yields a new one.
 */
import { createHash } from 'node:crypto'
import type { LogisticModel } from './logistic.js'
import type { Metrics } from './metrics.js'

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Where the model came from, e.g. dataset file, its hash, row counts, seed. */
export type Lineage = { [key: string]: JsonValue }

export interface RegistryEntry {
  name: string
  version: string
  /** Full sha256 hex digest of the model parameters. */
  fingerprint: string
  featureNames: string[]
  metrics: Metrics
  lineage: Lineage
  model: LogisticModel
}

export const DEFAULT_MODEL_NAME = 'penguins-adelie-classifier'

/** JSON.stringify with object keys sorted, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

export function fingerprint(model: LogisticModel): string {
  const { kind, featureNames, weights, bias } = model
  return createHash('sha256').update(canonicalJson({ kind, featureNames, weights, bias })).digest('hex')
}

export function registerModel(
  model: LogisticModel,
  metrics: Metrics,
  lineage: Lineage,
  { name = DEFAULT_MODEL_NAME } = {},
): RegistryEntry {
  const digest = fingerprint(model)
  return {
    name,
    version: digest.slice(0, 12),
    fingerprint: digest,
    featureNames: [...model.featureNames],
    metrics,
    lineage,
    model,
  }
}
