/**
 * Summary statistics of timing samples, and the formatting every report uses. Pure functions: the
 * timing itself lives in `harness.ts`.
 */

/** Summary of one series of samples, in nanoseconds. `samples` is how many there were. */
export interface Summary {
  samples: number
  p50: number
  p99: number
  min: number
  max: number
  mean: number
}

/**
 * The `q`-quantile (0..1) of ascending `sorted` values, linearly interpolated between the two
 * nearest order statistics (the "type 7" rule of R and NumPy). With few samples p99 is close to max.
 * @example quantile([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length
  if (n === 0) return Number.NaN
  if (q <= 0) return sorted[0] ?? Number.NaN
  if (q >= 1) return sorted[n - 1] ?? Number.NaN
  const h = (n - 1) * q
  const lo = Math.floor(h)
  const a = sorted[lo] ?? 0
  const b = sorted[Math.min(n - 1, lo + 1)] ?? 0
  return a + (h - lo) * (b - a)
}

/**
 * p50, p99, min, max and mean of samples (any order; the input is not modified).
 * @example summarize([3, 1, 2]) // { samples: 3, p50: 2, p99: 2.98, min: 1, max: 3, mean: 2 }
 */
export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort()
  let sum = 0
  for (const x of sorted) sum += x
  const n = sorted.length
  return {
    samples: n,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    min: n ? (sorted[0] ?? 0) : Number.NaN,
    max: n ? (sorted[n - 1] ?? 0) : Number.NaN,
    mean: n ? sum / n : Number.NaN,
  }
}

/**
 * Least-squares line `y = intercept + slope * x` through points; null with fewer than two distinct x.
 * The benchmarks use it for the marginal cost per cone asset (slope of time vs cone size).
 * @example linearFit([1, 2, 3], [3, 5, 7]) // { slope: 2, intercept: 1 }
 */
export function linearFit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } | null {
  const n = Math.min(xs.length, ys.length)
  if (n < 2) return null
  let sx = 0
  let sy = 0
  for (let i = 0; i < n; i++) {
    sx += xs[i] ?? 0
    sy += ys[i] ?? 0
  }
  const mx = sx / n
  const my = sy / n
  let sxx = 0
  let sxy = 0
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - mx
    sxx += dx * dx
    sxy += dx * ((ys[i] ?? 0) - my)
  }
  if (sxx === 0) return null
  const slope = sxy / sxx
  return { slope, intercept: my - slope * mx }
}

/**
 * A duration in nanoseconds with a unit that keeps three significant digits.
 * @example formatNs(1234) // '1.23 µs'
 * @example formatNs(2.5e9) // '2.50 s'
 */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '–'
  const abs = Math.abs(ns)
  const [value, unit] =
    abs < 1e3 ? [ns, 'ns'] : abs < 1e6 ? [ns / 1e3, 'µs'] : abs < 1e9 ? [ns / 1e6, 'ms'] : [ns / 1e9, 's']
  return `${sig3(value)} ${unit}`
}

/**
 * A ratio as `12.3×` (three significant digits; `–` when undefined).
 * @example formatRatio(41.77) // '41.8×'
 */
export function formatRatio(r: number): string {
  return Number.isFinite(r) && r > 0 ? `${sig3(r)}×` : '–'
}

/**
 * A count with thousands separators, or `1.2M`/`100k` when `short`.
 * @example formatCount(1234567) // '1,234,567'
 * @example formatCount(100000, true) // '100k'
 */
export function formatCount(n: number, short = false): string {
  if (!Number.isFinite(n)) return '–'
  if (short) {
    if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`
    if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`
  }
  return Math.round(n).toLocaleString('en-US')
}

/**
 * Bytes as `144.6 MB` (decimal units, one decimal).
 * @example formatBytes(14464511) // '14.5 MB'
 */
export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return '–'
  const abs = Math.abs(b)
  if (abs < 1e3) return `${Math.round(b)} B`
  if (abs < 1e6) return `${(b / 1e3).toFixed(1)} kB`
  if (abs < 1e9) return `${(b / 1e6).toFixed(1)} MB`
  return `${(b / 1e9).toFixed(2)} GB`
}

function sig3(x: number): string {
  const abs = Math.abs(x)
  if (abs >= 100) return x.toFixed(0)
  if (abs >= 10) return x.toFixed(1)
  return x.toFixed(2)
}
