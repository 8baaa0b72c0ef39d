/** Human `assets gc`: what it would free (or freed), per asset, orphans and old run files, and what it kept. */
import type { GcReport } from '@rivers-orchestrator/rivers'
import { formatBytes } from './bytes.js'
import type { Style } from './style.js'

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/**
 * @example
 * io.stdout.write(`${formatGc(await ws.gc([], { apply: false }), style)}\n`)
 */
export function formatGc(r: GcReport, style: Style): string {
  const lines: string[] = []
  if (r.total.files === 0) lines.push(`Nothing to ${r.dryRun ? 'free' : 'delete'}.`)
  else {
    lines.push(
      `${r.dryRun ? 'Would free' : 'Freed'} ${formatBytes(r.total.bytes)} in ${plural(r.total.files, 'file')}:`,
    )
    const rows: [string, string, string][] = r.assets.map((a) => [
      a.key,
      plural(a.artifacts, 'artifact'),
      formatBytes(a.bytes),
    ])
    if (r.orphans.files > 0)
      rows.push([style.dim('(orphans)'), plural(r.orphans.files, 'file'), formatBytes(r.orphans.bytes)])
    if (r.runs.logs + r.runs.jobFolders > 0) {
      const what = [
        r.runs.logs > 0 ? plural(r.runs.logs, 'run log') : '',
        r.runs.jobFolders > 0 ? plural(r.runs.jobFolders, 'job folder') : '',
      ].filter((s) => s !== '')
      rows.push([style.dim('(old runs)'), what.join(', '), formatBytes(r.runs.bytes)])
    }
    const w0 = Math.max(...rows.map((x) => visible(x[0]).length))
    const w1 = Math.max(...rows.map((x) => x[1].length))
    for (const [a, b, c] of rows) lines.push(`  ${a}${' '.repeat(w0 - visible(a).length)}  ${b.padEnd(w1)}  ${c}`)
  }
  const kept: string[] = []
  if (r.kept.pinned > 0) kept.push(`${plural(r.kept.pinned, 'pinned artifact')}`)
  if (r.kept.live > 0) kept.push(`${plural(r.kept.live, 'artifact')} of runs still going`)
  if (kept.length > 0) lines.push(`Kept ${kept.join(' and ')}.`)
  for (const s of r.skipped) lines.push(style.yellow(`Cannot collect artifacts of ${s.key}: ${s.reason}.`))
  if (r.dryRun && r.total.files > 0) lines.push('This was a dry run: run `assets gc --yes` to delete them.')
  return lines.join('\n')
}

function visible(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes to measure width
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}
