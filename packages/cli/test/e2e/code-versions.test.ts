/**
 * Code versions through the real binary: an edited helper module, another asset of the same file,
 * and an upgraded npm package, each seen (or not) by `assets status --json` with what changed.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { makeProject, removeProjects, type TestProject } from './project.js'

afterAll(removeProjects)

const T = { timeout: 60_000 }

const config = (digits: number) => `import { asset, defineProject } from '@rivers-orchestrator/rivers'
import { withTax } from './src/lib.js'
import { orders } from './src/orders.js'
import { fees } from './src/fees.js'
import { format } from 'money-fmt'

const taxed = asset({ key: 'taxed', deps: { orders } }, ({ orders }) => orders.map(withTax))
const summary = asset({ key: 'summary', deps: { fees } }, ({ fees }) => format(fees.reduce((a, b) => a + b, 0), ${digits}))

export default defineProject({ assets: [taxed, summary] })
`

function installPackage(p: TestProject, version: string, body: string): void {
  const dir = path.join(p.dir, 'node_modules', 'money-fmt')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'money-fmt', version, type: 'module', main: 'index.js' }),
  )
  writeFileSync(path.join(dir, 'index.js'), body)
}

interface Entry {
  key: string
  status: string
  causes: { kind: string; message: string }[]
}

async function statuses(p: TestProject): Promise<Record<string, Entry>> {
  const r = await p.run(['status', '--json'])
  expect(r.code, r.stderr).toBe(0)
  return Object.fromEntries((r.json().assets as Entry[]).map((a) => [a.key, a]))
}

async function built(p: TestProject): Promise<string[]> {
  const r = await p.run(['materialize', '--json'])
  expect(r.code, r.stderr).toBe(0)
  return [...(r.json().materialized as string[])].sort()
}

describe('code versions', () => {
  const p = makeProject({
    'rivers.config.ts': config(2),
    'src/lib.ts': 'export const RATE = 0.2\nexport const withTax = (x: number) => x * (1 + RATE)\n',
    'src/orders.ts': `import { asset } from '@rivers-orchestrator/rivers'\nexport const orders = asset({ key: 'orders' }, () => [120, 80, 40])\n`,
    'src/fees.ts': `import { asset } from '@rivers-orchestrator/rivers'\nimport { orders } from './orders.js'\nexport const fees = asset({ key: 'fees', deps: { orders } }, ({ orders }) => orders.map((o) => o * 0.02))\n`,
  })
  installPackage(p, '1.0.0', 'export const format = (x, digits) => `$${x.toFixed(digits)}`\n')

  test('a built project is fresh', T, async () => {
    expect(await built(p)).toEqual(['fees', 'orders', 'summary', 'taxed'])
    expect(Object.values(await statuses(p)).map((a) => a.status)).toEqual(['fresh', 'fresh', 'fresh', 'fresh'])
  })

  test(
    'an edited helper module: code_changed names it, assets whose modules do not import it stay fresh',
    T,
    async () => {
      p.write({ 'src/lib.ts': 'export const RATE = 0.25\nexport const withTax = (x: number) => x * (1 + RATE)\n' })
      const s = await statuses(p)
      // rivers.config.ts imports src/lib.ts: both of its assets; src/orders.ts and src/fees.ts do not.
      expect(s.taxed!.causes).toEqual([
        { kind: 'code_changed', message: 'taxed has a new code version (code changed: src/lib.ts)' },
      ])
      expect(s.summary!.causes.map((c) => c.message)).toEqual([
        'summary has a new code version (code changed: src/lib.ts)',
      ])
      expect([s.orders!.status, s.fees!.status]).toEqual(['fresh', 'fresh'])
      const human = await p.run(['status'])
      expect(p.scrub(human.stdout)).toMatchSnapshot()
      // summary runs again and gives the same bytes; taxed gives new ones.
      expect(await built(p)).toEqual(['summary', 'taxed'])
    },
  )

  test('editing one asset of a file leaves the others of that file fresh', T, async () => {
    p.write({ 'rivers.config.ts': config(1) })
    const s = await statuses(p)
    expect(s.summary).toMatchObject({
      status: 'stale',
      causes: [
        {
          kind: 'code_changed',
          message: 'summary has a new code version (code changed: rivers.config.ts (its definition))',
        },
      ],
    })
    for (const key of ['orders', 'fees', 'taxed']) expect(s[key]!.status, key).toBe('fresh')
    expect(await built(p)).toEqual(['summary'])
  })

  test('an upgraded npm package: the version change is named', T, async () => {
    installPackage(p, '1.1.0', 'export const format = (x, digits) => `USD ${x.toFixed(digits)}`\n')
    const s = await statuses(p)
    expect(s.summary!.causes).toEqual([
      { kind: 'code_changed', message: 'summary has a new code version (money-fmt 1.0.0 → 1.1.0)' },
    ])
    expect([s.orders!.status, s.fees!.status]).toEqual(['fresh', 'fresh'])
    expect(await built(p)).toEqual(['summary', 'taxed'])
    expect(Object.values(await statuses(p)).every((a) => a.status === 'fresh')).toBe(true)
  })
})

test('a load Rivers cannot follow makes the asset changed on every run, never fresh', T, async () => {
  const p = makeProject({
    'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'
import { pick } from './src/plugins.js'
const scored = asset({ key: 'scored' }, async () => (await pick('double'))(21))
const plain = asset({ key: 'plain', deps: { scored } }, ({ scored }) => scored + 1)
export default defineProject({ assets: [plain] })
`,
    // A computed import: which module it loads is known only at run time.
    'src/plugins.ts': 'export const pick = async (name: string) => (await import(`./plugins/${name}.js`)).default\n',
    'src/plugins/double.ts': 'export default (x: number) => x * 2\n',
  })
  expect(await built(p)).toEqual(['plain', 'scored'])
  const s = await statuses(p)
  expect(s.scored!.causes.map((c) => c.message)).toEqual([
    'scored has a new code version (cannot follow src/plugins.ts: import(`./plugins/${) at line 1 (treated as changed every time))',
  ])
  // Both assets of rivers.config.ts reach src/plugins.ts: both run again, every time.
  expect(s.plain!.status).toBe('stale')
  expect(await built(p)).toEqual(['plain', 'scored'])
})
