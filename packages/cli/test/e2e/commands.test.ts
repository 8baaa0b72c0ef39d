/** The other commands on a built project: human status/plan, list, graph, show, runs, wipe, --store. */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { pipeline } from './pipeline.js'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const T = { timeout: 30_000 }

describe('a built project', () => {
  const p = makeProject({ 'rivers.config.ts': pipeline() })
  beforeAll(async () => {
    expect((await p.run(['materialize', '--json'])).code).toBe(0)
    p.write({ 'rivers.config.ts': pipeline({ features: 'raw.map((x) => x * 3)' }) })
  }, 30_000)

  test('status: table, explanations, totals', T, async () => {
    const r = await p.run(['status'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatchSnapshot()
  })

  test('plan: layers', T, async () => {
    const r = await p.run(['plan', '+report'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatchSnapshot()
    expect((await p.run(['materialize', '--dry-run', '--json', '+report'])).json()).toEqual({
      selection: ['+report'],
      force: false,
      layers: [['features'], ['model'], ['report']],
      count: 3,
    })
  })

  test('list --json and list', T, async () => {
    const list = (await p.run(['list', '--json'])).json()
    expect(list.map((a: { key: string }) => a.key)).toEqual(['features', 'model', 'raw', 'report', 'stats'])
    expect(list.find((a: { key: string }) => a.key === 'model')).toMatchObject({
      deps: ['features'],
      group: 'ml',
      isSource: false,
    })
    const r = await p.run(['list', 'group:ml'])
    expect(r.stdout).toMatchInlineSnapshot(`
      "ASSET  TYPE   GROUP  DEPS
      model  asset  ml     features

      1 asset.
      "
    `)
  })

  test('graph --format mermaid (default) and dot', T, async () => {
    const mermaid = await p.run(['graph'])
    expect(mermaid.code).toBe(0)
    expect(mermaid.stdout).toMatchInlineSnapshot(`
      "flowchart LR
        n0["features"]
        n1["model"]
        n2["raw"]
        n3["report"]
        n4["stats"]
        n2 --> n0
        n0 --> n1
        n1 --> n3
        n2 --> n4
      "
    `)
    expect((await p.run(['graph', '--format', 'dot', 'model+'])).stdout).toMatchInlineSnapshot(`
      "digraph assets {
        rankdir=LR;
        node [shape=box];
        "model";
        "report";
        "model" -> "report";
      }
      "
    `)
  })

  test('runs, a metric across runs, show', T, async () => {
    expect((await p.run(['materialize', '--json'])).json().materialized).toEqual(['features', 'model', 'report'])
    const runs = (await p.run(['runs', '--json'])).json()
    expect(runs).toHaveLength(2)
    expect(runs[0]).toMatchObject({ status: 'success', materialized: 3, failed: 0, skipped: 0, selection: ['*'] })
    const weights = (await p.run(['runs', '--asset', 'model', '--metric', 'weight', '--json'])).json()
    expect(weights.map((r: { metric: number }) => r.metric)).toEqual([18, 12])
    const shown = await p.run(['show', 'model'])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(/^model\n {2}deps: {3}features\n {2}group: {2}ml\n {2}status: fresh\n/)
    expect(shown.stdout).toContain('metrics: weight=18')
    expect(shown.stdout).toMatch(/History \(2 records\):/)
    const unknown = await p.run(['show', 'modle'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('model')
  })

  test('wipe: refuses without a terminal, --yes forgets, status says missing', T, async () => {
    const refused = await p.run(['wipe', 'model+'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatchInlineSnapshot(`
      "error: Refusing to wipe the records of 2 assets without confirmation: stdin is not a terminal.
      Fix: pass --yes to wipe without asking.
      "
    `)
    const wiped = await p.run(['wipe', 'model+', '--yes'])
    expect(wiped.code).toBe(0)
    expect(wiped.stdout).toBe('Wiped the records of 2 assets: model, report; deleted 4 artifact files (48 B).\n')
    const status = (await p.run(['status', '--json'])).json()
    expect(status.assets.map((a: { key: string; status: string }) => `${a.key}:${a.status}`)).toEqual([
      'features:fresh',
      'model:missing',
      'raw:fresh',
      'report:missing',
      'stats:fresh',
    ])
  })
})

describe('project files and stores', () => {
  const body = `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst a = asset({ key: 'a' }, async () => 1)\nexport default defineProject({ assets: [a] })\n`

  test.each([
    ['rivers.config.ts', 'commonjs'],
    ['rivers.config.ts', null],
    ['rivers.config.js', 'commonjs'],
    ['rivers.config.mjs', null],
  ] as const)('%s in a package of type %s loads as an ES module', T, async (file, type) => {
    const p = makeProject({ [file]: body }, { type })
    const r = await p.run(['status', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.json().assets).toMatchObject([{ key: 'a', status: 'missing' }])
  })

  test('found from a subfolder; --store and RIVERS_HOME move the store', T, async () => {
    const p = makeProject({ 'rivers.config.ts': body, 'src/nested/.keep': '' })
    expect((await p.run(['materialize', '--json'], { cwd: 'src/nested' })).json().materialized).toEqual(['a'])
    expect(existsSync(path.join(p.dir, '.rivers'))).toBe(true)
    expect((await p.run(['materialize', '--json', '--store', 'elsewhere'])).json().materialized).toEqual(['a'])
    expect(existsSync(path.join(p.dir, 'elsewhere'))).toBe(true)
    expect(
      (await p.run(['status', '--json'], { env: { RIVERS_HOME: path.join(p.dir, 'elsewhere') } })).json().assets[0]
        .status,
    ).toBe('fresh')
  })
})
