/**
 * The contexts user code receives. Only types live here: the executor creates the objects.
 */
import type { Logger } from 'pino'

import type { PartitionWindow } from '../partitions/types.js'
import type { GpuDevice } from './spec-types.js'

/**
 * The partition an asset function is building (`ctx.partition`, for partitioned assets only).
 *
 * @example
 * const events = asset({ key: 'events', partitions: daily({ start: '2024-01-01' }) }, (_inputs, ctx) => {
 *   const { key, window } = ctx.partition!
 *   return { day: key, from: window?.start.toISOString() }
 * })
 */
export interface AssetPartition {
  /** The partition key, e.g. `'2024-01-05'` (dimensions of a product joined with `|`: `'2024-01-05|eu'`). */
  readonly key: string
  /** Its dense index in the asset's partition definition. */
  readonly index: number
  /** Dimension name -> key of this partition, for a product of dimensions. */
  readonly dimensions: Readonly<Record<string, string>>
  /** For time windows (and products with a time dimension): the window's start and end. */
  readonly window?: PartitionWindow
}

/**
 * What a batched partition function (`asset({ partitions, batch: N }, fn)`) receives instead of its
 * inputs: the partitions of this call, in order, and the inputs of each as a one-partition call
 * would receive them. It returns one value per partition, keyed by partition key.
 *
 * @example
 * const raw = asset({ key: 'raw' }, () => [1, 2, 3])
 * const events = asset({ key: 'events', partitions: daily({ start: '2024-01-01' }), batch: 1000, deps: { raw } }, (batch) => {
 *   const out: Record<string, number> = {}
 *   for (const p of batch.partitions) out[p.key] = batch.inputs(p.key).raw.length + p.index
 *   return out
 * })
 */
export interface PartitionBatch<Inputs> {
  /** The partitions this call builds (at most `spec.batch`, contiguous in the plan), in order. */
  readonly partitions: readonly AssetPartition[]
  /** For time windows: from the first partition's start to the last one's end. */
  readonly window?: PartitionWindow
  /** The inputs of partition `key` of this call; throws for a key that is not in `partitions`. */
  inputs(key: string): Inputs
}

/**
 * What an asset function receives as its second argument.
 *
 * @example
 * const trained = asset({ key: 'model', config: z.object({ epochs: z.number() }) }, (_inputs, ctx) => {
 *   ctx.log.info({ attempt: ctx.attempt }, 'training')
 *   for (let epoch = 0; epoch < ctx.config.epochs && !ctx.signal.aborted; epoch++) ctx.addMetric('loss', 1 / (epoch + 1), epoch)
 *   ctx.addMetadata({ epochs: ctx.config.epochs })
 * })
 */
export interface AssetContext<Config = undefined> {
  /** Id of the run materializing this asset. */
  readonly runId: string
  /** Key of the asset being materialized. */
  readonly key: string
  /** The validated run config of this asset (`z.output` of `spec.config`; `undefined` without one). */
  readonly config: Config
  /** A pino child logger bound to the run id and asset key. */
  readonly log: Logger
  /** Aborted when the run is cancelled or the asset times out; pass it to fetch, child processes… */
  readonly signal: AbortSignal
  /** 1 for the first try, 2 for the first retry, … */
  readonly attempt: number
  /** Attach metadata to this materialization's record (merged, last write wins). */
  addMetadata(metadata: Record<string, unknown>): void
  /** Record a metric value, optionally at a step (epoch, batch…). */
  addMetric(name: string, value: number, step?: number): void
  /**
   * Keeps a copy of a file with this materialization (a plot, a report, a checkpoint), as `name`
   * (default: the file's name; A-Z a-z 0-9 _ . -). It lands in the store folder under
   * `attachments/`, is listed in the record's metadata (`attachments`) and goes to the trackers
   * (MLflow uploads it). Resolves to where the copy is.
   */
  attach(file: string, name?: string): Promise<string>
  /**
   * GPUs reserved for this asset (`resources.gpus`); absent for assets without. In process, the local
   * launcher's reservation: it keeps other assets off these GPUs, and is advisory for a function,
   * which shares the orchestrator's process (pass the indices to your framework yourself). In a job
   * (`assets worker run`, on a cluster or with `functions: 'worker'`), the GPUs its launcher gave it:
   * `CUDA_VISIBLE_DEVICES` as the local launcher, Slurm or Ray set it.
   */
  readonly gpus?: readonly GpuDevice[]
  /** The partition being built, for a partitioned asset (`spec.partitions`); absent otherwise. */
  readonly partition?: AssetPartition
  /**
   * A folder kept across the attempts, requeues and restarted runs of this materialization (removed
   * once it succeeded), for a function run as a job by `assets worker run`; absent in process.
   */
  readonly checkpointDir?: string
}

/**
 * What a source's `observe` and `load` functions receive.
 *
 * @example
 * const events = source({
 *   key: 'raw/events',
 *   observe: async (ctx: SourceContext) => {
 *     const res = await fetch('https://events.example.com/snapshot', { signal: ctx.signal })
 *     return { dataVersion: res.headers.get('etag') ?? 'none' }
 *   },
 * })
 */
export interface SourceContext {
  /** Id of the run (or status check) observing or loading the source. */
  readonly runId: string
  /** Key of the source asset. */
  readonly key: string
  /** `spec.path` resolved against the project folder, when the source has a path. */
  readonly path: string | undefined
  /** A pino child logger bound to the run id and source key. */
  readonly log: Logger
  /** Aborted when the run is cancelled. */
  readonly signal: AbortSignal
  /** The model registry's aliases, read from the store (what `modelAlias` sources observe and load). */
  readonly models: ModelAliases
}

/**
 * The version a model alias names, as a `modelAlias` source observes and loads it.
 *
 * @example
 * const target: AliasTarget | null = await ctx.models.alias('model/churn', 'champion')
 */
export interface AliasTarget {
  /** The model asset. */
  key: string
  /** The registered model's name. */
  name: string
  alias: string
  version: number
  /** The version's data version (hex). */
  dataVersion: string
  /** The version's first record, the run that built it, and where its artifact is stored. */
  recordId: number
  runId: string
  storagePath: string | null
  /** The version's metrics (the summary value of each, else its last step). */
  metrics: Readonly<Record<string, number>>
  /** When the alias moved to it, and why. */
  movedAt: string
  reason: string | null
}

/**
 * Reads model aliases from the store.
 *
 * @example
 * const champion = await ctx.models.alias('model/churn', 'champion') // null until a promotion
 */
export interface ModelAliases {
  alias(key: string, alias: string): Promise<AliasTarget | null>
}

/**
 * What an asset check function receives as its second argument.
 *
 * @example
 * const nonEmpty = check('non_empty', (rows: unknown[], ctx: CheckContext) => {
 *   ctx.log.debug({ n: rows.length }, 'checking')
 *   return rows.length > 0
 * })
 */
export interface CheckContext {
  /** Id of the run. */
  readonly runId: string
  /** Key of the asset whose value is checked. */
  readonly key: string
  /** A pino child logger bound to the run id, asset key and check name. */
  readonly log: Logger
  /** Aborted when the run is cancelled. */
  readonly signal: AbortSignal
}
