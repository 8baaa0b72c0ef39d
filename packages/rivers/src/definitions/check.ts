/** Asset checks: functions run on an asset's value after it is materialized. */
import type { CheckContext } from './context.js'

/**
 * What a check returns: a boolean, or an object with a message and metadata for the record.
 *
 * @example
 * const outcome: CheckOutcome = { passed: false, message: '3 rows have a negative amount', metadata: { bad: 3 } }
 */
export type CheckOutcome = boolean | { passed: boolean; message?: string; metadata?: Record<string, unknown> }

/**
 * A check of an asset's value. A failed **blocking** check fails the asset (its downstream assets are
 * skipped with reason `check_failed`); a non-blocking one is only recorded. Default: non-blocking.
 *
 * @example
 * const positive: AssetCheck<number[]> = { name: 'positive', blocking: true, fn: (xs) => xs.every((x) => x > 0) }
 */
export interface AssetCheck<T = unknown> {
  /** Unique among the asset's checks; `[A-Za-z0-9_.-]+`. */
  readonly name: string
  /** Whether a failure fails the asset (default `false`). */
  readonly blocking?: boolean
  /** Shown by `assets list` and `assets show`. */
  readonly description?: string
  /** The check itself; it may throw, which counts as a failure of the check. */
  fn(value: T, ctx: CheckContext): CheckOutcome | Promise<CheckOutcome>
}

/**
 * A check as definitions store it: `blocking` resolved.
 *
 * @example
 * const stored: NormalizedCheck = { name: 'ok', blocking: false, description: undefined, fn: () => true }
 */
export interface NormalizedCheck {
  readonly name: string
  readonly blocking: boolean
  readonly description: string | undefined
  readonly fn: (value: any, ctx: CheckContext) => CheckOutcome | Promise<CheckOutcome>
}

/**
 * Build a check. Annotate the value parameter (or pass `T`) to type it: TypeScript cannot infer a
 * check's value type from the asset function, which comes later in `asset(spec, fn)`.
 *
 * @example
 * const rows = asset({
 *   key: 'rows',
 *   checks: [check('non_empty', (xs: number[]) => xs.length > 0, { blocking: true })],
 * }, () => [1, 2, 3])
 */
export function check<T>(
  name: string,
  fn: (value: T, ctx: CheckContext) => CheckOutcome | Promise<CheckOutcome>,
  options: { blocking?: boolean; description?: string } = {},
): AssetCheck<T> {
  const out: AssetCheck<T> = { name, fn, ...(options.blocking === undefined ? {} : { blocking: options.blocking }) }
  return options.description === undefined ? out : { ...out, description: options.description }
}
