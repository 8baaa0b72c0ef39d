/**
 * `@asset(spec)` on class methods, and `assetsOf(Class)` to get their handles.
 *
 * Node 20 has no `Symbol.metadata`, so decorated methods are kept in a registry keyed by the method
 * function. A method decorator cannot see its class, so the class is bound when `assetsOf` first
 * finds the method on a prototype; methods then run with `this` = one instance of their declaring
 * class, constructed lazily with no arguments. The registry lives on `globalThis` under a
 * `Symbol.for` key so that copies of this module (a project loaded through tsx, the CLI's own copy)
 * share it.
 */
import { buildAssetDef } from './asset-def.js'
import type { AssetSpec, ConfigOf, InputsOf, Returnable } from './asset-types.js'
import type { AssetContext } from './context.js'
import { invalidDecoratorUse, legacyDecorators, noAssetMethods, notAnAssetMethod, unboundMethod } from './errors.js'
import type { AssetDef } from './handles.js'
import { describeValue } from './key.js'
import type { Site } from './position.js'
import type { OutputOf } from './result.js'

/**
 * The decorator `asset(spec)` returns. A method whose first parameter does not accept the inputs the
 * spec implies (or whose return type breaks `spec.output`) is a compile error.
 *
 * @example
 * class Pipeline {
 *   @asset({ key: 'raw' }) raw() { return [1, 2] }
 * }
 */
export type AssetDecorator<D, C, I, O> = <This, R extends Returnable<O>>(
  value: (this: This, inputs: InputsOf<D, I>, ctx: AssetContext<ConfigOf<C>>) => R,
  context: ClassMethodDecoratorContext<This, (this: This, inputs: InputsOf<D, I>, ctx: AssetContext<ConfigOf<C>>) => R>,
) => void

interface MethodEntry {
  readonly def: AssetDef
  readonly name: string
  owner: Function | undefined
}

interface Registry {
  readonly methods: WeakMap<Function, MethodEntry>
  readonly classes: WeakMap<Function, Readonly<Record<string, AssetDef>>>
  readonly instances: WeakMap<Function, object>
}

const REGISTRY = Symbol.for('rivers.definitions.registry.v1')

function registry(): Registry {
  const g = globalThis as { [REGISTRY]?: Registry }
  return (g[REGISTRY] ??= { methods: new WeakMap(), classes: new WeakMap(), instances: new WeakMap() })
}

/**
 * Apply `@asset(spec)` to a method: register it and build its `AssetDef`. Used by `asset(spec)`.
 *
 * @example
 * decorateMethod(validSpec, Pipeline.prototype.raw, context, new DefinitionSite())
 */
export function decorateMethod(
  spec: AssetSpec,
  value: unknown,
  context: {
    readonly kind: string
    readonly name: string | symbol
    readonly private?: boolean
    readonly static?: boolean
  },
  site: Site,
): void {
  // A legacy decorator gets (prototype, name, descriptor) instead of (method, context).
  if (typeof context !== 'object' || context === null) throw legacyDecorators(spec.key, site.at())
  const member = `${context.kind} ${String(context.name)}`
  if (context.kind !== 'method' || typeof value !== 'function')
    throw invalidDecoratorUse(spec.key, member, `@asset decorates methods, not a ${context.kind}`)
  if (context.private)
    throw invalidDecoratorUse(spec.key, member, 'private methods cannot be assets (assetsOf cannot reach them)')
  if (context.static) throw invalidDecoratorUse(spec.key, member, 'static methods cannot be assets')
  const reg = registry()
  if (reg.methods.has(value))
    throw invalidDecoratorUse(spec.key, member, `the method is already the asset '${reg.methods.get(value)!.def.key}'`)
  const name = String(context.name)
  const entry: MethodEntry = {
    name,
    owner: undefined,
    def: buildAssetDef(spec, (inputs, ctx) => value.call(instanceOf(entry), inputs, ctx), value, {
      at: () => `${site.at() ?? '(position unknown)'}, method ${name}`,
      frames: () => site.frames(),
    }),
  }
  reg.methods.set(value, entry)
}

function instanceOf(entry: MethodEntry): object {
  const owner = entry.owner
  if (owner === undefined) throw unboundMethod(entry.def.key, entry.name)
  const reg = registry()
  let instance = reg.instances.get(owner)
  if (instance === undefined) {
    instance = new (owner as new () => object)()
    reg.instances.set(owner, instance)
  }
  return instance
}

type MethodNames<T> = { [K in keyof T]-?: T[K] extends (...args: any[]) => any ? K : never }[keyof T] & string

/**
 * The handles of a class's @asset methods, by method name, typed from each method: its value from
 * the return type, its inputs from the first parameter.
 *
 * @example
 * type H = AssetsOf<typeof Pipeline> // { readonly raw: AssetDef<number[]>; … }
 */
export type AssetsOf<C extends abstract new (...args: any) => any> = {
  readonly [K in MethodNames<InstanceType<C>>]: InstanceType<C>[K] extends (...args: infer P) => infer R
    ? AssetDef<OutputOf<R>, P extends [infer In, ...unknown[]] ? In : {}>
    : never
}

/**
 * The handles of a class's @asset methods (also inherited ones), typed from the methods' return
 * types, to use as deps of other assets or list in `defineProject`. Each call returns the same object.
 * Reading a method that is not decorated throws a DefinitionError.
 *
 * @example
 * class Pipeline {
 *   @asset({ key: 'raw' }) raw() { return [1, 2] }
 * }
 * const total = asset({ key: 'total', deps: { raw: assetsOf(Pipeline).raw } }, ({ raw }) => raw.length)
 */
export function assetsOf<C extends abstract new (...args: any) => any>(cls: C): AssetsOf<C> {
  if (typeof cls !== 'function') throw noAssetMethods(describeValue(cls))
  const found = classAssets(cls)
  if (Object.keys(found).length === 0) throw noAssetMethods(cls.name)
  return found as AssetsOf<C>
}

/**
 * The @asset methods of a class as handles; empty when it has none (or is not a class).
 *
 * @example
 * classAssets(Pipeline) // { raw: AssetDef, … }
 */
export function classAssets(cls: Function): Readonly<Record<string, AssetDef>> {
  const reg = registry()
  const cached = reg.classes.get(cls)
  if (cached !== undefined) return cached
  const out: Record<string, AssetDef> = {}
  const seen = new Set<string>()
  for (
    let proto: unknown = cls.prototype;
    typeof proto === 'object' && proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || seen.has(name)) continue
      seen.add(name)
      const value = Object.getOwnPropertyDescriptor(proto, name)?.value
      if (typeof value !== 'function') continue
      const entry = reg.methods.get(value)
      if (entry !== undefined) {
        entry.owner ??= (proto as { constructor: Function }).constructor
        out[name] = entry.def
      } else {
        Object.defineProperty(out, name, {
          enumerable: false,
          get: () => {
            throw notAnAssetMethod(cls.name, name)
          },
        })
      }
    }
  }
  const frozen = Object.freeze(out)
  if (Object.keys(frozen).length > 0) reg.classes.set(cls, frozen)
  return frozen
}
