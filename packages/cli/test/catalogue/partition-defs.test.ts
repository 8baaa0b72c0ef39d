/**
 * Catalogue #86–#89, #98–#100: partitioned asset definitions refused before anything runs, and a
 * batched partition function whose result lacks a partition (see catalogue.ts).
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { failedRun, refused, T, title } from './catalogue.js'

afterAll(removeProjects)

/** A project file: imports, then `body`, then the default export of `assets`. */
const file = (body: string, assets: string) =>
  `import { asset, daily, defineProject, mapped, source } from '@rivers-orchestrator/rivers'\n${body}\nexport default defineProject({ assets: [${assets}] })\n`

async function refusedDefinition(body: string, assets: string, mentions: string[]): Promise<string> {
  const p = makeProject({ 'rivers.config.ts': file(body, assets) })
  const r = await p.run(['materialize'])
  const text = refused(r, mentions, p.dir)
  // Refused while the project loads (defineProject validates): the store is not even opened.
  expect(existsSync(path.join(p.dir, '.rivers'))).toBe(false)
  return text
}

const events = `const events = asset({ key: 'events', partitions: daily({ start: '2024-01-01' }) }, () => [1])`

test.concurrent(
  title(86, 'a plain dep that reads several partitions (an unpartitioned asset reading a daily one)'),
  T,
  async ({ expect }) => {
    const body = `${events}\nconst model = asset({ key: 'model', deps: { events } }, ({ events }) => events)`
    expect(
      await refusedDefinition(body, 'model', ["'model'", "input 'events'", 'daily from 2024-01-01', 'mapped(events)']),
    ).toMatchSnapshot()
  },
)

test.concurrent(title(87, 'mapped() where the upstream is not partitioned'), T, async ({ expect }) => {
  const body = `const a = asset({ key: 'a' }, () => 1)\nconst b = asset({ key: 'b', deps: { a: mapped(a) } }, ({ a }) => a)`
  expect(await refusedDefinition(body, 'b', ["'b'", "input 'a'", 'mapped()'])).toMatchSnapshot()
})

test.concurrent(title(88, '`partitions` that is not a partition definition'), T, async ({ expect }) => {
  const body = `const a = asset({ key: 'a', partitions: 'daily' as never }, () => 1)`
  expect(await refusedDefinition(body, 'a', ["'a'", 'partitions', "daily({ start: '2024-01-01' })"])).toMatchSnapshot()
})

test.concurrent(title(89, 'a partitioned source'), T, async ({ expect }) => {
  const body = `const raw = source({ key: 'raw', path: 'raw.csv', partitions: daily({ start: '2024-01-01' }) } as never)\nconst a = asset({ key: 'a', deps: { raw } }, () => 1)`
  expect(await refusedDefinition(body, 'a', ["'raw'", 'partitions', 'ctx.partition'])).toMatchSnapshot()
})

test.concurrent(title(98, '`batch` on an asset without partitions'), T, async ({ expect }) => {
  const body = `const a = asset({ key: 'a', batch: 100 }, () => ({}))`
  expect(await refusedDefinition(body, 'a', ["'a'", 'batch', 'no partitions', 'add partitions'])).toMatchSnapshot()
})

test.concurrent(title(99, '`batch` that is not a whole number of at least 1'), T, async ({ expect }) => {
  const body = `const a = asset({ key: 'a', partitions: daily({ start: '2024-01-01' }), batch: 0 }, () => ({}))`
  expect(await refusedDefinition(body, 'a', ["'a'", 'batch', 'at least 1'])).toMatchSnapshot()
})

test.concurrent(
  title(100, "a batched function's result without every partition of its call"),
  T,
  async ({ expect }) => {
    const body =
      "const a = asset({ key: 'a', partitions: daily({ start: '2024-01-01', end: '2024-01-05' }), batch: 10 }, (b) =>\n" +
      '  Object.fromEntries(b.partitions.slice(1).map((p) => [p.key, p.index])))'
    const p = makeProject({ 'rivers.config.ts': file(body, 'a') })
    const r = await p.run(['materialize', '--log-level', 'silent'])
    expect(
      failedRun(r, 'a [2024-01-01...2024-01-04]', ['"2024-01-01"', 'Return one value per partition'], p.dir),
    ).toMatchSnapshot()
    expect((await p.run(['partitions', 'a', '--json'])).json()).toMatchObject({ fresh: 0, missing: 4 })
  },
)
