/** Bad input exits 2 with a message that says what is wrong and how to fix it (stderr snapshots). */
import { afterAll, describe, expect, test } from 'vitest'
import { pipeline } from './pipeline.js'
import { emptyDir, makeProject, removeProjects, runCli } from './project.js'

afterAll(removeProjects)

const T = { timeout: 30_000 }

test('no project file: where it looked, how to create one', T, async () => {
  const dir = emptyDir()
  const r = await runCli(['status'], dir)
  expect(r.code).toBe(2)
  expect(r.stdout).toBe('')
  const text = r.stderr.replaceAll(dir, '<cwd>').replace(/above it \([^)]*\)/, 'above it (<parents>)')
  expect(text).toMatchSnapshot()
})

describe('selections', () => {
  const p = makeProject({ 'rivers.config.ts': pipeline() })

  test('a syntax error points at the column', T, async () => {
    const r = await p.run(['status', 'raw and (', '--json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatchSnapshot()
    expect(r.json()).toEqual({ error: { code: 'RIVERS_SELECTION', message: expect.stringContaining('^') } })
  })

  test('a selection that matches nothing', T, async () => {
    const r = await p.run(['materialize', 'nothing/*'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatchSnapshot()
  })

  test('an unselected input that was never built is refused before anything runs, suggesting +KEY', T, async () => {
    const r = await p.run(['materialize', 'features'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatchSnapshot()
    expect(r.stderr).toContain('+features')
    expect(
      (await p.run(['status', '--json'])).json().assets.every((a: { status: string }) => a.status === 'missing'),
    ).toBe(true)
  })
})

describe('definitions', () => {
  test('a dependency cycle', T, async () => {
    const p = makeProject({
      'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'
const a = asset({ key: 'a', deps: { b: 'b' } }, ({ b }) => b)
const b = asset({ key: 'b', deps: { c: 'c' } }, ({ c }) => c)
const c = asset({ key: 'c', deps: { a: 'a' } }, ({ a }) => a)
export default defineProject({ assets: [a, b, c] })
`,
    })
    const r = await p.run(['materialize'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatchSnapshot()
  })

  test('an unknown dependency, with a suggestion', T, async () => {
    const p = makeProject({
      'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'
const orders = asset({ key: 'raw/orders' }, () => [])
const total = asset({ key: 'total', deps: { orders: 'raw/order' } }, ({ orders }) => orders)
export default defineProject({ assets: [orders, total] })
`,
    })
    const r = await p.run(['status'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatchSnapshot()
  })
})

describe('project files that do not load', () => {
  const p = makeProject({})

  test('it throws while loading: the file, the place, the message', T, async () => {
    p.write({
      'rivers.config.ts': `import { defineProject } from '@rivers-orchestrator/rivers'\nconst settings: { assets: string[] } = JSON.parse('{}')\nexport default defineProject({ assets: settings.assets.map((k) => k) })\n`,
    })
    const r = await p.run(['status'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatchSnapshot()
  })

  test('a syntax error', T, async () => {
    p.write({
      'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst a = asset({ key: 'a' }, () => 1\nexport default defineProject({ assets: [a] })\n`,
    })
    const r = await p.run(['status'])
    expect(r.code).toBe(2)
    expect(p.scrub(r.stderr)).toMatchSnapshot()
  })

  test('no default export, or not a project', T, async () => {
    p.write({
      'rivers.config.ts': `import { asset } from '@rivers-orchestrator/rivers'\nexport const a = asset({ key: 'a' }, () => 1)\n`,
    })
    const none = await p.run(['status'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatchSnapshot()
    p.write({
      'rivers.config.ts': `import { asset } from '@rivers-orchestrator/rivers'\nexport default { assets: [asset({ key: 'a' }, () => 1)] }\n`,
    })
    const notProject = await p.run(['status', '--json'])
    expect(notProject.code).toBe(2)
    expect(notProject.stderr).toMatchSnapshot()
    expect(notProject.json().error.code).toBe('RIVERS_NOT_A_PROJECT')
  })
})
