/**
 * The survival function of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, as SciPy's
 * `scipy.stats.kstwo.sf(x, n)` computes it (scipy/stats/_ksstats.py `_kolmogn`, after Simard and
 * L'Ecuyer 2011): Ruben–Gambino closed forms at the ends, the Durbin matrix (Marsaglia–Tsang–Wang)
 * and Pomeranz recursions for small n·x², Pelz–Good's asymptotic series, and twice the exact
 * one-sided Smirnov tail (Birnbaum–Tingey sum, cephes `smirnov`) for large n·x². `ks_2samp(…,
 * method='asymp')` evaluates it at n = round(n1·n2 / (n1 + n2)).
 *
 * Ported to plain double precision (cephes sums the Smirnov series in double-double); agreement
 * with SciPy is checked to 1e-6 by stats.reference.test.ts.
 */

const E128 = 2 ** 128
const EM128 = 2 ** -128
const SQRT2PI = Math.sqrt(2 * Math.PI)
const LOG_2PI = Math.log(2 * Math.PI)
const PI2 = Math.PI ** 2
const PI4 = Math.PI ** 4
const PI6 = Math.PI ** 6
/** cephes MINLOG: log of the smallest subnormal double. */
const MINLOG = -745.1332191019412
const STIRLING = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417, -0.0005952380952380953,
  0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
]

const clip = (p: number): number => Math.min(1, Math.max(0, p))

function logFactorialOverPower(n: number): number {
  const rn = 1 / n
  let poly = 0
  for (const c of STIRLING) poly = poly * (rn / n) + c
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly
}

/** Pr(D+_n > x), the exact one-sided tail (cephes `smirnov`), in double precision. */
export function smirnovSf(n: number, x: number): number {
  if (n === 1) return 1 - x
  if (x <= 0) return 1
  if (x >= 1) return 0
  const nx = n * x
  let nxfl = Math.floor(nx)
  let alpha = nx - nxfl
  if (alpha >= 1) {
    nxfl += 1
    alpha = 0
  }
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1)
  let n1mxceil = n - nxfl
  if (alpha === 0) {
    n1mxfl -= 1
    n1mxceil += 1
  }
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) return clip(1 - x * (1 + x) ** (n - 1))
  if (-2 * n * x * x < MINLOG) return 0
  if (nxfl >= n - 1) return clip((1 - x) ** n)
  if (n > 1_000_000) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n
    return clip(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp))
  }
  const upperTerms = n - n1mxceil + 1
  const upper = (upperTerms <= 1 && x < 0.5) || (n >= 10 && upperTerms <= 3 && x <= 0.5 / Math.sqrt(n))
  const start = upper ? n : 0
  const step = upper ? -1 : 1
  const nTerms = upper ? n - n1mxceil + 1 : n1mxfl + 1
  // A_v = C(n, v) (1 - x - v/n)^(n - v) (x + v/n)^(v - 1), summed in v from `start`.
  let sum = upper ? (1 + x) ** (n - 1) : (1 - x) ** n / x
  let logC = Math.log(n) // log C(n, j) at step j (C(n, n - j) in the upper sum)
  const vmid = Math.floor(n / 2)
  for (let j = 1; j < nTerms; j++) {
    const v = start + j * step
    const a = (n - v) / n - x
    const b = v / n + x
    const logA = logC + (n - v) * Math.log(a) + (v - 1) * Math.log(b)
    const A = a <= 0 ? 0 : Math.exp(logA)
    if (Number.isFinite(A) && A !== 0) sum += A
    if (A !== 0) {
      if (4 * (nTerms - j) * Math.abs(A) < Number.EPSILON * sum && j !== nTerms - 1) break
    } else if (j > vmid) break
    logC += Math.log((n - j) / (j + 1))
  }
  const prob = x * sum
  return clip(upper ? 1 - prob : prob)
}

/** Durbin's matrix algorithm as Marsaglia, Tsang and Wang compute it: Pr(D_n <= d). */
function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1
  const nd = n * d
  if (nd <= 0.5) return 0
  const k = Math.ceil(nd)
  const h = k - nd
  const m = 2 * k - 1
  let H: Float64Array = new Float64Array(m * m)
  const v = new Float64Array(m)
  const w = new Float64Array(m)
  let fac = 1
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac
    fac /= j
    v[j - 1] = (1 - h ** j) * fac
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m
  v[m - 1] = (1 + tt) * fac
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)] as number
  for (let r = 0; r < m; r++) H[r * m] = v[r] as number
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c] as number
  let P: Float64Array = new Float64Array(m * m)
  for (let i = 0; i < m; i++) P[i * m + i] = 1
  let nn = n
  let expnt = 0
  let hExpnt = 0
  const mul = (A: Float64Array, B: Float64Array): Float64Array => {
    const C = new Float64Array(m * m)
    for (let i = 0; i < m; i++)
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l] as number
        if (a === 0) continue
        const bo = l * m
        const co = i * m
        for (let j = 0; j < m; j++) C[co + j] = (C[co + j] as number) + a * (B[bo + j] as number)
      }
    return C
  }
  while (nn > 0) {
    if (nn % 2) {
      P = mul(P, H)
      expnt += hExpnt
    }
    H = mul(H, H)
    hExpnt *= 2
    if (Math.abs(H[(k - 1) * m + (k - 1)] as number) > E128) {
      for (let i = 0; i < H.length; i++) H[i] = (H[i] as number) / E128
      hExpnt += 128
    }
    nn = Math.floor(nn / 2)
  }
  let p = P[(k - 1) * m + (k - 1)] as number
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n
    if (Math.abs(p) < EM128) {
      p *= E128
      expnt -= 128
    }
  }
  if (expnt !== 0) p *= 2 ** expnt
  return clip(p)
}

function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number
  let j2: number
  if (i === 0) {
    j1 = -ll - ceilf - 1
    j2 = ll + ceilf - 1
  } else {
    const half = Math.floor((i + 1) / 2)
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1
        j2 = n + ll + ceilf - 1
      } else {
        j1 = half - 1 - ll - roundf - 1
        j2 = half + ll - 1 + ceilf - 1
      }
    } else {
      j1 = half - 1 - ll - 1
      j2 = half + ll + roundf - 1
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)]
}

/** Pomeranz's recursion: Pr(D_n <= x). */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x
  const ll = Math.floor(t)
  const f = t - ll
  const g = Math.min(f, 1 - f)
  const ceilf = f > 0 ? 1 : 0
  const roundf = f > 0.5 ? 1 : 0
  const npwrs = 2 * (ll + 1)
  const gpower = new Float64Array(npwrs)
  const twogpower = new Float64Array(npwrs)
  const onem2gpower = new Float64Array(npwrs)
  gpower[0] = twogpower[0] = onem2gpower[0] = 1
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = ((gpower[m - 1] as number) * (g / n)) / m
    twogpower[m] = ((twogpower[m - 1] as number) * ((2 * g) / n)) / m
    onem2gpower[m] = ((onem2gpower[m - 1] as number) * ((1 - 2 * g) / n)) / m
  }
  let V0 = new Float64Array(npwrs)
  let V1 = new Float64Array(npwrs)
  V1[0] = 1
  let V0s = 0
  let V1s = 0
  let expnt = 0
  let [j1, j2] = pomeranzBounds(0, n, ll, ceilf, roundf)
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1
    ;[V0, V1] = [V1, V0]
    ;[V0s, V1s] = [V1s, V0s]
    V1.fill(0)
    ;[j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf)
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower
    const ln2 = j2 - k1 + 1
    if (ln2 > 0) {
      const off = k1 - V0s
      const convStart = j1 - k1
      const convLen = j2 - j1 + 1
      let max = 0
      for (let c = 0; c < convLen; c++) {
        const kk = convStart + c // index into the full convolution of V0[off..off+ln2) and pwrs[0..ln2)
        let s = 0
        for (let a = Math.max(0, kk - ln2 + 1); a <= Math.min(kk, ln2 - 1); a++)
          s += (V0[off + a] ?? 0) * (pwrs[kk - a] as number)
        V1[c] = s
        if (s > max) max = s
      }
      if (max > 0 && max < EM128) {
        for (let c = 0; c < V1.length; c++) V1[c] = (V1[c] as number) * E128
        expnt -= 128
      }
      V1s = V0s + j1 - k1
    }
  }
  let ans = V1[n - V1s] as number
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > E128) {
      ans *= EM128
      expnt += 128
    }
    ans *= m
  }
  if (expnt !== 0) ans *= 2 ** expnt
  return clip(ans)
}

/** Pelz and Good's approximation of Pr(D_n <= x). */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const z = Math.sqrt(n) * x
  const z2 = z * z
  const z3 = z2 * z
  const z4 = z2 * z2
  const z6 = z4 * z2
  const qlog = -PI2 / 8 / z2
  if (qlog < -708) return 0
  let q = Math.exp(qlog)
  const k1a = -z2
  const k1b = PI2 / 4
  const k2a = 6 * z6 + 2 * z4
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4
  const k2c = (PI4 * (1 - 2 * z2)) / 16
  const k3d = (PI6 * (5 - 30 * z2)) / 64
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4
  const k3a = -30 * z6 - 90 * z ** 8
  const K = [0, 0, 0, 0]
  const maxk = Math.ceil((16 * z) / Math.PI)
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1
    const m2 = m * m
    const m4 = m2 * m2
    const m6 = m4 * m2
    const qp = q ** (8 * k)
    const c = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
    for (let i = 0; i < 4; i++) K[i] = (K[i] as number) * qp + (c[i] as number)
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10]
  for (let i = 0; i < 4; i++) K[i] = ((K[i] as number) * q * SQRT2PI) / (div[i] as number)
  q = Math.exp(-PI2 / 2 / z2)
  let k2extra = 0
  let k3extra = 0
  const sqrt3z = Math.sqrt(3) * z
  for (let k = maxk; k > 0; k--) {
    const qk = q ** (k * k)
    k2extra += k * k * qk
    k3extra += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * k * k * qk
  }
  K[2] = (K[2] as number) + (k2extra * PI2 * SQRT2PI) / (-36 * z3)
  K[3] = (K[3] as number) + (k3extra * PI2 * SQRT2PI) / (216 * z6)
  let sum = 0
  for (let i = 0; i < 4; i++) sum += (K[i] as number) / n ** (i / 2)
  return sum
}

/**
 * Pr(D_n > x) for the two-sided one-sample Kolmogorov–Smirnov statistic, as SciPy's
 * `kstwo.sf(x, n)`.
 *
 * @example
 * const p = kolmogorovSf(50, 0.2) // ≈ 0.0321
 */
export function kolmogorovSf(n: number, x: number): number {
  if (x >= 1) return 0
  if (x <= 0) return 1
  const t = n * x
  if (t <= 1) {
    if (t <= 0.5) return 1
    let prob: number
    if (n <= 140) {
      prob = 1
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1)
    } else prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1))
    return clip(1 - prob)
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n)
  if (x >= 0.5) return clip(2 * smirnovSf(n, x))
  const nx2 = t * x
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip(1 - durbinCdf(n, x))
    if (nx2 <= 4) return clip(1 - pomeranzCdf(n, x))
    return clip(2 * smirnovSf(n, x))
  }
  if (nx2 >= 370) return 0
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x))
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x)
  return clip(1 - cdf)
}
