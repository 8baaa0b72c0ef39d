/**
 * The README's "In a project of your own" section as steps the pack test replays: each line of a
 * `sh` block is a command (comments dropped); a block whose info string names a file after the
 * language (```ts rivers.config.ts) is that file's content.
 */

/** One step of the quick start. */
export type QuickStartStep = { kind: 'command'; line: string } | { kind: 'file'; name: string; text: string }

/** The heading of the section the pack test replays. */
export const QUICK_START_HEADING = '### In a project of your own'

/**
 * The steps of the README's quick start, in order.
 *
 * @example
 * quickStart(readFileSync('README.md', 'utf8'))[0] // { kind: 'command', line: 'npm install @rivers-orchestrator/rivers …' }
 */
export function quickStart(readme: string): QuickStartStep[] {
  const start = readme.indexOf(`\n${QUICK_START_HEADING}\n`)
  if (start === -1) throw new Error(`README.md has no "${QUICK_START_HEADING}" section`)
  const rest = readme.slice(start + QUICK_START_HEADING.length + 2)
  const end = rest.search(/^#{1,3} /m)
  const section = end === -1 ? rest : rest.slice(0, end)
  const steps: QuickStartStep[] = []
  for (const m of section.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const [lang, name] = m[1]!.trim().split(/\s+/)
    const body = m[2]!
    if (name !== undefined) steps.push({ kind: 'file', name, text: body })
    else if (lang === 'sh')
      for (const raw of body.split('\n')) {
        const line = raw.replace(/\s+#.*$/, '').trim()
        if (line !== '' && !line.startsWith('#')) steps.push({ kind: 'command', line })
      }
  }
  return steps
}
