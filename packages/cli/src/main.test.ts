import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { main } from './main.js'
import { fakeIo } from './testing.fixture.js'

const empty = mkdtempSync(path.join(tmpdir(), 'rivers-cli-unit-'))
afterAll(() => rmSync(empty, { recursive: true, force: true }))

async function run(args: string[], options: Parameters<typeof fakeIo>[0] = {}) {
  const io = fakeIo({ cwd: empty, ...options })
  const code = await main(['node', 'assets', ...args], io)
  return { code, stdout: io.stdout.text, stderr: io.stderr.text }
}

describe('--help', () => {
  test('assets --help', async () => {
    const r = await run(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatchSnapshot()
  })

  test.each(['materialize', 'status', 'plan', 'list', 'graph', 'runs', 'show', 'wipe', 'gc', 'pin', 'unpin', 'ui'])(
    'assets %s --help',
    async (command) => {
      const r = await run([command, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatchSnapshot()
    },
  )

  test('assets store migrate --help', async () => {
    const r = await run(['store', 'migrate', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatchSnapshot()
  })

  test('--version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' })
  })
})

describe('usage errors exit 2', () => {
  test('no command: help on stderr', async () => {
    const r = await run([])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Usage: assets <command>')
  })

  test('unknown command, with a suggestion', async () => {
    const r = await run(['stauts'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatchInlineSnapshot(`
      "error: unknown command 'stauts'
      (Did you mean status?)
      (run assets --help for usage)
      "
    `)
  })

  test('unknown option', async () => {
    const r = await run(['status', '--frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("error: unknown option '--frobnicate'")
  })

  test.each([['0'], ['-1'], ['two'], ['1.5']])('--concurrency %s', async (n) => {
    const r = await run(['materialize', '--concurrency', n])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('expected a positive integer, e.g. --concurrency 4.')
  })

  test('bad --log-level and --format choices', async () => {
    expect((await run(['status', '--log-level', 'loud'])).code).toBe(2)
    expect((await run(['graph', '--format', 'svg'])).stderr).toContain('Allowed choices are mermaid, dot, json.')
  })

  test('show needs a key', async () => {
    const r = await run(['show'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("error: missing required argument 'key'")
  })

  test('--metric needs --asset', async () => {
    const r = await run(['runs', '--metric', 'loss'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--metric loss needs --asset KEY')
  })

  test('--json: stdout gets one error document too', async () => {
    const r = await run(['status', '--json', '--frobnicate'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'RIVERS_USAGE', message: "unknown option '--frobnicate'" } })
  })
})

describe('--config', () => {
  test('invalid JSON: position and hint, before the project is looked for', async () => {
    const r = await run(['materialize', '--config', '{"model": {"epochs": 3,}}'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatchSnapshot()
  })

  test('not an object', async () => {
    const r = await run(['materialize', '--config', '[1, 2]', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error.code).toBe('RIVERS_BAD_CONFIG')
    expect(r.stderr).toContain('--config argument is an array, not an object.')
  })

  test('neither JSON nor a file', async () => {
    const r = await run(['materialize', '--config', 'prod.json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      '--config "prod.json" is neither a JSON object nor a readable file (prod.json: there is no such file).',
    )
  })
})

test('no project file: where it looked and how to create one', async () => {
  const r = await run(['status'])
  expect(r.code).toBe(2)
  expect(r.stderr.replaceAll(empty, '<cwd>')).toContain(
    'No project file found: looked for rivers.config.ts, rivers.config.mts, rivers.config.js, rivers.config.mjs in <cwd>',
  )
  expect(r.stderr).toContain("import { asset, defineProject } from '@rivers-orchestrator/rivers'")
})
