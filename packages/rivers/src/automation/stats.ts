/**
 * Two-sample tests for drift conditions: Kolmogorov–Smirnov and Cramér–von Mises on 1-d samples (as
 * SciPy computes them, checked against SciPy in CI by stats.reference.test.ts), and the maximum
 * mean discrepancy (MMD) with a Gaussian kernel on vectors.
 *
 * Cost: KS and CvM copy each sample into a Float64Array, sort it (radix sort, linear) and make one
 * merge pass: 11–16 ms (p50) for 2 × 100k values on the shared 2-core development machine under
 * a load of 5–7, most of it the two sorts. MMD is quadratic: it works on at most 2,000 points
 * per side (evenly spaced, so the same data give the same answer), builds the pooled kernel matrix
 * once (Float32, upper triangle) and evaluates each permutation against it.
 */
import { invalidSample, invalidTestOption } from './errors.js'
import { mulberry32 } from './random.js'
import { cvmLimitCdf } from './cvm-distribution.js'
import { kolmogorovSf } from './ks-distribution.js'
import { sortFloat64 } from './radix-sort.js'

/**
 * What a two-sample test returns: its statistic and the p-value of "both samples come from the same
 * distribution".
 *
 * @example
 * const r: TestResult = ksTest([1, 2, 3], [4, 5, 6])
 * if (r.pValue < 0.05) console.log(`drift: D=${r.statistic}`)
 */
export interface TestResult {
  statistic: number
  pValue: number
}

const NON_FINITE = 'drop or impute missing and non-finite values before the test'
const RAGGED = 'give every row the same columns, in the same order, in both samples'

function sortedCopy(test: string, side: 'a' | 'b', x: ArrayLike<number>, min: number): Float64Array {
  const n = x?.length ?? 0
  if (n < min)
    throw invalidSample(
      test,
      side,
      n === 0 ? 'it is empty' : `it has ${n} value(s), the test needs at least ${min}`,
      `pass at least ${min === 1 ? '1 value' : `${min} values`} per sample`,
    )
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const v = x[i] as number
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw invalidSample(test, side, `value ${String(v)} (index ${i}) is not a finite number`, NON_FINITE)
    out[i] = v
  }
  return sortFloat64(out)
}

/** Round half to even, as NumPy's `np.round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/**
 * max and min of F_x − F_y over the pooled values of two sorted samples, in one merge pass: each step
 * takes the smaller head (both when equal) without a data-dependent branch. After each step
 * F_x − F_y = (i·n2 − j·n1) / (n1·n2): an exact integer numerator, divided out at the end. The
 * statistic counts only the points after a distinct value; the points inside a run of equal values
 * of one sample lie between the points before and after the run, so they change neither extreme.
 * Only a value found in both samples can put a point outside them: then the exact pass does it again.
 */
function cdfExtremes(x: Float64Array, y: Float64Array): { max: number; min: number } {
  const n1 = x.length
  const n2 = y.length
  let i = 0
  let j = 0
  let hi = 0
  let lo = 0
  let shared = 0
  while (i < n1 && j < n2) {
    const u = x[i] as number
    const v = y[j] as number
    const a = +(u <= v)
    const b = +(v <= u)
    shared |= a & b
    i += a
    j += b
    const diff = i * n2 - j * n1
    hi = Math.max(hi, diff)
    lo = Math.min(lo, diff)
  }
  // One sample is used up: the difference only moves back to 0 (where it ends), no new extreme.
  if (shared) return cdfExtremesWithTies(x, y)
  return { max: hi / (n1 * n2), min: lo / (n1 * n2) }
}

/** {@link cdfExtremes} when a value occurs in both samples: a point counts once that value's ties are all consumed. */
function cdfExtremesWithTies(x: Float64Array, y: Float64Array): { max: number; min: number } {
  const n1 = x.length
  const n2 = y.length
  let i = 0
  let j = 0
  let hi = 0
  let lo = 0
  let last = Number.NEGATIVE_INFINITY
  let diff = 0
  while (i < n1 && j < n2) {
    const u = x[i] as number
    const v = y[j] as number
    // The next heads differ from the last value taken: its ties (which come next) are all consumed.
    if (u !== last && v !== last) {
      hi = Math.max(hi, diff)
      lo = Math.min(lo, diff)
    }
    i += +(u <= v)
    j += +(v <= u)
    last = Math.min(u, v)
    diff = i * n2 - j * n1
  }
  // One sample is used up: take the rest of the last value's ties; after them no new extreme.
  while (i < n1 && x[i] === last) i++
  while (j < n2 && y[j] === last) j++
  diff = i * n2 - j * n1
  return { max: Math.max(hi, diff) / (n1 * n2), min: Math.min(lo, diff) / (n1 * n2) }
}

/**
 * Two-sample Kolmogorov–Smirnov test (two-sided), as `scipy.stats.ks_2samp(a, b, method='asymp')`
 * (what its default `method='auto'` uses once a sample has over 10,000 values):
 * D = max |F_a − F_b| over the pooled values, p-value from the exact one-sample distribution of D
 * at n = round(n_a·n_b / (n_a + n_b)) (SciPy's `kstwo.sf`). Throws a `RiversError` for an empty
 * sample or a value that is not a finite number.
 *
 * @example
 * const { statistic, pValue } = ksTest([0.1, 0.4, 0.9, 1.3], [2.2, 2.5, 3.1, 3.4])
 */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>): TestResult {
  const x = sortedCopy('ks', 'a', a, 1)
  const y = sortedCopy('ks', 'b', b, 1)
  const n1 = x.length
  const n2 = y.length
  const { max, min } = cdfExtremes(x, y)
  const minS = Math.min(1, Math.max(0, -min))
  const d = Math.max(minS, max)
  const m = Math.max(n1, n2)
  const n = Math.min(n1, n2)
  const pValue = Math.min(1, Math.max(0, kolmogorovSf(roundHalfEven((m * n) / (m + n)), d)))
  return { statistic: d, pValue }
}

/**
 * Two-sample Cramér–von Mises test, as `scipy.stats.cramervonmises_2samp(a, b, method='asymptotic')`:
 * T from the midranks of the pooled sample (Anderson 1962), normalised by its mean and variance and
 * referred to the limiting one-sample distribution. Each sample needs at least 2 finite values.
 *
 * @example
 * const { statistic, pValue } = cvmTest([0.1, 0.4, 0.9, 1.3, 1.7], [0.2, 2.5, 3.1, 3.4, 4.0])
 */
export function cvmTest(a: ArrayLike<number>, b: ArrayLike<number>): TestResult {
  const x = sortedCopy('cvm', 'a', a, 2)
  const y = sortedCopy('cvm', 'b', b, 2)
  const nx = x.length
  const ny = y.length
  let i = 0
  let j = 0
  let pos = 1
  let sx = 0
  let sy = 0
  while (i < nx || j < ny) {
    const v = j >= ny || (i < nx && (x[i] as number) <= (y[j] as number)) ? (x[i] as number) : (y[j] as number)
    const i0 = i
    const j0 = j
    while (i < nx && x[i] === v) i++
    while (j < ny && y[j] === v) j++
    const rank = pos + (i - i0 + j - j0 - 1) / 2 // midrank of the tie group
    for (let k = i0 + 1; k <= i; k++) sx += (rank - k) ** 2
    for (let k = j0 + 1; k <= j; k++) sy += (rank - k) ** 2
    pos += i - i0 + j - j0
  }
  const u = nx * sx + ny * sy
  const k = nx * ny
  const N = nx + ny
  const t = u / (k * N) - (4 * k - 1) / (6 * N)
  const et = (1 + 1 / N) / 6
  const vt = ((N + 1) * (4 * k * N - 3 * (nx * nx + ny * ny) - 2 * k)) / (45 * N * N * 4 * k)
  const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt)
  const pValue = tn >= 0.003 ? Math.max(1 - cvmLimitCdf(tn), 0) : 1
  return { statistic: t, pValue }
}

// ---- MMD ---------------------------------------------------------------------------------------

/** A sample for MMD: rows of equal length (vectors), or plain numbers (1-d). */
export type Sample = readonly (readonly number[])[] | ArrayLike<number>

/** Points used at most per side, and for the median heuristic. */
const MAX_POINTS = 2000
const MAX_HEURISTIC_POINTS = 1000

/** Evenly spaced indices floor(i·n/k), i < k: the same points for the same data. */
function spread(n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i)
  return Array.from({ length: k }, (_, i) => Math.floor((i * n) / k))
}

/** Flat row-major copy of (at most MAX_POINTS evenly spaced) rows, and the dimension. */
function points(side: 'a' | 'b', s: Sample): { data: Float64Array; n: number; dim: number } {
  const rows = s?.length ?? 0
  if (rows === 0) throw invalidSample('mmd', side, 'it is empty', 'pass at least 1 value per sample')
  const first = (s as ArrayLike<unknown>)[0]
  const dim = Array.isArray(first) ? first.length : 1
  if (dim === 0) throw invalidSample('mmd', side, 'row 0 has no values', RAGGED)
  const pick = spread(rows, MAX_POINTS)
  const data = new Float64Array(pick.length * dim)
  pick.forEach((r, p) => {
    const row = (s as ArrayLike<unknown>)[r]
    const values: ArrayLike<unknown> = dim === 1 && !Array.isArray(row) ? [row] : (row as ArrayLike<unknown>)
    if (!Array.isArray(row) && dim !== 1) throw invalidSample('mmd', side, `row ${r} is not an array`, RAGGED)
    if (values.length !== dim)
      throw invalidSample('mmd', side, `row ${r} has ${values.length} values, row 0 has ${dim}`, RAGGED)
    for (let c = 0; c < dim; c++) {
      const v = values[c]
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw invalidSample(
          'mmd',
          side,
          `value ${String(v)} (row ${r}, column ${c}) is not a finite number`,
          NON_FINITE,
        )
      data[p * dim + c] = v
    }
  })
  return { data, n: pick.length, dim }
}

function sqDist(x: Float64Array, i: number, j: number, dim: number): number {
  let s = 0
  for (let c = 0; c < dim; c++) {
    const d = (x[i * dim + c] as number) - (x[j * dim + c] as number)
    s += d * d
  }
  return s
}

/** Median pairwise Euclidean distance over at most 1,000 evenly spaced pooled points (NumPy's median). */
function medianHeuristic(pooled: Float64Array, n: number, dim: number): number {
  const pick = spread(n, MAX_HEURISTIC_POINTS)
  const d = new Float64Array((pick.length * (pick.length - 1)) / 2)
  let k = 0
  for (let i = 0; i < pick.length; i++)
    for (let j = i + 1; j < pick.length; j++)
      d[k++] = Math.sqrt(sqDist(pooled, pick[i] as number, pick[j] as number, dim))
  if (d.length === 0) return 1
  d.sort()
  const mid = d.length >> 1
  const median = d.length % 2 ? (d[mid] as number) : ((d[mid - 1] as number) + (d[mid] as number)) / 2
  if (median > 0) return median
  // Over half the pairs coincide: the mean of the non-zero distances, or 1 when all points are equal.
  let sum = 0
  let count = 0
  for (const v of d)
    if (v > 0) {
      sum += v
      count++
    }
  return count === 0 ? 1 : sum / count
}

/** w' K w for the symmetric kernel matrix stored as its strict upper triangle (diagonal = 1). */
function quadratic(K: Float32Array, w: Float64Array): number {
  const N = w.length
  let total = 0
  let idx = 0
  for (let i = 0; i < N; i++) {
    let acc = 0
    for (let j = i + 1; j < N; j++) acc += (w[j] as number) * (K[idx++] as number)
    const wi = w[i] as number
    total += wi * (wi + 2 * acc)
  }
  return total
}

/**
 * Squared maximum mean discrepancy with a Gaussian (RBF) kernel exp(−‖x−y‖² / (2σ²)), biased
 * (V-statistic) estimator: mean k(a,a′) + mean k(b,b′) − 2 mean k(a,b), diagonals included. Rows
 * are samples (`number[]` = 1-d samples). Bandwidth σ: `bandwidth`, else the median heuristic (the
 * median pairwise distance over at most 1,000 evenly spaced points of the pooled sample; the mean
 * non-zero distance if that median is 0). Statistic and p-value use at most 2,000 evenly spaced
 * points per side. p-value: permutation test, `permutations` (default 200) random relabellings of
 * the pooled points drawn with the mulberry32 PRNG seeded by `seed` (default 0), p = (1 + #{MMD²_perm
 * ≥ MMD²}) / (1 + permutations). Cost: O((n+m)²) per permutation (2 × 2k points, 200 permutations:
 * seconds); `permutations: 0` computes the statistic alone (one pass, no kernel matrix kept) and
 * returns `pValue: NaN` (not computed), for conditions that compare the statistic to a threshold.
 *
 * @example
 * const r = mmdTest([[0, 0], [0.1, 0.2], [0.3, 0.1]], [[2, 2], [2.1, 1.9], [1.8, 2.2]], { permutations: 100 })
 * console.log(r.statistic, r.pValue, r.bandwidth)
 */
export function mmdTest(
  a: Sample,
  b: Sample,
  opts: { bandwidth?: number; permutations?: number; seed?: number } = {},
): TestResult & { bandwidth: number } {
  const A = points('a', a)
  const B = points('b', b)
  if (A.dim !== B.dim)
    throw invalidSample('mmd', 'b', `its rows have ${B.dim} values, those of sample a ${A.dim}`, RAGGED)
  const permutations = opts.permutations ?? 200
  if (!Number.isInteger(permutations) || permutations < 0)
    throw invalidTestOption('mmd', 'permutations', opts.permutations, 'an integer >= 0 (0: no p-value)')
  const seed = opts.seed ?? 0
  if (!Number.isInteger(seed)) throw invalidTestOption('mmd', 'seed', opts.seed, 'an integer')
  const dim = A.dim
  const N = A.n + B.n
  const pooled = new Float64Array(N * dim)
  pooled.set(A.data)
  pooled.set(B.data, A.n * dim)
  let bandwidth: number
  if (opts.bandwidth === undefined) bandwidth = medianHeuristic(pooled, N, dim)
  else if (typeof opts.bandwidth === 'number' && Number.isFinite(opts.bandwidth) && opts.bandwidth > 0)
    bandwidth = opts.bandwidth
  else throw invalidTestOption('mmd', 'bandwidth', opts.bandwidth, 'a positive finite number')
  const gamma = 1 / (2 * bandwidth * bandwidth)
  // The kernel matrix (strict upper triangle, Float32) and the exact statistic in Float64.
  const K = permutations === 0 ? undefined : new Float32Array((N * (N - 1)) / 2)
  // Row i, columns (i, N): the pairs of a with a, then a with b (i < n_a), or b with b.
  let aa = A.n
  let bb = B.n
  let ab = 0
  let idx = 0
  for (let i = 0; i < N; i++) {
    const split = i < A.n ? A.n : i + 1
    let same = 0
    let cross = 0
    for (let j = i + 1; j < N; j++) {
      let d2: number
      if (dim === 1) {
        const d = (pooled[i] as number) - (pooled[j] as number)
        d2 = d * d
      } else d2 = sqDist(pooled, i, j, dim)
      const k = Math.exp(-gamma * d2)
      if (K !== undefined) K[idx++] = k
      if (j < split) same += k
      else cross += k
    }
    if (i < A.n) {
      aa += 2 * same
      ab += cross
    } else bb += 2 * cross
  }
  const statistic = aa / (A.n * A.n) + bb / (B.n * B.n) - (2 * ab) / (A.n * B.n)
  if (K === undefined) return { statistic, pValue: Number.NaN, bandwidth }
  const w = new Float64Array(N)
  for (let i = 0; i < N; i++) w[i] = i < A.n ? 1 / A.n : -1 / B.n
  const observed = quadratic(K, w)
  const random = mulberry32(seed)
  let atLeast = 0
  for (let p = 0; p < permutations; p++) {
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      const t = w[i] as number
      w[i] = w[j] as number
      w[j] = t
    }
    if (quadratic(K, w) >= observed * (1 - 1e-6)) atLeast++
  }
  return { statistic, pValue: (1 + atLeast) / (1 + permutations), bandwidth }
}
