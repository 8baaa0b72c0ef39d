/**
 * No native binary that loads: every command exits 2 with the binding's explanation and no stack
 * dump. (The pack test hides the platform package of an installed project; here the override
 * variable points at a file that does not exist.)
 */
import { afterAll, expect, test } from 'vitest'
import { pipeline } from './pipeline.js'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

test('a native addon that does not load: exit 2, the platform, the file looked for, the fix', {
  timeout: 30_000,
}, async () => {
  const p = makeProject({ 'rivers.config.ts': pipeline() })
  const env = { NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/rivers.linux-x64-gnu.node' }
  for (const args of [['status'], ['materialize'], ['list']]) {
    const r = await p.run(args, { env })
    expect(r.code, r.stderr).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^error: Rivers could not load its native planner for \w+-\w+/)
    expect(r.stderr).toContain('looked for: /nonexistent/rivers.linux-x64-gnu.node (NAPI_RS_NATIVE_LIBRARY_PATH)')
    expect(r.stderr).toContain('fix: ')
    expect(r.stderr).not.toMatch(/^\s+at /m)
    expect(r.stderr).not.toContain('npm has a bug')
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(6)
  }
  const json = await p.run(['status', '--json'], { env })
  expect(json.code).toBe(2)
  expect(json.json().error.code).toBe('RIVERS_NATIVE_LOAD')
})
