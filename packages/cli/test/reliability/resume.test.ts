/**
 * Resume: after a failed run, `assets materialize` with no flags rebuilds only the failed assets and
 * what depends on them; `assets runs` and `assets show` tell what happened. After a run killed with
 * kill -9, the next run marks it interrupted and rebuilds only what it had not recorded.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { BIN, makeProject, removeProjects } from '../e2e/project.js'

afterAll(removeProjects)

const T = { timeout: 60_000 }

// raw -> features -> model -> report;  raw -> stats -> summary
const project = `import { existsSync, writeFileSync } from 'node:fs'
import { asset, defineProject } from '@rivers-orchestrator/rivers'

const raw = asset({ key: 'raw' }, () => [1, 2, 3])
const features = asset({ key: 'features', deps: { raw } }, ({ raw }) => raw.map((x) => x * 2))
const model = asset({ key: 'model', deps: { features } }, ({ features }) => {
  if (existsSync('fail-model')) throw new Error('GPU fell off the bus')
  return { weight: features.reduce((a, b) => a + b, 0) }
})
const report = asset({ key: 'report', deps: { model } }, ({ model }) => 'weight ' + model.weight)
const stats = asset({ key: 'stats', deps: { raw } }, ({ raw }) => raw.length)
const summary = asset({ key: 'summary', deps: { stats } }, async ({ stats }) => {
  if (existsSync('hang-summary')) {
    writeFileSync('summary-started', '')
    await new Promise((resolve) => setTimeout(resolve, 20_000))
  }
  return 'n=' + stats
})
export default defineProject({ assets: [report, summary] })
`

test(
  'after a failed run, a plain materialize rebuilds only the failed asset and its descendants; runs and show tell the story',
  T,
  async () => {
    const p = makeProject({ 'rivers.config.ts': project, 'fail-model': '' })
    const failed = await p.run(['materialize', '--json'])
    expect(failed.code).toBe(1)
    const s1 = failed.json()
    expect(s1.status).toBe('failed')
    expect(s1.failed).toEqual([{ key: 'model', error: 'GPU fell off the bus' }])
    expect(s1.skipped).toEqual([{ key: 'report', reason: 'upstream_failed' }])
    expect([...s1.materialized].sort()).toEqual(['features', 'raw', 'stats', 'summary'])

    // status says what is left; plan is exactly the failed asset and its descendants.
    const status = (await p.run(['status', '--json'])).json()
    expect(status.assets.filter((a: { planned: boolean }) => a.planned).map((a: { key: string }) => a.key)).toEqual([
      'model',
      'report',
    ])

    p.remove('fail-model')
    const resumed = await p.run(['materialize', '--json'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.json()).toMatchObject({
      status: 'success',
      materialized: ['model', 'report'],
      skipped: [],
      failed: [],
    })
    expect((await p.run(['materialize', '--json'])).json().materialized).toEqual([])

    // runs: newest first, the failed run with its counts.
    const runs = (await p.run(['runs', '--json'])).json()
    expect(
      runs.map((r: { status: string; materialized: number; failed: number; skipped: number }) => [
        r.status,
        r.materialized,
        r.failed,
        r.skipped,
      ]),
    ).toEqual([
      ['success', 0, 0, 0],
      ['success', 2, 0, 0],
      ['failed', 4, 1, 1],
    ])
    expect(runs[2].runId).toBe(s1.runId)
    const table = await p.run(['runs'])
    expect(table.stdout).toMatch(new RegExp(`${s1.runId}\\s+failed\\s+.*\\*\\s+4\\s+1\\s+1`))

    // show: the failed attempt of the first run, the record of the second.
    const shown = (await p.run(['show', 'model', '--json'])).json()
    expect(shown.failures).toEqual([
      {
        runId: s1.runId,
        at: expect.any(String),
        attempt: 1,
        of: 1,
        error: 'GPU fell off the bus',
        location: 'rivers.config.ts:7:39', // the throw in the project file, at the default log level too
        willRetry: false,
      },
    ])
    expect(shown.history.map((h: { runId: string }) => h.runId)).toEqual([resumed.json().runId])
    const human = await p.run(['show', 'model'])
    expect(human.stdout).toContain(
      `run ${s1.runId}  attempt 1/1 failed (gave up): GPU fell off the bus\n    at rivers.config.ts:7:39`,
    )
    expect(human.stdout).toContain('History (1 record):')
  },
)

test(
  'after kill -9, the next run marks the killed run interrupted and rebuilds only what it had not recorded',
  T,
  async () => {
    const p = makeProject({ 'rivers.config.ts': project, 'hang-summary': '' })
    // Run until summary hangs (everything else is recorded by then, or running), then kill -9.
    const killed = await new Promise<string>((resolve) => {
      const child = spawn(
        process.execPath,
        [BIN, 'materialize', '--json', '--concurrency', '1', 'stats+', '+raw', '+stats'],
        { cwd: p.dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
      )
      let err = ''
      child.stderr.on('data', (c: Buffer) => void (err += c.toString()))
      const timer = setInterval(() => {
        if (existsSync(path.join(p.dir, 'summary-started'))) {
          clearInterval(timer)
          child.kill('SIGKILL')
        }
      }, 20)
      child.on('close', () => resolve(err))
    })
    expect(killed).toContain('started')
    p.remove('hang-summary')
    const next = await p.run(['materialize', '--json'])
    expect(next.code, next.stderr).toBe(0)
    // raw and stats were recorded by the killed run; summary was not, nor anything outside its selection.
    expect([...next.json().materialized].sort()).toEqual(['features', 'model', 'report', 'summary'])
    expect(next.stderr).toMatch(/stopped before the run finished \(killed or crashed\)/)
    const runs = (await p.run(['runs', '--json'])).json()
    expect(runs[1]).toMatchObject({ status: 'failed', interrupted: true, materialized: 2 })
    expect((await p.run(['runs'])).stdout).toMatch(/failed \(interrupted\)/)
  },
)
