/** Aligned text tables: columns separated by two spaces, trailing blanks trimmed. */
import { visibleWidth, type Style } from './style.js'

/**
 * Render rows under headers (the headers dimmed/bold when colour is on). Columns whose every cell
 * is empty are left out when `dropEmpty` is set.
 *
 * @example
 * table(['KEY', 'STATUS'], [['raw', 'fresh']], style)
 * // KEY  STATUS
 * // raw  fresh
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  style: Style,
  options: { dropEmpty?: boolean } = {},
): string {
  let columns = headers.map((_, i) => i)
  if (options.dropEmpty) columns = columns.filter((i) => rows.some((r) => (r[i] ?? '') !== ''))
  const widths = columns.map((i) => Math.max(visibleWidth(headers[i]!), ...rows.map((r) => visibleWidth(r[i] ?? ''))))
  const line = (cells: readonly string[], decorate: (s: string) => string) =>
    columns
      .map((i, c) => {
        const cell = cells[i] ?? ''
        return decorate(cell) + ' '.repeat(widths[c]! - visibleWidth(cell))
      })
      .join('  ')
      .trimEnd()
  return [line(headers, style.bold), ...rows.map((r) => line(r, (s) => s))].join('\n')
}
