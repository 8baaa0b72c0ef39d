/**
 * The text form of an evaluated condition tree, as `assets tick` and `assets automation` print it:
 * one line per node, children indented under their parent, `✓` true and `✗` false.
 */
import type { EvaluatedNode } from './scope.js'

/**
 * One line per node, indented two spaces per level.
 *
 * @example
 * formatTree(tree)
 * // ✓ or: 1 of 2 true
 * //   ✓ eager: input features has a new data version
 * //   ✗ on_cron '0 3 * * *' UTC: no tick since 2026-12-05T03:00:00.000Z
 */
export function formatTree(tree: EvaluatedNode, indent = ''): string {
  const lines: string[] = []
  const visit = (n: EvaluatedNode, pad: string): void => {
    lines.push(`${pad}${n.value ? '✓' : '✗'} ${n.label}`)
    for (const c of n.children ?? []) visit(c, `${pad}  `)
  }
  visit(tree, indent)
  return lines.join('\n')
}
