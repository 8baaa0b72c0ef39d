/** Selection labels of an asset: `group:G`, `tag:K` / `tag:K=V`, `kind:K`, `owner:O`. */

/**
 * The label strings selections match (`group:`, `tag:`, `kind:`, `owner:`), deterministic: group,
 * then tags by name, kinds and owners sorted, without duplicates.
 *
 * @example
 * labelsOf({ group: 'ml', tags: { pii: true, tier: 'gold' }, kinds: ['pytorch'], owners: ['team:ml'] })
 * // ['group:ml', 'tag:pii', 'tag:tier=gold', 'kind:pytorch', 'owner:team:ml']
 */
export function labelsOf(d: {
  readonly group: string | undefined
  readonly tags: Readonly<Record<string, string | true>>
  readonly kinds: readonly string[]
  readonly owners: readonly string[]
}): string[] {
  const out: string[] = []
  if (d.group !== undefined) out.push(`group:${d.group}`)
  const tagNames = Object.keys(d.tags)
  if (tagNames.length > 1) tagNames.sort(byCodeUnit)
  for (const name of tagNames) {
    const value = d.tags[name]
    out.push(value === true ? `tag:${name}` : `tag:${name}=${value}`)
  }
  for (const kind of sortedUnique(d.kinds)) out.push(`kind:${kind}`)
  for (const owner of sortedUnique(d.owners)) out.push(`owner:${owner}`)
  return out
}

/**
 * Locale-independent string order (by UTF-16 code units), for deterministic output everywhere.
 *
 * @example
 * ['b', 'B', 'a'].sort(byCodeUnit) // ['B', 'a', 'b']
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function sortedUnique(xs: readonly string[]): readonly string[] {
  return xs.length <= 1 ? xs : [...new Set(xs)].sort(byCodeUnit)
}
