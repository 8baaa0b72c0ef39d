/** Retry policies of assets and projects, and the delay before each retry. */
import { parseDuration, type Duration } from './duration.js'

/**
 * How an asset is retried when its function throws.
 *
 * @example
 * const policy: RetryPolicy = { maxRetries: 3, delay: '10s', backoff: 'exponential', jitter: 0.2 }
 */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = no retry). */
  maxRetries: number
  /** Base delay before a retry (default 0). */
  delay?: Duration
  /** How the delay grows with each retry (default `'fixed'`). */
  backoff?: 'exponential' | 'linear' | 'fixed'
  /** Random share of the delay taken off, 0–1; `true` means 1 ("full jitter"); default none. */
  jitter?: boolean | number
  /** Decides whether an error is worth retrying (default: every error). */
  retryOn?: (error: unknown, attempt: number) => boolean
}

/**
 * A retry policy with units resolved and defaults filled in; what definitions store.
 *
 * @example
 * const n: NormalizedRetry = { maxRetries: 2, delayMs: 1000, backoff: 'fixed', jitter: 0, retryOn: undefined }
 */
export interface NormalizedRetry {
  readonly maxRetries: number
  readonly delayMs: number
  readonly backoff: 'exponential' | 'linear' | 'fixed'
  readonly jitter: number
  readonly retryOn: ((error: unknown, attempt: number) => boolean) | undefined
}

/**
 * Milliseconds to wait before retry number `retry` (1 for the first retry). `random` returns a
 * number in [0, 1) and is only used when the policy has jitter.
 *
 * @example
 * retryDelayMs({ maxRetries: 3, delayMs: 100, backoff: 'exponential', jitter: 0, retryOn: undefined }, 3) // 400
 */
export function retryDelayMs(policy: NormalizedRetry, retry: number, random: () => number = Math.random): number {
  const n = Math.max(1, retry)
  const base =
    policy.backoff === 'exponential'
      ? policy.delayMs * 2 ** (n - 1)
      : policy.backoff === 'linear'
        ? policy.delayMs * n
        : policy.delayMs
  return policy.jitter > 0 ? base * (1 - policy.jitter * random()) : base
}

/**
 * Resolve units and defaults of a validated retry policy.
 *
 * @example
 * normalizeRetry({ maxRetries: 2, delay: '1s', jitter: true }) // { maxRetries: 2, delayMs: 1000, backoff: 'fixed', jitter: 1, retryOn: undefined }
 */
export function normalizeRetry(policy: RetryPolicy): NormalizedRetry {
  const jitter = policy.jitter === true ? 1 : policy.jitter === false || policy.jitter === undefined ? 0 : policy.jitter
  return Object.freeze({
    maxRetries: policy.maxRetries,
    delayMs: parseDuration(policy.delay ?? 0) ?? 0,
    backoff: policy.backoff ?? 'fixed',
    jitter,
    retryOn: policy.retryOn,
  })
}
