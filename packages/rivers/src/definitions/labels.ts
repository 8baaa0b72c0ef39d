/** Selection labels of an asset: `group:G`, `tag:K` / `tag:K=V`, `kind:K`, `owner:O`. */

/**
 * The label strings selections match (`group:`, `tag:`, `kind:`, `owner:`), deterministic: group,
 * then tags by name, kinds and owners sorted, without duplicates.
 *
 * Cost: one array per call; the label strings are shared between the assets that carry the same
 * label (a big project has few distinct labels), so defining 100k labelled assets does not build
 * 300k strings.
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
  const { group, tags, kinds, owners } = d
  const out: string[] = []
  if (group !== undefined) out.push(label(GROUPS, 'group:', group))
  // Tags: their names first, sorted by name, then each name replaced by its label.
  const tagStart = out.length
  for (const name in tags) if (Object.hasOwn(tags, name)) out.push(name)
  if (out.length - tagStart > 1) sortFrom(out, tagStart, false)
  for (let i = tagStart; i < out.length; i++) {
    const name = out[i]!
    const value = tags[name]
    out[i] = value === true ? label(TAGS, 'tag:', name) : `tag:${name}=${value}`
  }
  push(out, KINDS, 'kind:', kinds)
  push(out, OWNERS, 'owner:', owners)
  return out
}

/** Label strings by value, one table per prefix (bounded: cleared when it grows past its limit). */
const GROUPS = new Map<string, string>()
const TAGS = new Map<string, string>()
const KINDS = new Map<string, string>()
const OWNERS = new Map<string, string>()
const LIMIT = 10_000

function label(table: Map<string, string>, prefix: string, value: string): string {
  let known = table.get(value)
  if (known === undefined) {
    if (table.size >= LIMIT) table.clear()
    known = prefix + value
    table.set(value, known)
  }
  return known
}

/** Append the labels of `values`, sorted by code unit and deduplicated. */
function push(out: string[], table: Map<string, string>, prefix: string, values: readonly string[]): void {
  const start = out.length
  for (let i = 0; i < values.length; i++) out.push(label(table, prefix, values[i]!))
  if (values.length > 1) sortFrom(out, start, true)
}

/** Sort `out[start..]` by code unit (insertion sort: a few labels), dropping duplicates if asked. */
function sortFrom(out: string[], start: number, unique: boolean): void {
  for (let i = start + 1; i < out.length; i++) {
    const x = out[i]!
    let j = i - 1
    while (j >= start && out[j]! > x) {
      out[j + 1] = out[j]!
      j--
    }
    out[j + 1] = x
  }
  if (!unique) return
  let w = start + 1
  for (let i = start + 1; i < out.length; i++) if (out[i] !== out[w - 1]) out[w++] = out[i]!
  out.length = w
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
