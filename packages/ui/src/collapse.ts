/**
 * Collapsed groups on the graph: each collapsed group becomes one node (`group:NAME`) standing for
 * its assets, with their edges merged (duplicates and edges inside the group dropped), the worst
 * status of its members and the sum of their partitions.
 */

/** What a graph document holds per node, before layout. */
export interface NodeColumns {
  keys: string[]
  group: number[]
  status: string[]
  partitions: ([number, number, number, number] | null)[]
  edges: (readonly [number, number])[]
  selected?: number[]
}

/** Statuses from the least to the most urgent: a group shows its most urgent member's. */
const URGENCY = ['source', 'fresh', 'unobservable', 'missing', 'stale', 'failed', 'running']

/**
 * The graph with the groups of `collapse` (names, or `*` for all) merged into one node each; also
 * `members` (assets a node stands for: 0 for a plain asset) and `memberOf` (asset key → its group
 * node's key, for the collapsed ones).
 *
 * @example
 * const g = collapseGroups(columns, ['ml'], ['ingest', 'ml'])
 * g.keys // ['raw', 'group:ml']
 */
export function collapseGroups(
  nodes: NodeColumns,
  collapse: readonly string[],
  groups: readonly string[],
): NodeColumns & { members: number[]; memberOf: Record<string, string> } {
  const all = collapse.includes('*')
  const folded = new Set(groups.map((g, i) => (all || collapse.includes(g) ? i : -1)).filter((i) => i >= 0))
  const keys: string[] = []
  const group: number[] = []
  const status: string[] = []
  const partitions: NodeColumns['partitions'] = []
  const members: number[] = []
  const memberOf: Record<string, string> = {}
  const target = new Int32Array(nodes.keys.length)
  const groupNode = new Map<number, number>()
  nodes.keys.forEach((key, i) => {
    const g = nodes.group[i]!
    if (!folded.has(g)) {
      target[i] = keys.push(key) - 1
      group.push(g)
      status.push(nodes.status[i]!)
      partitions.push(nodes.partitions[i]!)
      members.push(0)
      return
    }
    let at = groupNode.get(g)
    if (at === undefined) {
      at = keys.push(`group:${groups[g]}`) - 1
      groupNode.set(g, at)
      group.push(g)
      status.push(nodes.status[i]!)
      partitions.push(null)
      members.push(0)
    }
    target[i] = at
    members[at]!++
    memberOf[key] = keys[at]!
    if (URGENCY.indexOf(nodes.status[i]!) > URGENCY.indexOf(status[at]!)) status[at] = nodes.status[i]!
    const p = nodes.partitions[i]
    if (p !== null && p !== undefined) {
      const sum = partitions[at] ?? [0, 0, 0, 0]
      partitions[at] = [sum[0] + p[0], sum[1] + p[1], sum[2] + p[2], sum[3] + p[3]]
    }
  })
  const seen = new Set<number>()
  const edges: [number, number][] = []
  for (const [a, b] of nodes.edges) {
    const [x, y] = [target[a]!, target[b]!]
    const id = x * keys.length + y
    if (x === y || seen.has(id)) continue
    seen.add(id)
    edges.push([x, y])
  }
  const out: NodeColumns & { members: number[]; memberOf: Record<string, string> } = {
    keys,
    group,
    status,
    partitions,
    edges,
    members,
    memberOf,
  }
  if (nodes.selected !== undefined) out.selected = [...new Set(nodes.selected.map((i) => target[i]!))]
  return out
}
