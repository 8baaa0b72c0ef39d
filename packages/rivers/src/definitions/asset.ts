/**
 * `asset(spec, fn)`: define an asset from a function, and `asset(spec)`: the same as a TC39 method
 * decorator. Specs are validated here, once, at definition time.
 */
import type { z } from 'zod'

import { buildAssetDef, validateAssetSpec } from './asset-def.js'
import type {
  AssetFn,
  AssetSpec,
  BatchAssetFn,
  BatchValue,
  Command,
  ConfigInput,
  Deps,
  InputSchemas,
  InputsOf,
  Returnable,
} from './asset-types.js'
import { commandCode, commandStandIn } from './command.js'
import { decorateMethod, type AssetDecorator } from './decorators.js'
import { invalidSpec } from './errors.js'
import type { AssetDef } from './handles.js'
import { describeValue } from './key.js'
import { DefinitionSite } from './position.js'
import type { OutputOf } from './result.js'
import type { ZodSchema } from './spec-types.js'
import type { PartitionDefinition } from '../partitions/types.js'

/**
 * Define an asset that runs a command as a job (through its launcher) instead of a function. Its
 * value is the output the job wrote: parsed JSON for a `.json` file, else the bytes as a Buffer;
 * give `output` to validate and type it.
 *
 * @example
 * const model = asset({
 *   key: 'model/torch',
 *   deps: { features },
 *   command: ['python3', 'train_torch.py'],
 *   resources: { gpus: 1, memory: '16Gi', timeLimit: '2h' },
 * })
 */
export function asset<
  D extends Deps = {},
  C extends ZodSchema | undefined = undefined,
  I extends InputSchemas<D> = {},
  O extends ZodSchema | undefined = undefined,
>(
  spec: AssetSpec<D, C, I, O> & { command: Command<D, C, I> },
): AssetDef<O extends ZodSchema ? z.output<O> : unknown, InputsOf<D, I>, ConfigInput<C>>
/**
 * Define a partitioned asset whose function builds up to `batch` partitions per call (a batched
 * backfill: one query for a range instead of one per day). The function receives the batch's
 * partitions and each one's inputs, and returns each partition's value by partition key; every
 * partition still gets its own record, data version and staleness.
 *
 * @example
 * const days = daily({ start: '2024-01-01', end: '2024-04-01' })
 * const events = asset({ key: 'events', partitions: days, batch: 31 }, (batch) =>
 *   Object.fromEntries(batch.partitions.map((p) => [p.key, { day: p.key, count: p.index }])),
 * )
 */
export function asset<
  D extends Deps = {},
  C extends ZodSchema | undefined = undefined,
  I extends InputSchemas<D> = {},
  O extends ZodSchema | undefined = undefined,
  R extends BatchValue<O> = BatchValue<O>,
>(
  spec: AssetSpec<D, C, I, O> & { partitions: PartitionDefinition; batch: number },
  fn: BatchAssetFn<D, C, I, R>,
): AssetDef<OutputOf<R>, InputsOf<D, I>, ConfigInput<C>>
/**
 * Define an asset. Its value type is what `fn` returns (awaited, unwrapped from `result()`), and it
 * flows into the inputs of every asset that lists it in `deps`. Called with only a spec, returns a
 * method decorator instead (see `assetsOf`).
 *
 * @example
 * const raw = asset({ key: 'raw' }, async () => [1, 2, 3])
 * const total = asset({ key: 'total', deps: { raw } }, ({ raw }) => raw.reduce((a, b) => a + b, 0))
 */
export function asset<
  D extends Deps = {},
  C extends ZodSchema | undefined = undefined,
  I extends InputSchemas<D> = {},
  O extends ZodSchema | undefined = undefined,
  R extends Returnable<O> = Returnable<O>,
>(spec: AssetSpec<D, C, I, O>, fn: AssetFn<D, C, I, R>): AssetDef<OutputOf<R>, InputsOf<D, I>, ConfigInput<C>>
/**
 * `asset(spec)` without a function: a TC39 method decorator. The method's first parameter must accept
 * the inputs the spec implies; get the handles with `assetsOf(Class)`.
 *
 * @example
 * class Pipeline {
 *   @asset({ key: 'raw' }) raw() { return [1, 2] }
 *   @asset({ key: 'total', deps: { raw: ref<number[]>('raw') } }) total({ raw }: { raw: number[] }) { return raw.length }
 * }
 */
export function asset<
  D extends Deps = {},
  C extends ZodSchema | undefined = undefined,
  I extends InputSchemas<D> = {},
  O extends ZodSchema | undefined = undefined,
>(spec: AssetSpec<D, C, I, O>): AssetDecorator<D, C, I, O>
export function asset(spec: AssetSpec, ...rest: unknown[]): AssetDef | AssetDecorator<Deps, unknown, unknown, unknown> {
  const site = new DefinitionSite(stackUnread(spec) ? DefinitionSite.CALLER : undefined)
  const valid = validateAssetSpec(spec, site)
  if (valid.command !== undefined) {
    if (rest.length > 0) {
      throw invalidSpec(
        'asset',
        valid.key,
        [
          {
            path: 'command',
            problem: 'the asset has both a command and a function',
            hint: 'give either command (a job run by a launcher) or a function, not both.',
          },
        ],
        site.at(),
      )
    }
    return buildAssetDef(valid, commandStandIn(valid.key), commandCode(valid), site)
  }
  if (rest.length === 0) {
    if (valid.batch !== undefined)
      throw invalidSpec(
        'asset',
        valid.key,
        [
          {
            path: 'batch',
            problem: 'a batched partition function cannot be a decorated method',
            hint: 'write asset({ key, partitions, batch }, (batch, ctx) => ({ [key]: value })) with a function, or remove batch.',
          },
        ],
        site.at(),
      )
    return (value, context) => decorateMethod(valid, value, context, site)
  }
  const fn = rest[0]
  if (typeof fn !== 'function') {
    throw invalidSpec(
      'asset',
      valid.key,
      [
        {
          path: '(function)',
          problem: `the second argument is ${describeValue(fn)}`,
          hint: 'pass the asset function: asset(spec, (inputs, ctx) => value).',
        },
      ],
      site.at(),
    )
  }
  return buildAssetDef(valid, fn as AssetDef['fn'], fn, site)
}

/**
 * Whether the asset's code version will not be computed from its definition stack (a pinned
 * `codeVersion`, or a command), so its site needs the position only.
 */
function stackUnread(spec: AssetSpec): boolean {
  return (
    typeof spec === 'object' &&
    spec !== null &&
    (typeof spec.codeVersion === 'string' || (spec as { command?: unknown }).command !== undefined)
  )
}
