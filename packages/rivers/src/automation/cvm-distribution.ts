/**
 * The limiting distribution of the Cramér–von Mises statistic, as SciPy's
 * `scipy.stats._hypotests._cdf_cvm_inf` computes it (Csörgő and Faraway 1996, eq. 1.2/1.3): a series
 * in k of Γ(k+½)/Γ(k+1) · √(4k+1) · e^(−q) · K_¼(q) / (π^1.5 √x), q = (4k+1)²/(16x), summed until a
 * term falls below 1e-7 (SciPy's rule). K_¼ (modified Bessel function of the second kind) is
 * computed from its integral ∫₀^∞ e^(−q cosh t) cosh(t/4) dt by the trapezoidal rule, which
 * converges geometrically for this analytic, doubly exponentially decaying integrand.
 */

const STEP = 0.02

/** e^(−q) · K_¼(q) · e^(−q), i.e. K_¼(q) scaled by e^(−2q), for q > 0. */
function besselK14TimesExp2(q: number): number {
  // ∫ e^(−q (cosh t − 1)) cosh(t/4) dt, times e^(−2q) afterwards.
  let sum = 0.5
  for (let i = 1; ; i++) {
    const t = i * STEP
    const e = q * (Math.cosh(t) - 1)
    if (e > 745) break
    sum += Math.exp(-e) * Math.cosh(t / 4)
  }
  return sum * STEP * Math.exp(-2 * q)
}

/**
 * CDF of the limiting one-sample Cramér–von Mises distribution at x (as SciPy's `_cdf_cvm_inf`).
 *
 * @example
 * const p = 1 - cvmLimitCdf(0.4614) // ≈ 0.05
 */
export function cvmLimitCdf(x: number): number {
  let total = 0
  let ratio = Math.sqrt(Math.PI) // Γ(k + 1/2) / Γ(k + 1) at k = 0
  const scale = Math.PI ** 1.5 * Math.sqrt(x)
  for (let k = 0; k < 1000; k++) {
    const y = 4 * k + 1
    const q = (y * y) / (16 * x)
    const term = (ratio / scale) * Math.sqrt(y) * besselK14TimesExp2(q)
    total += term
    if (Math.abs(term) < 1e-7) break
    ratio *= (k + 0.5) / (k + 1)
  }
  return total
}
