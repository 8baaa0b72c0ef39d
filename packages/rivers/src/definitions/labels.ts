/** Selection labels of an asset: `group:G`, `tag:K` / `tag:K=V`, `kind:K`, `owner:O`. */

/**
 * The label strings selections match (`group:`, `tag:`, `kind:`, `owner:`), deterministic: group,
 * then tags by name, kinds and owners sorted, without duplicates.
 *
 * Cost: the result array (exact size) and its strings only (no key list, Set or spread copy per call).
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
  const out = scratch
  out.length = 0
  if (group !== undefined) out.push(label(GROUPS, 'group:', group))
  // Tags: their names first, sorted by name, then each name replaced by its label.
  const tagStart = out.length
  for (const name in tags) if (Object.hasOwn(tags, name)) out.push(name)
  if (out.length - tagStart > 1) sortFrom(out, tagStart, false)
  for (let i = tagStart; i < out.length; i++) {
    const name = out[i]!
    const value = tags[name]!
    out[i] = value === true ? label(TAGS, 'tag:', name) : tagLabel(name, value)
  }
  push(out, KINDS, 'kind:', kinds)
  push(out, OWNERS, 'owner:', owners)
  // An exact-size copy: an array grown by push keeps room for 17 entries, retained with the asset.
  return out.slice()
}

/** The labels being built (one array reused between calls). */
const scratch: string[] = []

/**
 * Label strings made so far, by value, per prefix: every asset with the same label shares one flat
 * string, flattened and hashed by V8 once. A label built per asset is a concatenation V8 flattens and
 * hashes on its first lookup: at 100k assets with three labels each, that first pass of the planner's
 * label index took ~250 ms, and 300k strings stayed live. Bounded by the distinct labels in the process.
 */
const GROUPS = new Map<string, string>()
const TAGS = new Map<string, string>()
const KINDS = new Map<string, string>()
const OWNERS = new Map<string, string>()
const TAG_VALUES = new Map<string, Map<string, string>>()

function label(made: Map<string, string>, prefix: string, value: string): string {
  let l = made.get(value)
  if (l === undefined) {
    l = prefix + value
    made.set(value, l)
  }
  return l
}

function tagLabel(name: string, value: string): string {
  let byValue = TAG_VALUES.get(name)
  if (byValue === undefined) {
    byValue = new Map()
    TAG_VALUES.set(name, byValue)
  }
  return label(byValue, `tag:${name}=`, value)
}

/** Append the labels of `values`, sorted by code unit and deduplicated. */
function push(out: string[], made: Map<string, string>, prefix: string, values: readonly string[]): void {
  const start = out.length
  for (let i = 0; i < values.length; i++) out.push(label(made, prefix, values[i]!))
  if (values.length > 1) sortFrom(out, start, true)
}

/** Sort `out[start..]` by code unit (insertion sort for a few labels), dropping duplicates if asked. */
function sortFrom(out: string[], start: number, unique: boolean): void {
  if (out.length - start > 16) {
    // The default sort compares by UTF-16 code units.
    const part = out.splice(start).sort()
    for (const x of part) out.push(x)
  } else
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
