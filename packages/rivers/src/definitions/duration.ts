/** Durations given as milliseconds or as a string such as `'250ms'`, `'30s'`, `'5m'`, `'2h'`, `'1d'`. */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/

/**
 * A duration: a number of milliseconds, or a number followed by `ms`, `s`, `m`, `h` or `d`.
 *
 * @example
 * const timeout: Duration = '5m'
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}` | `${number} ${'ms' | 's' | 'm' | 'h' | 'd'}`

/**
 * Milliseconds of a duration, or `undefined` when it is not a valid, positive, finite duration.
 *
 * @example
 * parseDuration('30s') // 30000
 * parseDuration(1500)  // 1500
 * parseDuration('soon') // undefined
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const match = DURATION.exec(value.trim())
  if (!match) return undefined
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
  return Number.isFinite(ms) ? ms : undefined
}
