import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { expect, test } from 'vitest'
import { pinoLib, sqliteLib } from './deps.js'
import { zodModule } from './definitions/zod-module.js'

const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url))

test('importing the library loads neither pino, better-sqlite3, zod nor the native addon', () => {
  // A fresh process: this one has loaded them already. zod, an ES module, marks globalThis when it loads.
  const script = `await import(${JSON.stringify(INDEX)})
const { createRequire } = await import('node:module')
console.log(JSON.stringify({ zod: '__zod_globalConfig' in globalThis, cjs: Object.keys(createRequire(import.meta.url).cache) }))`
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  })
  const { zod, cjs: loaded } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { zod: boolean; cjs: string[] }
  expect(zod).toBe(false)
  expect(
    loaded.filter((f) => /[/\\]node_modules[/\\](pino|better-sqlite3|@rivers-orchestrator[/\\]native)/.test(f)),
  ).toEqual([])
})

test('the lazily required modules are the packages themselves, once', async () => {
  const { default: pino } = await import('pino')
  const { default: Database } = await import('better-sqlite3')
  expect(pinoLib()).toBe(pino)
  expect(sqliteLib()).toBe(Database)
  expect(pinoLib()).toBe(pinoLib())
  // zod: the ES module an import gives, where Node can require one (else its CommonJS build).
  const zod = await import('zod')
  if ((process.features as { require_module?: boolean }).require_module === true) expect(zodModule().z).toBe(zod.z)
  expect(zodModule().z.string().safeParse('x').success).toBe(true)
})

test('importing the library loads neither the executor, the tick, gc nor backfills; preloadEngine loads them', () => {
  // A loader hook in a fresh process lists every module it loads.
  const dir = mkdtempSync(join(tmpdir(), 'rivers-lazy-'))
  try {
    const hooks = join(dir, 'hooks.mjs')
    writeFileSync(
      hooks,
      "export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, context) }\n",
    )
    const register = join(dir, 'register.mjs')
    writeFileSync(
      register,
      `import { register } from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)})\n`,
    )
    const loaded = (preload: boolean): string[] => {
      const script = `const m = await import(${JSON.stringify(INDEX)})${preload ? '\nawait m.preloadEngine()' : ''}`
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--import', register, '--input-type=module', '-e', script],
        {
          encoding: 'utf8',
        },
      )
      expect(r.status, r.stderr).toBe(0)
      return r.stderr.split('\n').filter((l) => l.startsWith('LOADED '))
    }
    const lazy = ['engine/run.ts', 'engine/automation.ts', 'engine/gc.ts', 'engine/backfill.ts']
    const at = (lines: string[]) => lazy.filter((f) => lines.some((l) => l.split('?')[0]!.endsWith(f)))
    expect(at(loaded(false))).toEqual([])
    expect(at(loaded(true))).toEqual(lazy)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
