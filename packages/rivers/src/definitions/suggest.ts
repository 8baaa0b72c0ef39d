/** "Did you mean …?": the closest candidate by edit distance. */

/**
 * Levenshtein distance between two strings (insertions, deletions, substitutions cost 1).
 *
 * @example
 * editDistance('raw/order', 'raw/orders') // 1
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost))
    }
    prev = row
  }
  return prev[b.length]!
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo (distance at most
 * a third of the longer string, at least 2). Ties go to the alphabetically first candidate.
 *
 * @example
 * closest('raw/order', ['raw/orders', 'features']) // 'raw/orders'
 * closest('zzz', ['raw/orders'])                  // undefined
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate
      bestDistance = d
    }
  }
  if (best === undefined) return undefined
  const limit = Math.max(2, Math.floor(Math.max(word.length, best.length) / 3))
  return bestDistance <= limit ? best : undefined
}
