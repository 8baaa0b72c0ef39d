/**
 * mulberry32 (Tommy Ettinger): a 32-bit seeded PRNG, uniform in [0, 1). Deterministic on every
 * platform, so permutation tests and randomized tests repeat exactly from their seed.
 *
 * @example
 * const random = mulberry32(42)
 * random() // 0.6011037519201636
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
