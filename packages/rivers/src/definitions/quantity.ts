/**
 * Memory sizes as Kubernetes quantities (`'16Gi'`, `'512Mi'`, `'2G'`, `'1.5e9'`), or a number of
 * bytes. Binary suffixes (`Ki Mi Gi Ti Pi Ei`) are powers of 1024, decimal ones (`k M G T P E`,
 * `K` accepted for `k`) powers of 1000. A trailing `B` is tolerated (`'16GB'`, `'512MiB'`).
 */

const UNIT: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
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
const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)(?:[eE]([+-]?\d+))?\s*([kKMGTPE]i?)?B?$/

/**
 * Bytes of a memory quantity (rounded up to a whole byte), or `undefined` when it is not a valid,
 * positive size.
 *
 * @example
 * parseQuantity('16Gi') // 17179869184
 * parseQuantity('2G')   // 2000000000
 * parseQuantity(1024)   // 1024
 * parseQuantity('100m') // undefined (milli-bytes make no sense for memory)
 */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined
  if (typeof value !== 'string') return undefined
  const m = QUANTITY.exec(value.trim())
  if (m === null) return undefined
  const bytes = Number(m[1]) * 10 ** Number(m[2] ?? 0) * UNIT[m[3] ?? '']!
  return Number.isFinite(bytes) && bytes > 0 ? Math.ceil(bytes) : undefined
}

/**
 * A byte count as a short human-readable binary size.
 *
 * @example
 * formatBytes(17179869184) // '16Gi'
 * formatBytes(1536 * 2 ** 20) // '1.5Gi'
 */
export function formatBytes(bytes: number): string {
  for (const [suffix, size] of [
    ['Ei', 2 ** 60],
    ['Pi', 2 ** 50],
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))}${suffix}`
  }
  return `${bytes}`
}
