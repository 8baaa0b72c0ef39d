/** Sizes for people: `512 B`, `1.5 KiB`, `3.2 MiB`, `1.1 GiB`. */

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const

/**
 * @example
 * formatBytes(1536) // '1.5 KiB'
 */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  let v = n
  let unit: string = 'B'
  for (const u of UNITS) {
    if (v < 1024) break
    v /= 1024
    unit = u
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${unit}`
}
