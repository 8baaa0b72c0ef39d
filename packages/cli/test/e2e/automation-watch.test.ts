import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { BIN, makeProject, removeProjects } from './project.js'
import { startCli, whenExists } from './background.js'

afterAll(removeProjects)

const project = `import { existsSync, writeFileSync } from 'node:fs'
import { asset, defineProject, source } from '@rivers-orchestrator/rivers'
import { factor } from './src/factor.ts'
const raw = source({ key: 'raw', path: 'data/raw.txt' })
const scaled = asset({ key: 'scaled', deps: { raw } }, async ({ raw }, ctx) => {
  if (existsSync('slow.on')) {
    writeFileSync('slow.started', '')
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 30_000)
      ctx.signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('stopped'))))
    })
  }
  return Number(String(raw).trim()) * factor
})
export default defineProject({ assets: [scaled] })
`

test('watch: a run at start, one after a module edit, one after a source edit, one at a time; Ctrl-C cancels the run, exits 130', {
  timeout: 90_000,
}, async () => {
  const p = makeProject({
    'rivers.config.ts': project,
    'src/factor.ts': 'export const factor = 2\n',
    'data/raw.txt': '21\n',
  })
  const w = startCli(p.dir, ['watch', '--debounce', '100ms'])
  try {
    await w.waitFor(/Run \S+ success/)
    expect(w.output).toContain(
      '[watch] watching 3 files (rivers.config.ts, src/factor.ts, data/raw.txt) with fs events, debounce 100ms; Ctrl-C stops',
    )
    expect(w.output).toContain('[watch] assets materialize *')
    p.write({ 'src/factor.ts': 'export const factor = 3\n' })
    await w.waitFor(/Run \S+ success/, 2)
    expect(w.output).toContain('[watch] src/factor.ts changed: assets materialize *')
    await w.waitFor(/waiting for changes/, 2)
    // A source edit starts a run that blocks until cancelled; an edit during it queues one more run.
    p.write({ 'slow.on': '', 'data/raw.txt': '7\n' })
    await whenExists(path.join(p.dir, 'slow.started'))
    expect(w.output).toContain('[watch] data/raw.txt changed: assets materialize *')
    p.write({ 'src/factor.ts': 'export const factor = 4\n' })
    await w.waitFor(/src\/factor.ts changed: one more run after the current one/)
    // Ctrl-C: the child cancels its run, watch exits 130 without starting the queued run.
    w.child.kill('SIGINT')
    expect(await w.exited).toBe(130)
  } finally {
    w.child.kill('SIGKILL')
  }
  expect(w.output).toContain('[watch] stopping: cancelling the run')
  expect(w.output).toMatch(/Run \S+ cancelled/)
  expect(w.output.match(/: assets materialize \*/g)).toHaveLength(2)
  const shown = await import('node:child_process').then(({ execFileSync }) =>
    execFileSync(process.execPath, [BIN, 'show', 'scaled', '--json'], { cwd: p.dir }).toString(),
  )
  const history = JSON.parse(shown).history as unknown[]
  expect(history).toHaveLength(2)
  expect(w.output.match(/1 materialized/g)).toHaveLength(2)
})
