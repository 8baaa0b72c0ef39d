/** Catalogue #86–#89: partitioned asset definitions refused before anything runs (see catalogue.ts). */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { refused, T, title } from './catalogue.js'

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
