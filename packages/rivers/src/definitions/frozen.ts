/**
 * Building definition objects cheaply: frozen copies of the records and lists of a spec, sharing one
 * frozen empty record and one frozen empty list between all the definitions that leave a field out
 * (most of them, in a big project), and the shared `declaredAt` getter.
 */
import { SITE } from './handles.js'
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
  return record === undefined || record === null ? EMPTY_RECORD : Object.freeze({ ...record })
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
 * Give `def` its `declaredAt` getter (enumerable, like a getter written in an object literal) and
 * freeze it. The getter is one shared function: a getter written in each definition's literal is a
 * new function per definition, which makes V8 keep every definition as a slow dictionary object
 * (about ten times the cost to create).
 *
 * @example
 * const def = withDeclaredAt({ kind: 'source', key: 'raw', [SITE]: captureSite() })
 */
export function withDeclaredAt<T extends { readonly [SITE]?: Site }>(
  def: T,
): Readonly<T> & { readonly declaredAt: string | undefined } {
  Object.defineProperty(def, 'declaredAt', DECLARED_AT)
  return Object.freeze(def) as Readonly<T> & { readonly declaredAt: string | undefined }
}
