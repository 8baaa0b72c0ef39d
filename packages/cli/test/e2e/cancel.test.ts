/** Ctrl-C during a run: the run is cancelled through its AbortSignal and the command exits 130. */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const T = { timeout: 30_000 }

const project = (honoursSignal: boolean) => `import { writeFileSync } from 'node:fs'
import { asset, defineProject } from '@rivers-orchestrator/rivers'
const fast = asset({ key: 'fast' }, () => 1)
const slow = asset({ key: 'slow', deps: { fast } }, async (_inputs, ctx) => {
  writeFileSync('started', '')
  await new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, 20_000)
    ${honoursSignal ? "ctx.signal.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('stopped')) })" : ''}
  })
  return 2
})
const after = asset({ key: 'after', deps: { slow } }, ({ slow }) => slow + 1)
export default defineProject({ assets: [after] })
`

async function whenExists(file: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50))
}

test('SIGINT cancels the run gracefully: exit 130, summary cancelled', T, async () => {
  const p = makeProject({ 'rivers.config.ts': project(true) })
  const started = Date.now()
  const r = await p.run(['materialize', '--json'], {
    onSpawn: (child) => void whenExists(path.join(p.dir, 'started')).then(() => child.kill('SIGINT')),
  })
  expect(r.code, r.stderr).toBe(130)
  expect(Date.now() - started).toBeLessThan(15_000)
  const summary = r.json()
  expect(summary.status).toBe('cancelled')
  expect(summary.materialized).toEqual(['fast'])
  expect(summary.skipped).toContainEqual({ key: 'after', reason: 'cancelled' })
  expect(r.stderr).toContain('Cancelling the run')
})

test('a second SIGINT exits at once with 130', T, async () => {
  const p = makeProject({ 'rivers.config.ts': project(false) })
  const started = Date.now()
  const r = await p.run(['materialize'], {
    onSpawn: (child) =>
      void whenExists(path.join(p.dir, 'started')).then(async () => {
        child.kill('SIGINT')
        await new Promise((res) => setTimeout(res, 300))
        child.kill('SIGINT')
      }),
  })
  expect(r.code).toBe(130)
  expect(Date.now() - started).toBeLessThan(15_000)
  expect(r.stderr).toContain('Exiting without waiting for running assets.')
})

test('an asset running at SIGINT is reported once, as skipped (cancelled), never also as failed', T, async () => {
  const p = makeProject({ 'rivers.config.ts': project(true) })
  const onSpawn = (child: import('node:child_process').ChildProcess) =>
    void whenExists(path.join(p.dir, 'started')).then(() => child.kill('SIGINT'))
  const human = await p.run(['materialize'], { onSpawn })
  expect(human.code, human.stderr).toBe(130)
  const lines = `${human.stdout}\n${human.stderr}`.split('\n').filter((l) => /\bslow\b/.test(l))
  expect(
    lines.filter((l) => /failed/.test(l)),
    lines.join('\n'),
  ).toEqual([])
  expect(human.stdout).toMatch(/slow skipped \(cancelled\)/)
  expect(human.stdout.match(/slow skipped \(cancelled\)/g)).toHaveLength(1)
  expect(human.stdout).toContain('1 materialized, 2 skipped, 0 failed')

  p.remove('started')
  p.remove('.rivers')
  const r = await p.run(['materialize', '--json'], { onSpawn })
  expect(r.code, r.stderr).toBe(130)
  const s = r.json()
  expect(s.failed).toEqual([])
  expect(s.skipped).toEqual([
    { key: 'slow', reason: 'cancelled' },
    { key: 'after', reason: 'cancelled' },
  ])
  const listed = [...s.materialized, ...s.skipped.map((x: { key: string }) => x.key)]
  expect(listed.sort()).toEqual(['after', 'fast', 'slow'])
  expect(r.stderr).not.toMatch(/"level":50/)
})
