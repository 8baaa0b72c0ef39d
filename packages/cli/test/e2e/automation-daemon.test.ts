import path from 'node:path'
import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from './project.js'
import { startCli, whenExists } from './background.js'

afterAll(removeProjects)

const project = `import { existsSync, writeFileSync } from 'node:fs'
import { asset, defineProject, source, when } from '@rivers-orchestrator/rivers'
const raw = source({ key: 'raw', path: 'data/raw.txt' })
const clean = asset({ key: 'clean', deps: { raw }, automation: when.eager() }, ({ raw }) => String(raw).trim())
const slow = asset({ key: 'slow', deps: { clean }, automation: when.eager() }, async ({ clean }, ctx) => {
  if (existsSync('slow.on')) {
    writeFileSync('slow.started', '')
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 30_000)
      ctx.signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('stopped'))))
    })
  }
  return clean.length
})
export default defineProject({ assets: [slow] })
`

test('daemon: runs, single instance, kill -9 and restart, SIGTERM, --wait', { timeout: 120_000 }, async () => {
  const p = makeProject({ 'rivers.config.ts': project, 'data/raw.txt': 'abc\n' })
  const first = startCli(p.dir, ['daemon', '--interval', '200ms'])
  try {
    // The missing asset and its eager downstream, in one run (upstream first).
    await first.waitFor(/run \S+ success: 2 materialized/)
    expect(first.output).toMatch(/daemon started \(pid \d+\): ticking every 200ms, lease 15\.0s, catch-up latest/)
    expect(first.output).toMatch(
      /tick \d+: 2 evaluated, 2 requested \(clean, slow\), run \S+ launched \(conditions: clean, slow\)/,
    )

    // A second daemon on the same store exits 2 and says who holds it.
    const second = startCli(p.dir, ['daemon'])
    expect(await second.exited).toBe(2)
    expect(second.output).toContain(
      `Another daemon runs on the store ${path.join(p.dir, '.rivers')}: pid ${first.child.pid} on `,
    )
    expect(second.output).toContain(`Fix: stop it first (kill ${first.child.pid} on `)

    // kill -9: a restarted daemon takes the store over at once (the holder's pid is gone).
    first.child.kill('SIGKILL')
    await first.exited
  } finally {
    first.child.kill('SIGKILL')
  }
  p.write({ 'slow.on': '', 'data/raw.txt': 'abcd\n' })
  const third = startCli(p.dir, ['daemon', '--interval', '200ms'])
  try {
    await third.waitFor(/daemon started/)
    expect(third.output).toContain(`took the store over from the daemon of pid ${first.child.pid} on `)
    // The changed source makes clean eager again, and slow with it; slow waits until it is cancelled.
    await whenExists(path.join(p.dir, 'slow.started'))
    p.remove('slow.on')
    // --wait: a fourth daemon waits for the third, and starts once it let go of the store.
    const fourth = startCli(p.dir, ['daemon', '--wait', '--interval', '200ms'])
    try {
      await fourth.waitFor(new RegExp(`waiting for the daemon of pid ${third.child.pid} on `))
      third.child.kill('SIGTERM')
      expect(await third.exited).toBe(0)
      await fourth.waitFor(/daemon started/)
      expect(fourth.output).not.toContain('took the store over')
      fourth.child.kill('SIGTERM')
      expect(await fourth.exited).toBe(0)
    } finally {
      fourth.child.kill('SIGKILL')
    }
  } finally {
    third.child.kill('SIGKILL')
  }
  expect(third.output).toMatch(/SIGTERM: stopping/)
  expect(third.output).toMatch(/cancelling 1 running run: \S+/)
  expect(third.output).toMatch(/run \S+ cancelled: 1 materialized, 1 skipped, 0 failed/)
  expect(third.output).toContain('daemon stopped; lease released')
  const store = SqliteStore.open(path.join(p.dir, '.rivers'))
  try {
    expect(await store.getLease('@daemon')).toBeUndefined()
  } finally {
    await store.close()
  }
})
