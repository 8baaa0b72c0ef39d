/** Catalogue #64–#69: command-line usage errors (see catalogue.ts), and the index's completeness. */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { refused, T, title } from './catalogue.js'

afterAll(removeProjects)

const p = makeProject({
  'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst model = asset({ key: 'model' }, () => 1)\nexport default defineProject({ assets: [model] })\n`,
})

test.concurrent(title(64, 'unknown command'), T, async ({ expect }) => {
  expect(refused(await p.run(['materialise']), ["'materialise'", 'assets --help'], p.dir)).toMatchSnapshot()
})

test.concurrent(title(65, 'unknown option'), T, async ({ expect }) => {
  expect(refused(await p.run(['materialize', '--froce']), ["'--froce'"], p.dir)).toMatchSnapshot()
})

test.concurrent(title(66, '--concurrency 0'), T, async ({ expect }) => {
  expect(refused(await p.run(['materialize', '--concurrency', '0']), ['--concurrency', "'0'"], p.dir)).toMatchSnapshot()
})

test.concurrent(title(67, 'show of an unknown key, with the closest key suggested'), T, async ({ expect }) => {
  expect(refused(await p.run(['show', 'modle']), ['"modle"', '"model"'], p.dir)).toMatchSnapshot()
})

test.concurrent(title(68, 'runs --metric without --asset'), T, async ({ expect }) => {
  expect(
    refused(await p.run(['runs', '--metric', 'accuracy']), ['--metric accuracy', '--asset'], p.dir),
  ).toMatchSnapshot()
})

test.concurrent(title(69, 'wipe without --yes and without a terminal'), T, async ({ expect }) => {
  expect(refused(await p.run(['wipe', 'model']), ['--yes'], p.dir)).toMatchSnapshot()
})

test('the index in catalogue.ts lists every case, and every case has a test', () => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const index = readFileSync(path.join(here, 'catalogue.ts'), 'utf8')
  const listed = [...index.matchAll(/^ \* \| +(\d+) \| /gm)].map((m) => Number(m[1]))
  const tested = readdirSync(here)
    .filter((f) => f.endsWith('.test.ts'))
    .flatMap((f) => [...readFileSync(path.join(here, f), 'utf8').matchAll(/title\((\d+), /g)].map((m) => Number(m[1])))
  expect(listed).toEqual(Array.from({ length: listed.length }, (_, i) => i + 1))
  expect([...tested].sort((a, b) => a - b)).toEqual(listed)
  expect(listed.length).toBeGreaterThanOrEqual(40)
})
