/**
 * Run config end to end: status and plan under a given `--config` ("is this fresh under this
 * config?"), strict config (a misspelled field is refused, not silently dropped), the config values
 * each record was built with in `show` (secrets redacted), and failures that point at the user's
 * code (file:line at the default log level, and in `show`).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const T = { timeout: 30_000 }

const project = `import { asset, defineProject, secret } from '@rivers-orchestrator/rivers'
import { z } from 'zod'
const raw = asset({ key: 'raw' }, () => [1, 2, 3])
const model = asset(
  {
    key: 'model',
    deps: { raw },
    config: z.object({ scale: z.number().default(1), upload: z.object({ token: secret(z.string()).default('tok-dev-000') }).default({ token: 'tok-dev-000' }) }),
  },
  ({ raw }, ctx) => raw.map((x) => x * ctx.config.scale),
)
export default defineProject({ assets: [model] })
`

describe('a project with config', () => {
  const p = makeProject({ 'rivers.config.ts': project })
  beforeAll(async () => {
    const r = await p.run([
      'materialize',
      '--json',
      '--config',
      '{"model":{"scale":2,"upload":{"token":"tok-live-123"}}}',
    ])
    expect(r.code, r.stderr).toBe(0)
  }, 30_000)

  test('status answers "is it fresh under this config?"; without --config, under the defaults', T, async () => {
    const same = await p.run([
      'status',
      '--json',
      'model',
      '--config',
      '{"model":{"scale":2,"upload":{"token":"tok-live-123"}}}',
    ])
    expect(same.json().assets[0]).toMatchObject({ key: 'model', status: 'fresh', planned: false })
    const other = await p.run(['status', '--json', 'model', '--config', '{"model":{"scale":3}}'])
    expect(other.json().assets[0]).toMatchObject({
      status: 'stale',
      planned: true,
      causes: [{ kind: 'config_changed', message: 'model has a new config' }],
    })
    const defaults = await p.run(['status', '--json', 'model'])
    expect(defaults.json().assets[0]).toMatchObject({ status: 'stale', causes: [{ kind: 'config_changed' }] })
  })

  test('plan --config plans what materialize --config would run', T, async () => {
    const same = await p.run(['plan', '--json', '--config', '{"model":{"scale":2,"upload":{"token":"tok-live-123"}}}'])
    expect(same.json()).toMatchObject({ layers: [], count: 0 })
    const other = await p.run(['plan', '--json', '--config', '{"model":{"scale":5}}'])
    expect(other.json()).toMatchObject({ layers: [['model']], count: 1 })
  })

  test('a misspelled field is refused by status, plan and materialize alike (exit 2), naming it', T, async () => {
    for (const command of ['status', 'plan', 'materialize']) {
      const r = await p.run([command, '--config', '{"model":{"scal":2}}'])
      expect(r.code, `${command}: ${r.stderr}`).toBe(2)
      expect(r.stderr).toContain(`scal: not a field of the config schema (did you mean "scale"?)`)
    }
  })

  test('show prints the config values each record was built with, secrets redacted', T, async () => {
    const shown = (await p.run(['show', 'model', '--json'])).json()
    expect(shown.history[0].config).toEqual({ scale: 2, upload: { token: '[redacted]' } })
    const human = await p.run(['show', 'model'])
    expect(human.stdout).toContain('params: {"scale":2,"upload":{"token":"[redacted]"}}')
    expect(human.stdout).not.toContain('tok-live-123')
  })
})

describe('a failing asset', () => {
  const p = makeProject({
    'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'
import { parse } from './src/parse.ts'
const raw = asset({ key: 'raw' }, () => '{"rows": [1, 2]}')
const parsed = asset({ key: 'parsed', deps: { raw } }, ({ raw }) => parse(raw))
export default defineProject({ assets: [parsed] })
`,
    'src/parse.ts': `type Rows = { rows: number[] }
export function parse(text: string): number {
  const data = JSON.parse(text) as Rows
  return (data as unknown as { total: { value: number } }).total.value
}
`,
  })

  test('shows where in the user code it failed, at the default log level and in show', T, async () => {
    const r = await p.run(['materialize'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /attempt 1 of 1 failed: TypeError: Cannot read properties of undefined \(reading 'value'\) \(at src\/parse\.ts:4:66\)/,
    )
    const shown = await p.run(['show', 'parsed'])
    expect(shown.stdout).toContain('    at src/parse.ts:4:66')
    expect((await p.run(['show', 'parsed', '--json'])).json().failures[0]).toMatchObject({
      location: 'src/parse.ts:4:66',
    })
  })
})
