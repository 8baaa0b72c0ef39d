/** Types of asset specs and of the inputs, config and return values they imply. */
import type { z } from 'zod'
import type { PartitionDefinition } from '../partitions/types.js'
import type { Condition } from './automation.js'
import type { AssetCheck } from './check.js'
import type { AssetContext, PartitionBatch } from './context.js'
import type { Duration } from './duration.js'
import type { Dep, MappedDep, ValueOf } from './handles.js'
import type { AssetResult } from './result.js'
import type { RetentionPolicy } from './retention.js'
import type { RetryPolicy } from './retry.js'
import type { IOManagerLike, LauncherSetting, Resources, ZodSchema } from './spec-types.js'
import type { ModelSpec } from './model.js'

/**
 * Input name -> upstream.
 *
 * @example
 * const deps: Deps = { orders: rawOrders, customers: 'raw/customers' }
 */
export type Deps = Record<string, Dep>

/**
 * The optional schemas a consumer declares for its inputs.
 *
 * @example
 * const inputs: InputSchemas<{ orders: string }> = { orders: z.array(z.object({ id: z.number() })) }
 */
export type InputSchemas<D> = { [K in keyof D]?: ZodSchema }

type OneValue<H, S> = H extends string ? (S extends ZodSchema ? z.output<S> : unknown) : ValueOf<H>
type InputValue<H, S> = H extends MappedDep<infer D> ? Record<string, OneValue<D, S>> : OneValue<H, S>

/**
 * The `inputs` object an asset function receives: each input typed by its upstream's value type
 * (a key string is `unknown`, or `z.output` of its schema in `spec.inputs`); a `mapped()` input is
 * a Record of partition key -> that type (the schema in `spec.inputs` then describes one partition).
 *
 * @example
 * type I = InputsOf<{ raw: AssetDef<number[]>; extra: string }> // { raw: number[]; extra: unknown }
 */
export type InputsOf<D, I = {}> = { [K in keyof D]: InputValue<D[K], K extends keyof I ? I[K] : undefined> }

/**
 * `ctx.config`'s type: `z.output` of the config schema, `undefined` without one.
 *
 * @example
 * type C = ConfigOf<z.ZodObject<{ epochs: z.ZodNumber }>> // { epochs: number }
 */
export type ConfigOf<C> = C extends ZodSchema ? z.output<C> : undefined

/**
 * The run config an asset with config schema `C` accepts: `z.input<C>` (fields with a default are
 * optional); `unknown` without a schema.
 *
 * @example
 * type C = ConfigInput<z.ZodObject<{ epochs: z.ZodDefault<z.ZodNumber> }>> // { epochs?: number }
 */
export type ConfigInput<C> = C extends ZodSchema ? z.input<C> : unknown

/**
 * What the asset function may return given its output schema `O` (anything without one).
 *
 * @example
 * type R = Returnable<z.ZodNumber> // number | AssetResult<number> | Promise<number | AssetResult<number>>
 */
export type Returnable<O> = O extends ZodSchema
  ? z.input<O> | AssetResult<z.input<O>> | Promise<z.input<O> | AssetResult<z.input<O>>>
  : unknown

/**
 * What a batched partition function may return for one partition, given its output schema `O`.
 *
 * @example
 * type V = BatchValue<z.ZodNumber> // number | AssetResult<number>
 */
export type BatchValue<O> = O extends ZodSchema ? z.input<O> | AssetResult<z.input<O>> : unknown

/**
 * The spec of an asset. Only `key` is required.
 *
 * @example
 * const spec: AssetSpec = { key: 'features', group: 'ml', tags: { pii: true }, retry: { maxRetries: 2 }, timeout: '5m' }
 */
export interface AssetSpec<
  D extends Deps = Deps,
  C = ZodSchema | undefined,
  I = InputSchemas<D>,
  O = ZodSchema | undefined,
> {
  /** `/`-separated segments of `A-Z a-z 0-9 _ - .`, e.g. `'raw/orders'`. */
  key: string
  /** Input name -> upstream asset, source, `ref()` or key string. */
  deps?: D
  description?: string
  group?: string
  /** `{ pii: true, tier: 'gold' }`, selectable as `tag:pii`, `tag:tier=gold`. */
  tags?: Record<string, string | true>
  kinds?: readonly string[]
  owners?: readonly string[]
  metadata?: Record<string, unknown>
  /** The code version; without it, the function's source text is hashed. */
  codeVersion?: string
  /** Schema of this asset's run config; `ctx.config` is its `z.output`. */
  config?: C
  /** Schema of the returned value, checked at run time (`validateOutput`). */
  output?: O
  /** Schemas the consumer expects for some inputs; checked against the producers' `output`. */
  inputs?: I
  retry?: RetryPolicy
  /** Which of its materializations keep their artifact when `assets gc` runs (default: the project's). */
  retention?: RetentionPolicy
  timeout?: Duration
  /** Checks of the value; typed by `output` when given. Annotate the value otherwise (see `check`). */
  checks?: readonly AssetCheck<O extends ZodSchema ? z.output<O> : any>[]
  /** IO manager for this asset's value (default: the project's). */
  io?: IOManagerLike
  /** Compute to ask a launcher for (see `Resources`). */
  resources?: Resources
  /**
   * Run this program as a job instead of a function: `asset({ key, command: ['python', 'train.py'] })`.
   * The job reads its inputs and writes its output through the job protocol (`RIVERS_*` variables,
   * see `clients/rivers_job.py`). A function computes the command from the inputs and config.
   */
  command?: Command<D, C, I>
  /** Extra environment variables of the command. */
  env?: Record<string, string>
  /** Folder the command runs in (default: the current folder). */
  cwd?: string
  /** Which launcher runs it (default: the project's `launcher`, else `'local'`). */
  launcher?: LauncherSetting
  /** When automation (`assets tick`, `assets daemon`) requests a run of it, e.g. `when.eager()`. */
  automation?: Condition
  /**
   * Its partitions, e.g. `daily({ start: '2024-01-01' })`: one value per partition key, built one
   * partition at a time (`ctx.partition`). Deps read the matching partition; wrap a dep in
   * `mapped()` to read several.
   */
  partitions?: PartitionDefinition
  /**
   * Build up to this many partitions per call (a batched backfill): the function receives a
   * `PartitionBatch` (`batch.partitions`, `batch.inputs(key)`) and returns `{ [partitionKey]: value }`.
   * Needs `partitions`; the outputs of one call are stored together (one file with `FileIOManager`).
   */
  batch?: number
  /**
   * A registered model: each new data version is its next version, with lineage and metrics;
   * aliases (`champion`) move through `assets promote` / `assets rollback` and the `gate`. Not for
   * partitioned assets.
   */
  model?: true | ModelSpec
}

/**
 * The command of a job asset: the program and its arguments, or a function computing them.
 *
 * @example
 * const train: Command = ['python', 'train.py', '--epochs', '10']
 * const fromConfig: Command<{}, z.ZodObject<{ epochs: z.ZodNumber }>> = (_inputs, ctx) => ['python', 'train.py', `--epochs=${ctx.config.epochs}`]
 */
export type Command<D = Deps, C = ZodSchema | undefined, I = InputSchemas<D>> =
  | readonly string[]
  | ((inputs: InputsOf<D, I>, ctx: AssetContext<ConfigOf<C>>) => readonly string[] | Promise<readonly string[]>)

/**
 * The function of an asset.
 *
 * @example
 * const fn: AssetFn<{ raw: AssetDef<number[]> }, undefined, {}, number> = ({ raw }) => raw.length
 */
export type AssetFn<D, C, I, R> = (inputs: InputsOf<D, I>, ctx: AssetContext<ConfigOf<C>>) => R

/**
 * A batched partition function (`asset({ partitions, batch: N }, fn)`): one call builds many
 * partitions and returns each one's value (or `result()`) by partition key.
 *
 * @example
 * const fn: BatchAssetFn<{ raw: AssetDef<number[]> }, undefined, {}, number> = (batch) =>
 *   Object.fromEntries(batch.partitions.map((p) => [p.key, batch.inputs(p.key).raw.length]))
 */
export type BatchAssetFn<D, C, I, R> = (
  batch: PartitionBatch<InputsOf<D, I>>,
  ctx: AssetContext<ConfigOf<C>>,
) => Record<string, R> | Promise<Record<string, R>>
