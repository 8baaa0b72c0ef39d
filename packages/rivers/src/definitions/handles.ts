/**
 * Handles: what `asset()`, `source()` and `ref()` return, the things one asset names as its deps.
 * Each carries its value type `T` as a phantom, which is how input types flow downstream.
 *
 * Brands are `Symbol.for` symbols so that guards agree across duplicated module instances (a project
 * file loaded through tsx and the CLI's own copy of the library).
 */
import type { PartitionMapping } from '../partitions/mapping.js'
import type { PartitionDefinition } from '../partitions/types.js'
import type { Condition } from './automation.js'
import type { AssetContext, SourceContext } from './context.js'
import type { NormalizedCheck } from './check.js'
import type { NormalizedRetention } from './retention.js'
import type { NormalizedRetry } from './retry.js'
import type { Site } from './position.js'
import type { IOManagerLike, LauncherSetting, Observation, Resources, ZodSchema } from './spec-types.js'
import type { NormalizedModel } from './model.js'

/**
 * Where a definition was made: the definition stack code versions are computed from (internal).
 *
 * @example
 * (def as { [SITE]?: Site })[SITE]?.frames()
 */
export const SITE: unique symbol = Symbol.for('rivers.definitions.site')

/** Type-only: the value type a handle gives its consumers. Never present at run time. */
declare const VALUE: unique symbol
/** Type-only: the inputs an asset's function receives (what `testing.runAsset` must be given). */
declare const INPUTS: unique symbol
/** Type-only: the run config an asset accepts (`z.input` of its config schema). */
declare const CONFIG: unique symbol

/**
 * Runtime brand of every handle: its kind (`'asset'`, `'source'` or `'ref'`).
 *
 * @example
 * (raw as unknown as Record<symbol, unknown>)[KIND] // 'asset'
 */
export const KIND: unique symbol = Symbol.for('rivers.definitions.kind')

/**
 * An asset: a function from its inputs to a value of type `T`, plus its validated spec. `In` (the
 * inputs its function receives) and `Cfg` (the run config it accepts) are type-only, inferred by
 * `asset()`; `@rivers-orchestrator/rivers/testing` checks what a test passes against them.
 *
 * @example
 * const raw: AssetDef<number[]> = asset({ key: 'raw' }, () => [1, 2, 3])
 */
export interface AssetDef<T = unknown, In = {}, Cfg = unknown> {
  readonly [VALUE]?: T
  readonly [INPUTS]?: In
  readonly [CONFIG]?: Cfg
  readonly [KIND]: 'asset'
  readonly kind: 'asset'
  readonly key: string
  /** Input name -> upstream handle, `ref()` or key string, as given. */
  readonly deps: Readonly<Record<string, Dep>>
  /** Calls the user's function (for decorated methods: on the class's instance). May return `result()`. */
  readonly fn: (inputs: Record<string, unknown>, ctx: AssetContext<any>) => unknown
  /** The user's own function or method; its source text is the code version when none is given. */
  readonly codeFn: Function
  readonly description: string | undefined
  readonly group: string | undefined
  readonly tags: Readonly<Record<string, string | true>>
  readonly kinds: readonly string[]
  readonly owners: readonly string[]
  readonly metadata: Readonly<Record<string, unknown>>
  readonly codeVersion: string | undefined
  readonly config: ZodSchema | undefined
  readonly output: ZodSchema | undefined
  /** Input name -> schema the consumer expects (`spec.inputs`). */
  readonly inputs: Readonly<Record<string, ZodSchema>>
  readonly retry: NormalizedRetry | undefined
  /** Which records keep their artifact when gc runs (default: the project's, else every record). */
  readonly retention: NormalizedRetention | undefined
  readonly timeoutMs: number | undefined
  readonly checks: readonly NormalizedCheck[]
  readonly io: IOManagerLike | undefined
  readonly resources: Readonly<Resources> | undefined
  /** The job's program and arguments (or the function computing them); undefined for a function asset. */
  readonly command:
    | readonly string[]
    | ((inputs: Record<string, unknown>, ctx: AssetContext<any>) => readonly string[] | Promise<readonly string[]>)
    | undefined
  /** Extra environment variables of the command. */
  readonly env: Readonly<Record<string, string>>
  /** Folder the command runs in, as given. */
  readonly cwd: string | undefined
  /** The asset's own launcher setting (the project's applies when undefined). */
  readonly launcher: LauncherSetting | undefined
  /** When automation requests a run of it (`when.*`), if ever. */
  readonly automation: Condition | undefined
  /** Its partitions (`daily(…)`, `staticPartitions(…)`, …); undefined: one unpartitioned value. */
  readonly partitions?: PartitionDefinition
  /** Partitions per call of a batched partition function (`spec.batch`); undefined: one per call. */
  readonly batch?: number
  /** Its registered-model settings (`spec.model`), when it is a model. */
  readonly model?: NormalizedModel
  /** Where it was defined (`file:line:col`, and the method name for decorated methods), if known. */
  readonly declaredAt: string | undefined
  /** Internal: the definition stack (for code versions). */
  readonly [SITE]?: Site
}

/**
 * A source asset: external data the pipeline observes and loads but does not build.
 *
 * @example
 * const orders: SourceDef<Buffer> = source({ key: 'raw/orders', path: 'data/orders.csv' })
 */
export interface SourceDef<T = unknown> {
  readonly [VALUE]?: T
  readonly [KIND]: 'source'
  readonly kind: 'source'
  readonly key: string
  readonly path: string | undefined
  readonly observe: ((ctx: SourceContext) => Observation | Promise<Observation>) | undefined
  readonly load: ((ctx: SourceContext) => unknown) | undefined
  /** True when the executor must content-hash the file at `path` to observe it (no `observe`). */
  readonly observesByContentHash: boolean
  /** True when consumers receive the bytes of `path` as a Buffer (no `load`). */
  readonly loadsFileBytes: boolean
  /** How often the daemon re-observes it (ms); undefined: every tick. */
  readonly everyMs: number | undefined
  /** The sensor that reports its data versions; undefined: Rivers observes it (path or observe). */
  readonly reportedBy: string | undefined
  readonly description: string | undefined
  readonly group: string | undefined
  readonly tags: Readonly<Record<string, string | true>>
  readonly kinds: readonly string[]
  readonly owners: readonly string[]
  readonly metadata: Readonly<Record<string, unknown>>
  readonly declaredAt: string | undefined
  /** Internal: the definition stack (for code versions of its consumers). */
  readonly [SITE]?: Site
}

/**
 * A typed reference to an asset by key, resolved by `defineProject`. Useful between methods of one
 * decorated class, where the class's own handles are not available yet.
 *
 * @example
 * const r: KeyRef<number[]> = ref<number[]>('raw')
 */
export interface KeyRef<T = unknown> {
  readonly [VALUE]?: T
  readonly [KIND]: 'ref'
  readonly kind: 'ref'
  readonly key: string
}

/**
 * Anything that produces a value of type `T` for a consumer.
 *
 * @example
 * const upstream: Handle<number[]> = asset({ key: 'raw' }, () => [1])
 */
export type Handle<T = unknown> = AssetDef<T> | SourceDef<T> | KeyRef<T>

/**
 * A dep wrapped by `mapped(dep, mapping?)`: the input receives a Record of upstream partition key ->
 * value (keys in index order) instead of one value. `key` is the upstream key.
 *
 * @example
 * const lastWeek: MappedDep = mapped(events, mapping.window({ length: 7 }))
 */
export interface MappedDep<D extends Handle<any> | string = Handle<any> | string> {
  readonly [KIND]: 'mapped'
  readonly kind: 'mapped'
  /** The upstream key (the wrapped handle's key, or the key string). */
  readonly key: string
  /** The wrapped handle, `ref()` or key string, as given. */
  readonly dep: D
  /** The declared mapping; undefined: the default for the two definitions. */
  readonly mapping: PartitionMapping | undefined
}

/**
 * What `spec.deps` maps an input name to: a handle, a key string (the input is then `unknown`
 * unless `spec.inputs` gives it a schema), or either wrapped by `mapped()` (the input is then a
 * Record of partition key -> value).
 *
 * @example
 * const deps: Record<string, Dep> = { orders: 'raw/orders', week: mapped('raw/events', mapping.window({ length: 7 })) }
 */
export type Dep = Handle<any> | string | MappedDep

/**
 * The value type of a handle.
 *
 * @example
 * type V = ValueOf<AssetDef<number[]>> // number[]
 */
export type ValueOf<H> = H extends { readonly [VALUE]?: infer T } ? T : unknown

/**
 * The inputs an asset's function receives, by input name (`{}` for a handle typed without them).
 *
 * @example
 * type I = InputsOfAsset<typeof total> // { raw: number[] }
 */
export type InputsOfAsset<H> = H extends { readonly [INPUTS]?: infer In } ? (unknown extends In ? {} : In) : {}

/**
 * The run config an asset accepts: `z.input` of its config schema (defaulted fields optional);
 * `unknown` without a schema.
 *
 * @example
 * type C = ConfigInputOf<typeof model> // { epochs?: number }
 */
export type ConfigInputOf<H> = H extends { readonly [CONFIG]?: infer C } ? C : unknown

/**
 * A typed reference to the asset with this key (checked when the project is defined).
 *
 * @example
 * const total = asset({ key: 'total', deps: { raw: ref<number[]>('raw') } }, ({ raw }) => raw.length)
 */
export function ref<T = unknown>(key: string): KeyRef<T> {
  return Object.freeze({ [KIND]: 'ref' as const, kind: 'ref' as const, key })
}

/**
 * Whether `x` is an asset definition (also from another copy of this module).
 *
 * @example
 * isAssetDef(asset({ key: 'a' }, () => 1)) // true
 */
export function isAssetDef(x: unknown): x is AssetDef<unknown> {
  return kindOf(x) === 'asset'
}

/**
 * Whether `x` is a source definition.
 *
 * @example
 * isSourceDef(source({ key: 's', path: 'a.csv' })) // true
 */
export function isSourceDef(x: unknown): x is SourceDef<unknown> {
  return kindOf(x) === 'source'
}

/**
 * Whether `x` is a `ref()`.
 *
 * @example
 * isKeyRef(ref('raw')) // true
 */
export function isKeyRef(x: unknown): x is KeyRef<unknown> {
  return kindOf(x) === 'ref'
}

/**
 * Whether `x` is a dep wrapped by `mapped()`.
 *
 * @example
 * isMappedDep(mapped('raw/events')) // true
 */
export function isMappedDep(x: unknown): x is MappedDep {
  return kindOf(x) === 'mapped'
}

function kindOf(x: unknown): unknown {
  return (typeof x === 'object' || typeof x === 'function') && x !== null
    ? (x as Record<symbol, unknown>)[KIND]
    : undefined
}
