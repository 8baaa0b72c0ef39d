/**
 * The `Tracker` seam: what experiment tracking (the built-in store tracker; MLflow next) is told of
 * a run. A tracker is told of the run's start and end and of every recorded materialization, with
 * its params (the asset's config values, secrets redacted), metrics (with steps), metadata, data and
 * code versions and where its artifact is stored. A tracker that fails is logged as a warning: it
 * never fails a run nor loses a materialization (the record is written before trackers hear of it).
 */
import type { MetricPoint } from '../store/types.js'

/** A run as it starts. */
export interface TrackedRun {
  runId: string
  selection: readonly string[]
  force: boolean
  /** The run config as given, secrets redacted. */
  config: Readonly<Record<string, unknown>>
  startedAt: Date
}

/** A materialization, once recorded. */
export interface TrackedMaterialization {
  runId: string
  assetKey: string
  /** The partition key, for a partitioned asset. */
  partition?: string
  /** For a model asset (spec `model`): its registered model's name. */
  model?: { name: string }
  /** Files the asset attached (`ctx.attach`, a job's `artifact` messages): name → absolute path of the kept copy. */
  attachments?: Readonly<Record<string, string>>
  /** Id of the record in the store. */
  recordId: number
  /**
   * What it was built from: each input's key, data version (hex) and, for a partitioned input, the
   * partition read (a key or a `FROM...TO` range). The record's lineage, as `assets show` prints it.
   */
  inputs?: readonly { key: string; dataVersion: string; partition?: string }[]
  /** The asset's config values (defaults applied), secrets redacted; undefined for an asset without config. */
  params: unknown
  metrics: readonly MetricPoint[]
  metadata: Readonly<Record<string, unknown>>
  /** Data version (hex). */
  dataVersion: string
  /** Code version (hex). */
  codeVersion: string
  /** Where the IO manager stored the result (relative to its folder), if it says. */
  storagePath?: string
  startedAt: Date
  finishedAt: Date
}

/** A move of a model alias (`assets promote`, `assets rollback`), once stored. */
export interface TrackedAliasMove {
  /** The model asset and its registered model's name. */
  assetKey: string
  modelName: string
  alias: string
  action: 'promote' | 'rollback'
  /** The Rivers version the alias now names, and the one before (null: none). */
  version: number
  previous: number | null
  /** The data version (hex) of the version it names: MLflow's versions carry it as a tag. */
  dataVersion: string
  /** The record of that version, and the run that built it. */
  recordId: number
  runId: string
  reason: string | null
  movedAt: Date
}

/** A run as it ends. */
export interface TrackedRunEnd {
  runId: string
  status: 'success' | 'failed' | 'cancelled'
  durationMs: number
  materialized: readonly string[]
  failed: readonly { key: string; error: string }[]
  finishedAt: Date
}

/**
 * Told of runs and materializations. Every method may reject: the engine logs a warning and goes on.
 *
 * @example
 * const printer: Tracker = {
 *   name: 'printer',
 *   async materialized(m) { console.log(m.assetKey, m.params, m.metrics) },
 * }
 * const ws = await openWorkspace(project, { trackers: [printer] })
 */
export interface Tracker {
  /** Shown in warnings when it fails. */
  readonly name: string
  runStarted?(run: TrackedRun): Promise<void>
  materialized(materialization: TrackedMaterialization): Promise<void>
  runFinished?(end: TrackedRunEnd): Promise<void>
  /** A model alias moved (a registry mirror moves its own alias to the same version). */
  aliasMoved?(move: TrackedAliasMove): Promise<void>
}
