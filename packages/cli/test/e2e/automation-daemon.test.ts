/**
 * `assets daemon` as a real process: it materializes a missing asset and its eager downstream, a
 * second daemon exits 2 naming the holder, kill -9 then a restart takes the store over, SIGTERM
 * cancels the running run, releases the lease and exits 0, and a daemon started with --wait takes
 * the store once the other let go of it.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { afterAll, expect, test } from 'vitest'
import { BIN, makeProject, removeProjects } from './project.js'

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

/** A running `assets ARGS` whose output (stdout and stderr together) can be awaited. */
function start(dir: string, args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, RIVERS_HOME: undefined },
  })
  let output = ''
  const onData = (chunk: Buffer) => void (output += chunk.toString())
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    child,
    exited,
    get output() {
      return output
    },
    /** Resolves once `pattern` occurs `times` times in the output (fails after 30 s). */
    async waitFor(pattern: RegExp, times = 1): Promise<void> {
      const end = Date.now() + 30_000
      while ((output.match(new RegExp(pattern.source, 'g'))?.length ?? 0) < times) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} ×${times}; output so far:\n${output}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
  }
}

async function whenExists(file: string): Promise<void> {
  const end = Date.now() + 30_000
  while (!existsSync(file) && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
}

test('daemon: runs, single instance, kill -9 and restart, SIGTERM, --wait', { timeout: 120_000 }, async () => {
  const p = makeProject({ 'rivers.config.ts': project, 'data/raw.txt': 'abc\n' })
  const first = start(p.dir, ['daemon', '--interval', '200ms'])
  try {
    // The missing asset and its eager downstream, in one run (upstream first).
    await first.waitFor(/run \S+ success: 2 materialized/)
    expect(first.output).toMatch(/daemon started \(pid \d+\): ticking every 200ms, lease 15\.0s, catch-up latest/)
    expect(first.output).toMatch(
      /tick \d+: 2 evaluated, 2 requested \(clean, slow\), run \S+ launched \(conditions: clean, slow\)/,
    )

    // A second daemon on the same store exits 2 and says who holds it.
    const second = start(p.dir, ['daemon'])
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
  const third = start(p.dir, ['daemon', '--interval', '200ms'])
  try {
    await third.waitFor(/daemon started/)
    expect(third.output).toContain(`took the store over from the daemon of pid ${first.child.pid} on `)
    // The changed source makes clean eager again, and slow with it; slow waits until it is cancelled.
    await whenExists(path.join(p.dir, 'slow.started'))
    p.remove('slow.on')
    // --wait: a fourth daemon waits for the third, and starts once it let go of the store.
    const fourth = start(p.dir, ['daemon', '--wait', '--interval', '200ms'])
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
