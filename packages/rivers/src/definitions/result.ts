/**
 * `result(value, extras)`: what an asset function returns when it has metadata or its own data
 * version to report along with its value. Consumers receive `value`; types unwrap it.
 */
import { invalidResult } from './errors.js'

const RESULT: unique symbol = Symbol.for('rivers.result')

/**
 * Extras an asset reports with its value.
 *
 * @example
 * const extras: ResultExtras = { metadata: { rows: 120 }, dataVersion: 'snapshot-42' }
 */
export interface ResultExtras {
  /** Merged into the materialization record's metadata. */
  metadata?: Record<string, unknown>
  /** The asset's own data version (e.g. a table snapshot id), used instead of the content hash. */
  dataVersion?: string
}

/**
 * A value wrapped with extras; built by `result()`.
 *
 * @example
 * const r: AssetResult<number[]> = result([1, 2], { metadata: { n: 2 } })
 */
export interface AssetResult<V> {
  readonly [RESULT]: true
  readonly value: V
  readonly metadata: Readonly<Record<string, unknown>> | undefined
  readonly dataVersion: string | undefined
}

/**
 * The value type consumers receive from a function returning `R`: awaited, and unwrapped from
 * `result()` (each member of a union separately).
 *
 * @example
 * type T = OutputOf<Promise<AssetResult<number[]> | string>> // number[] | string
 */
export type OutputOf<R> = UnwrapResult<Awaited<R>>
type UnwrapResult<X> = X extends AssetResult<infer V> ? V : X

/**
 * Wrap an asset's value with metadata and/or its own data version.
 *
 * @example
 * const orders = asset({ key: 'orders' }, async () => {
 *   const rows = [{ id: 1 }]
 *   return result(rows, { metadata: { rows: rows.length }, dataVersion: 'orders@2026-11-26' })
 * })
 */
export function result<V>(value: V, extras: ResultExtras = {}): AssetResult<V> {
  const { metadata, dataVersion } = extras
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
    throw invalidResult('`metadata` must be a plain object')
  }
  if (dataVersion !== undefined && (typeof dataVersion !== 'string' || dataVersion.length === 0)) {
    throw invalidResult('`dataVersion` must be a non-empty string')
  }
  return Object.freeze({ [RESULT]: true as const, value, metadata, dataVersion })
}

/**
 * Whether a value was built by `result()` (also by another copy of this module).
 *
 * @example
 * isResult(result(1)) // true
 * isResult({ value: 1 }) // false
 */
export function isResult(x: unknown): x is AssetResult<unknown> {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[RESULT] === true
}

/**
 * Split what an asset function returned into value and extras (plain values have no extras).
 *
 * @example
 * unwrapResult(result(3, { dataVersion: 'v3' })) // { value: 3, metadata: undefined, dataVersion: 'v3' }
 * unwrapResult(3) // { value: 3, metadata: undefined, dataVersion: undefined }
 */
export function unwrapResult(returned: unknown): {
  value: unknown
  metadata: Readonly<Record<string, unknown>> | undefined
  dataVersion: string | undefined
} {
  if (isResult(returned))
    return { value: returned.value, metadata: returned.metadata, dataVersion: returned.dataVersion }
  return { value: returned, metadata: undefined, dataVersion: undefined }
}
