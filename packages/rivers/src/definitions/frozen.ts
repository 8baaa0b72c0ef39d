/**
 * Building definition objects cheaply: frozen copies of the records and lists of a spec, sharing one
 * frozen empty record and one frozen empty list between all the definitions that leave a field out
 * (most of them, in a big project), and the shared `declaredAt` getter.
 */
import { KIND, SITE } from './handles.js'
import type { Site } from './position.js'

const EMPTY_RECORD: Readonly<Record<string, never>> = Object.freeze({})
const EMPTY_LIST: readonly never[] = Object.freeze([])

/**
 * A frozen shallow copy of `record` (the shared empty record when it is absent).
 *
 * @example
 * frozenRecord(spec.tags) // Object.freeze({ ...spec.tags })
 */
export function frozenRecord<T>(record: Readonly<Record<string, T>> | undefined): Readonly<Record<string, T>> {
  if (record === undefined || record === null) return EMPTY_RECORD
  // Object.assign builds the copy along V8's cached hidden-class transitions, so freezing it is
  // cheap; a spread copy gets a hidden class of its own, and freezing that costs ~0.25 µs. An own
  // `__proto__` key (from JSON.parse) must stay a key, which only the spread does.
  return Object.freeze(Object.hasOwn(record, '__proto__') ? { ...record } : Object.assign({}, record))
}

/**
 * A frozen copy of `list` (the shared empty list when it is absent or empty).
 *
 * @example
 * frozenList(spec.kinds) // Object.freeze([...(spec.kinds ?? [])])
 */
export function frozenList<T>(list: readonly T[] | undefined): readonly T[] {
  if (list === undefined || list.length === 0) return EMPTY_LIST
  return Object.freeze([...list])
}

/** The one `declaredAt` getter of every definition (reads the site it holds under `SITE`). */
function declaredAt(this: { readonly [SITE]?: Site }): string | undefined {
  return this[SITE]?.at()
}
const DECLARED_AT: PropertyDescriptor = { get: declaredAt, enumerable: true, configurable: true }

/**
 * Finish a definition: brand it with its kind, attach its site and its `declaredAt` getter
 * (enumerable, like a getter written in an object literal), and freeze it. The getter is one shared
 * function: a getter written in each definition's literal is a new function per definition, which
 * makes V8 keep every definition as a slow dictionary object (about ten times the cost to create).
 * The symbol keys are assigned here, after the literal: computed keys in a literal of this size give
 * each object its own hidden class, and freezing it then costs microseconds per definition.
 *
 * @example
 * const def = finishDefinition({ kind: 'source', key: 'raw' }, 'source', new DefinitionSite())
 */
export function finishDefinition<T extends object, K extends 'asset' | 'source'>(
  fields: T,
  kind: K,
  site: Site,
): Readonly<T> & { readonly [KIND]: K; readonly [SITE]: Site; readonly declaredAt: string | undefined } {
  const def = fields as T & { [KIND]?: K; [SITE]?: Site }
  def[KIND] = kind
  def[SITE] = site
  Object.defineProperty(def, 'declaredAt', DECLARED_AT)
  return Object.freeze(def) as Readonly<T> & {
    readonly [KIND]: K
    readonly [SITE]: Site
    readonly declaredAt: string | undefined
  }
}
