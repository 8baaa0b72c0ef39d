/**
 * Model assets: `asset({ key, model: { … } }, fn)` marks an asset as a registered model. Each new
 * data version of it is the model's next version (1, 2, …), with its lineage (inputs' data
 * versions, code version, params, metrics); aliases (`champion`, `challenger`) name versions and
 * move by `assets promote` / `assets rollback`, through a promotion gate on the version's metrics.
 * `modelAlias(model, 'champion')` is a source whose data version is the alias's version, so an
 * asset that depends on it (a deploy) re-runs when the alias moves.
 */

/**
 * A rule of the promotion gate on one metric of the candidate version (its last value in the
 * record: the summary value, else the last step).
 *
 * @example
 * const rule: MetricRule = { atLeast: 0.9, notBelowCurrent: true }
 */
export interface MetricRule {
  /** The candidate's value must be at least this. */
  atLeast?: number
  /** The candidate's value must be at most this. */
  atMost?: number
  /**
   * The candidate's value must not be below that of the version the alias names now (`true`), or not
   * by more than this margin (a number). For metrics where higher is better (accuracy, AUC).
   */
  notBelowCurrent?: boolean | number
  /** As `notBelowCurrent`, for metrics where lower is better (loss, error). */
  notAboveCurrent?: boolean | number
}

/**
 * What makes an asset a registered model.
 *
 * @example
 * const spec: ModelSpec = { name: 'churn', gate: { auc: { atLeast: 0.8, notBelowCurrent: true } } }
 */
export interface ModelSpec {
  /** The registered model's name (default: the asset key), also its name in MLflow's registry. */
  name?: string
  /** The promotion gate: metric name → rule; every rule must hold for `assets promote` to move an alias. */
  gate?: Readonly<Record<string, MetricRule>>
}

/** A model spec with its defaults applied (`AssetDef.model`). */
export interface NormalizedModel {
  readonly name: string
  readonly gate: Readonly<Record<string, Readonly<MetricRule>>>
}

/**
 * `model: true | ModelSpec` of an asset spec, with defaults: the asset key as the name, no gate.
 *
 * @example
 * normalizeModel(true, 'model/churn') // { name: 'model/churn', gate: {} }
 */
export function normalizeModel(spec: true | ModelSpec, key: string): NormalizedModel {
  if (spec === true) return Object.freeze({ name: key, gate: Object.freeze({}) })
  const gate: Record<string, Readonly<MetricRule>> = {}
  for (const [metric, rule] of Object.entries(spec.gate ?? {})) gate[metric] = Object.freeze({ ...rule })
  return Object.freeze({ name: spec.name ?? key, gate: Object.freeze(gate) })
}
