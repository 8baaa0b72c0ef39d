import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { pinoLib, sqliteLib } from './deps.js'

const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url))

test('importing the library loads neither pino nor better-sqlite3 (nor the native addon)', () => {
  // A fresh process: this one has loaded them already.
  const script = `await import(${JSON.stringify(INDEX)})
const { createRequire } = await import('node:module')
console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)))`
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  })
  const loaded = JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as string[]
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
})
