/**
 * Kubernetes resource quantities (`'500m'`, `'16Gi'`, `'1e9'`, `'2'`) as numbers, for comparing a
 * request with what nodes can allocate.
 */
/** Suffixes of fractions: divided by, so that '3800m' is exactly 3.8. */
const DIVISOR: Record<string, number> = { n: 1e9, u: 1e6, m: 1e3 }
const SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
}

/**
 * A quantity as a number (cores for cpu, bytes for memory), or undefined when it is not one.
 *
 * @example
 * parseQuantity('500m') // 0.5
 * parseQuantity('16Gi') // 17179869184
 */
export function parseQuantity(q: string | undefined): number | undefined {
  if (q === undefined) return undefined
  const m = /^([+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$/.exec(q.trim())
  if (m === null) return undefined
  const fraction = DIVISOR[m[2]!]
  return fraction === undefined ? Number(m[1]) * SUFFIX[m[2]!]! : Number(m[1]) / fraction
}
