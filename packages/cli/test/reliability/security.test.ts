/**
 * Security end to end: asset keys (and stored paths) never escape the storage folder; config values
 * marked `secret()` never appear in the store, the run logs, the command's output or its error
 * messages, yet changing one rebuilds the asset; store files are private to the user.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, test } from 'vitest'
import { makeProject, removeProjects, type CliResult } from '../e2e/project.js'

afterAll(removeProjects)

const T = { timeout: 30_000 }

/** Every file under `dir` (absolute paths). */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
}

describe('keys cannot escape the storage folder', () => {
  test.each([
    ['../outside', "segment '..' is not allowed"],
    ['raw/../../etc/passwd', "segment '..' is not allowed"],
    ['/etc/passwd', 'absolute'],
  ])('an asset keyed %j is refused before anything runs (exit 2)', T, async (key) => {
    const p = makeProject({
      'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nexport default defineProject({ assets: [asset({ key: ${JSON.stringify(key)} }, () => 'pwned')] })\n`,
    })
    const r = await p.run(['materialize'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Invalid asset key')
    expect(allFiles(p.dir).filter((f) => !f.includes('node_modules'))).toEqual(
      [path.join(p.dir, 'package.json'), path.join(p.dir, 'rivers.config.ts')].sort(),
    )
  })

  test('a dependency key that tries to escape is refused too', T, async () => {
    const p = makeProject({
      'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst a = asset({ key: 'a', deps: { x: '../../x' } }, ({ x }) => x)\nexport default defineProject({ assets: [a] })\n`,
    })
    const r = await p.run(['materialize'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/'\.\.\/\.\.\/x'/)
  })

  test('a stored path tampered with in the database is refused when read (defence in depth)', T, async () => {
    const p = makeProject({
      'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst a = asset({ key: 'a' }, () => ({ n: 1 }))\nconst b = asset({ key: 'b', deps: { a } }, ({ a }) => a)\nexport default defineProject({ assets: [b] })\n`,
      'secret.json': '{"stolen":true}',
    })
    expect((await p.run(['materialize', '--json'])).code).toBe(0)
    const db = new Database(path.join(p.dir, '.rivers', 'rivers.db'))
    db.prepare("UPDATE materializations SET storage_path = '../../secret.json' WHERE asset_key = 'a'").run()
    db.close()
    const r = await p.run(['materialize', 'b', '--force', '--json'])
    expect(r.code).toBe(1)
    expect(r.json().failed).toEqual([
      {
        key: 'b',
        error: expect.stringContaining(
          'Asset key "a" cannot name a storage file: its stored path "../../secret.json" is not a safe relative path',
        ),
      },
    ])
  })
})

describe('secret config values', () => {
  const TOKEN = 'tok-Sup3rS3cret-4711'
  const TOKEN2 = 'tok-Rotated-0815-xyz'
  const HOOK = 'https://hooks.example/Zm9vYmFyc2VjcmV0'
  const project = `import { asset, check, defineProject, secret } from '@rivers-orchestrator/rivers'
import { z } from 'zod'

const report = asset({ key: 'report' }, () => ({ rows: 3 }))
const upload = asset(
  {
    key: 'upload',
    deps: { report },
    config: z.object({ bucket: z.string(), token: secret(z.string()).min(8) }),
    checks: [check('echo', () => ({ passed: true, message: 'checked' }))],
  },
  ({ report }, ctx) => {
    ctx.log.info({ token: ctx.config.token, nested: { auth: 'Bearer ' + ctx.config.token } }, 'uploading with token ' + ctx.config.token)
    ctx.addMetadata({ bucket: ctx.config.bucket, auth: 'Bearer ' + ctx.config.token })
    return { bucket: ctx.config.bucket, rows: report.rows }
  },
)
const notify = asset(
  { key: 'notify', deps: { upload }, config: z.object({ webhook: secret(z.string().url()) }) },
  (_inputs, ctx) => {
    throw new Error('webhook ' + ctx.config.webhook + ' refused the call')
  },
)
export default defineProject({ assets: [notify] })
`
  const config = (token: string) => JSON.stringify({ upload: { bucket: 'b1', token }, notify: { webhook: HOOK } })
  const leaks = (text: string) => [TOKEN, TOKEN2, HOOK, 'Zm9vYmFyc2VjcmV0'].filter((s) => text.includes(s))
  const outputs = (r: CliResult) => r.stdout + r.stderr

  test('never appear in the store, the logs, the outputs or the errors; changing one rebuilds', {
    timeout: 60_000,
  }, async () => {
    const p = makeProject({ 'rivers.config.ts': project })
    const seen: string[] = []
    const run = async (args: string[]) => {
      const r = await p.run(args)
      seen.push(outputs(r))
      return r
    }

    const first = await run(['materialize', '--json', '--log-level', 'debug', '--config', config(TOKEN)])
    expect(first.code).toBe(1)
    expect(first.json().materialized).toEqual(['report', 'upload'])
    expect(first.json().failed).toEqual([{ key: 'notify', error: 'webhook [redacted] refused the call' }])
    // The log lines are there, with the secret replaced.
    expect(first.stderr).toContain('uploading with token [redacted]')

    // Human output too.
    await run(['materialize', '--config', config(TOKEN)])
    // A changed secret changes the config hash: the asset rebuilds (and back again).
    const rotated = await run(['materialize', '--json', '--config', config(TOKEN2)])
    expect(rotated.json().materialized).toEqual(['upload'])
    const back = await run(['materialize', '--json', '--config', config(TOKEN)])
    expect(back.json().materialized).toEqual(['upload'])
    const same = await run(['materialize', '--json', '--config', config(TOKEN)])
    expect(same.json().materialized).toEqual([])

    // Every view of the store.
    for (const args of [
      ['runs'],
      ['runs', '--json'],
      ['show', 'upload'],
      ['show', 'upload', '--json'],
      ['show', 'notify'],
      ['show', 'notify', '--json'],
      ['status', '--json'],
      ['status'],
    ]) {
      const r = await run(args)
      expect(r.code, r.stderr).toBe(0)
    }
    const shown = (await run(['show', 'upload', '--json'])).json()
    expect(shown.history[0].metadata).toEqual({ bucket: 'b1', auth: 'Bearer [redacted]', bytes: expect.any(Number) })

    // Errors about the config: a secret that fails its schema, and JSON that does not parse.
    const invalid = await run([
      'materialize',
      '--config',
      JSON.stringify({ upload: { bucket: 'b1', token: 'abc-s3c' }, notify: { webhook: HOOK } }),
    ])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toMatch(
      /token: Too small: expected string to have >=8 characters \(a secret: its value is not shown\)/,
    )
    expect(invalid.stderr).not.toContain('abc-s3c')
    const badHook = await run([
      'materialize',
      '--config',
      JSON.stringify({ upload: { bucket: 'b1', token: TOKEN }, notify: { webhook: 'not a url ' + TOKEN } }),
    ])
    expect(badHook.code).toBe(2)
    expect(badHook.stderr).toContain('webhook: ')
    const broken = await run(['materialize', '--config', `{"upload":{"bucket":"b1","token":"${TOKEN}"`])
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain('string values are shown as *** because config may hold secrets')

    expect(leaks(seen.join('\n'))).toEqual([])
    // The store folder: database, logs, artifacts.
    const files = allFiles(path.join(p.dir, '.rivers'))
    expect(files.some((f) => f.endsWith('.ndjson'))).toBe(true)
    for (const f of files) expect(leaks(readFileSync(f, 'latin1')), f).toEqual([])
  })
})

test('the store folder and everything in it are private to the user', T, async () => {
  const p = makeProject({
    'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst a = asset({ key: 'raw/a' }, () => [1])\nconst b = asset({ key: 'b', deps: { a } }, async function* ({ a }) { yield String(a) })\nconst c = asset({ key: 'c', deps: { b } }, () => Buffer.from('x'))\nexport default defineProject({ assets: [c] })\n`,
  })
  expect((await p.run(['materialize', '--json'])).code).toBe(0)
  const root = path.join(p.dir, '.rivers')
  const entries = [root, ...readdirSync(root, { recursive: true, encoding: 'utf8' }).map((e) => path.join(root, e))]
  const open = entries
    .filter((e) => (statSync(e).mode & 0o077) !== 0)
    .map((e) => `${path.relative(p.dir, e)} ${(statSync(e).mode & 0o777).toString(8)}`)
  expect(open).toEqual([])
  expect(
    entries
      .map((e) => path.relative(root, e))
      .filter((e) => e.endsWith('.db') || e.endsWith('.ndjson') || e.includes('@')),
  ).toHaveLength(5)
})
