/** The automation commands' help and the usage errors refused before a project loads (in-process). */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { main } from '../main.js'
import { fakeIo } from '../testing.fixture.js'

const empty = mkdtempSync(path.join(tmpdir(), 'rivers-cli-automation-'))
afterAll(() => rmSync(empty, { recursive: true, force: true }))

async function run(args: string[]) {
  const io = fakeIo({ cwd: empty })
  const code = await main(['node', 'assets', ...args], io)
  return { code, stdout: io.stdout.text, stderr: io.stderr.text }
}

test.each(['tick', 'daemon', 'automation', 'watch'])('assets %s --help', async (command) => {
  const r = await run([command, '--help'])
  expect(r.code).toBe(0)
  expect(r.stdout).toMatchSnapshot()
})

test.each([
  [['daemon', '--interval', 'often'], '--interval "often" is not a duration'],
  [['daemon', '--poll-interval', '1'], '--poll-interval "1" is not a duration'],
  [['daemon', '--catch-up', 'all'], '--catch-up "all" is not a catch-up policy'],
  [['watch', '--debounce', '300'], '--debounce "300" is not a duration'],
  [['automation', '--limit', '0'], 'expected a positive integer, e.g. --limit 4.'],
])('%j exits 2: %s', async (args, message) => {
  const r = await run(args)
  expect(r.code).toBe(2)
  expect(r.stderr).toContain(message)
})

test('--json: a usage error is one JSON document on stdout', async () => {
  const r = await run(['daemon', '--json', '--catch-up', 'sometimes'])
  expect(r.code).toBe(2)
  expect(JSON.parse(r.stdout)).toEqual({
    error: {
      code: 'RIVERS_USAGE',
      message: expect.stringContaining('--catch-up "sometimes" is not a catch-up policy'),
    },
  })
})
