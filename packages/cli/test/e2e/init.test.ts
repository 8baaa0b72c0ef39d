/** `assets init`: the starter project it writes runs, and a folder that holds files is refused. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { emptyDir, linkPackages, removeProjects, runCli } from './project.js'

afterAll(removeProjects)

const T = { timeout: 60_000 }
const version = (
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }
).version

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
}

describe('assets init', () => {
  test('--help', T, async () => {
    const r = await runCli(['init', '--help'], emptyDir())
    expect(r.code).toBe(0)
    expect(r.stdout).toMatchSnapshot()
  })

  test('writes a project that materializes: a source, two assets, a check, a config', T, async () => {
    const parent = emptyDir()
    const r = await runCli(['init', 'demo'], parent)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatchSnapshot()
    const demo = path.join(parent, 'demo')
    expect(files(demo)).toEqual([
      '.gitignore',
      'data/orders.csv',
      'package.json',
      'rivers.config.ts',
      'src/orders.test.ts',
      'src/orders.ts',
      'tsconfig.json',
    ])
    const manifest = JSON.parse(readFileSync(path.join(demo, 'package.json'), 'utf8'))
    expect(manifest).toMatchObject({
      name: 'demo',
      private: true,
      type: 'module',
      scripts: { materialize: 'assets materialize', status: 'assets status', test: 'vitest run' },
      dependencies: {
        '@rivers-orchestrator/cli': `^${version}`,
        '@rivers-orchestrator/rivers': `^${version}`,
        zod: expect.stringMatching(/^\^4\./),
      },
      devDependencies: { vitest: expect.any(String) },
    })
    const tsconfig = JSON.parse(readFileSync(path.join(demo, 'tsconfig.json'), 'utf8'))
    expect(tsconfig.compilerOptions).toMatchObject({ strict: true, module: 'NodeNext', moduleResolution: 'NodeNext' })
    expect(tsconfig.compilerOptions.experimentalDecorators).toBeUndefined()
    expect(readFileSync(path.join(demo, '.gitignore'), 'utf8')).toBe('.rivers/\nnode_modules/\n')
    for (const file of ['rivers.config.ts', 'src/orders.test.ts'])
      for (const [, spec] of readFileSync(path.join(demo, file), 'utf8').matchAll(/from '([^.][^']*)'/g))
        expect([
          '@rivers-orchestrator/rivers',
          '@rivers-orchestrator/rivers/testing',
          'zod',
          'vitest',
          'node:fs',
          'node:os',
          'node:path',
          'node:url',
        ]).toContain(spec)

    linkPackages(demo)
    const run = await runCli(['materialize', '--json'], demo)
    expect(run.code, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({ status: 'success', materialized: ['orders', 'daily_revenue'], failed: [] })
    const status = (await runCli(['status', '--json'], demo)).json()
    expect(status.assets.map((a: { key: string; status: string }) => `${a.key} ${a.status}`)).toEqual([
      'daily_revenue fresh',
      'orders fresh',
      'raw/orders fresh',
    ])
    const small = await runCli(['materialize', '--json', '--config', '{"daily_revenue":{"minAmount":50}}'], demo)
    expect(small.json()).toMatchObject({ status: 'success', materialized: ['daily_revenue'] })
    const bad = await runCli(['materialize', '--config', '{"daily_revenue":{"minAmount":-1}}'], demo)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('minAmount')
  })

  test('into the current folder when it is empty; a fresh git init does not count', T, async () => {
    const dir = path.join(emptyDir(), 'My Pipeline')
    mkdirSync(path.join(dir, '.git'), { recursive: true })
    const r = await runCli(['init'], dir)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('Created a Rivers project in .:')
    expect(r.stdout).not.toContain('  cd ')
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name).toBe('my-pipeline')
  })

  test('refuses a folder that holds files (exit 2, names them), unless --force', T, async () => {
    const parent = emptyDir()
    const demo = path.join(parent, 'demo')
    mkdirSync(demo)
    writeFileSync(path.join(demo, 'notes.md'), 'mine\n')
    writeFileSync(path.join(demo, 'rivers.config.ts'), '// mine\n')
    const r = await runCli(['init', 'demo'], parent)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatchSnapshot()
    expect(readFileSync(path.join(demo, 'rivers.config.ts'), 'utf8')).toBe('// mine\n')

    const json = await runCli(['init', 'demo', '--json'], parent)
    expect(json.code).toBe(2)
    expect(json.json().error.code).toBe('RIVERS_INIT_NOT_EMPTY')

    const forced = await runCli(['init', 'demo', '--force', '--json'], parent)
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.json()).toMatchObject({ dir: demo, files: expect.arrayContaining(['rivers.config.ts']) })
    expect(readFileSync(path.join(demo, 'notes.md'), 'utf8')).toBe('mine\n')
    expect(readFileSync(path.join(demo, 'rivers.config.ts'), 'utf8')).toContain('defineProject')
  })

  test('refuses a path that is a file', T, async () => {
    const parent = emptyDir()
    writeFileSync(path.join(parent, 'demo'), '')
    const r = await runCli(['init', 'demo'], parent)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatchInlineSnapshot(`
      "error: demo exists and is not a folder: assets init writes a project into a folder.
      Fix: choose a folder name that is not taken, e.g. assets init demo-project.
      "
    `)
    expect(existsSync(path.join(parent, 'package.json'))).toBe(false)
  })
})
