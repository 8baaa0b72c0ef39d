import { afterAll, expect, test } from 'vitest'

import { startCli } from './background.js'
import { pipeline } from './pipeline.js'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

test('assets ui: serves the API over the project store, materializes with the token, Ctrl-C exits 130', {
  timeout: 60_000,
}, async () => {
  const p = makeProject({ 'rivers.config.ts': pipeline() })
  const ui = startCli(p.dir, ['ui', '--port', '0'])
  try {
    await ui.waitFor(/Rivers UI at http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}/)
    const url = new URL(/(http:\/\/\S+)/.exec(ui.output)![1]!)
    const token = url.searchParams.get('token')!
    const graph = (await (await fetch(new URL('/api/graph', url))).json()) as { keys: string[]; status: string[] }
    expect(graph.keys.sort()).toEqual(['features', 'model', 'raw', 'report', 'stats'])
    expect(new Set(graph.status)).toEqual(new Set(['missing']))

    const refused = await fetch(new URL('/api/materialize', url), { method: 'POST', body: '{}' })
    expect(refused.status).toBe(401)
    const started = await fetch(new URL('/api/materialize', url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ key: 'model', upstream: true }),
    })
    expect(started.status).toBe(202)
    const { runId } = (await started.json()) as { runId: string }
    let status = 'running'
    for (let i = 0; i < 100 && status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      const run = (await (await fetch(new URL(`/api/runs/${runId}`, url))).json()) as { run: { status: string } }
      status = run.run.status
    }
    expect(status).toBe('success')

    // The same store as the other commands: `assets status` sees what the UI ran.
    const r = await p.run(['status', 'model', '--json'])
    expect(r.json().assets[0].status).toBe('fresh')
  } finally {
    ui.child.kill('SIGINT')
  }
  expect(await ui.exited).toBe(130)
})

test('assets ui --host 0.0.0.0 without a token is refused (exit 2)', { timeout: 30_000 }, async () => {
  const p = makeProject({ 'rivers.config.ts': pipeline() })
  const r = await p.run(['ui', '--host', '0.0.0.0', '--port', '0'])
  expect(r.code).toBe(2)
  expect(r.stderr).toContain('without a token of your own')
  expect(r.stderr).toContain('--token T or RIVERS_UI_TOKEN=T')
})
