/** `assets graph`: lineage as Mermaid or Graphviz DOT, every key quoted safely. */
import type { LineageView } from '@rivers-orchestrator/rivers'

/**
 * A Mermaid flowchart; nodes get ids `n0, n1…` and their keys as quoted labels (sources drawn as
 * cylinders), so no key can break the syntax.
 *
 * @example
 * toMermaid({ nodes: [raw, features], edges: [['raw', 'features']] })
 * // flowchart LR
 * //   n0[("raw")]
 * //   n1["features"]
 * //   n0 --> n1
 */
export function toMermaid(view: LineageView): string {
  const ids = new Map(view.nodes.map((n, i) => [n.key, `n${i}`]))
  const lines = ['flowchart LR']
  for (const n of view.nodes) {
    const label = mermaidLabel(n.key)
    lines.push(`  ${ids.get(n.key)}${n.isSource ? `[(${label})]` : `[${label}]`}`)
  }
  for (const [from, to] of view.edges) {
    const a = ids.get(from)
    const b = ids.get(to)
    if (a !== undefined && b !== undefined) lines.push(`  ${a} --> ${b}`)
  }
  return lines.join('\n')
}

/** A Graphviz digraph; every id is a double-quoted string with `"` and `\` escaped. */
export function toDot(view: LineageView): string {
  const lines = ['digraph assets {', '  rankdir=LR;', '  node [shape=box];']
  for (const n of view.nodes) lines.push(`  ${dotId(n.key)}${n.isSource ? ' [shape=cylinder]' : ''};`)
  for (const [from, to] of view.edges) lines.push(`  ${dotId(from)} -> ${dotId(to)};`)
  lines.push('}')
  return lines.join('\n')
}

function mermaidLabel(key: string): string {
  return `"${key.replace(/["#<>&]/g, (c) => `#${c.charCodeAt(0)};`)}"`
}

function dotId(key: string): string {
  return `"${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}
