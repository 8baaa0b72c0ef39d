/** Catalogue #36–#42, #70–#71: run config (`--config`) that is unreadable or invalid (see catalogue.ts). */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { refused, T, title } from './catalogue.js'

afterAll(removeProjects)

const p = makeProject({
  'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'
import { z } from 'zod'
const raw = asset({ key: 'raw' }, () => [1, 2, 3])
const model = asset(
  { key: 'model', deps: { raw }, config: z.object({ epochs: z.number().int().positive(), optimizer: z.object({ name: z.enum(['sgd', 'adam']), lr: z.number().max(1) }) }) },
  ({ raw }, ctx) => raw.length * ctx.config.epochs,
)
export default defineProject({ assets: [model] })
`,
  'configs/prod.json': '{ "model": { "epochs": 3, "optimizer": { "name": "adam", "lr": 0.1 } } }\n',
})

const good = { epochs: 3, optimizer: { name: 'adam', lr: 0.1 } }

/** `materialize --config VALUE` is refused, and nothing ran (no run recorded). */
async function refusedConfig(value: string, mentions: string[]): Promise<string> {
  const text = refused(await p.run(['materialize', '--config', value]), mentions, p.dir)
  expect((await p.run(['runs', '--json'])).json()).toEqual([])
  return text
}

test.concurrent(
  title(36, '--config that is not valid JSON (line, column; string values masked)'),
  T,
  async ({ expect }) => {
    expect(
      await refusedConfig('{"model": {"epochs": 3, "optimizer": {"name": "adam" "lr": 0.1}}}', [
        '--config',
        'line 1, column 54',
      ]),
    ).toMatchSnapshot()
  },
)

test.concurrent(title(37, '--config that is not an object'), T, async ({ expect }) => {
  expect(await refusedConfig('[{"model": {}}]', ['--config', 'an array'])).toMatchSnapshot()
})

test.concurrent(title(38, '--config file that does not exist'), T, async ({ expect }) => {
  expect(await refusedConfig('configs/staging.json', ['configs/staging.json'])).toMatchSnapshot()
})

test.concurrent(
  title(39, '--config naming an unknown asset, with the closest key suggested'),
  T,
  async ({ expect }) => {
    expect(await refusedConfig(JSON.stringify({ modle: good }), ['"modle"', '"model"'])).toMatchSnapshot()
  },
)

test.concurrent(title(40, "config failing its zod schema (zod's issue paths)"), T, async ({ expect }) => {
  const text = await refusedConfig(JSON.stringify({ model: { epochs: 0, optimizer: { name: 'adamw', lr: 3 } } }), [
    "'model'",
    'epochs:',
    'optimizer.name:',
    'optimizer.lr:',
  ])
  expect(text).toMatchSnapshot()
})

test.concurrent(title(41, 'config given to an asset that takes none'), T, async ({ expect }) => {
  expect(await refusedConfig(JSON.stringify({ model: good, raw: { rows: 10 } }), ["'raw'"])).toMatchSnapshot()
})

test.concurrent(title(42, 'required config missing'), T, async ({ expect }) => {
  const text = refused(await p.run(['materialize']), ["'model'", 'epochs:'], p.dir)
  expect(text).toMatchSnapshot()
  // The same config from a file works (on a copy: the other cases expect no run in \`p\`).
  const copy = makeProject({
    'rivers.config.ts': readFileSync(path.join(p.dir, 'rivers.config.ts'), 'utf8'),
    'configs/prod.json': readFileSync(path.join(p.dir, 'configs/prod.json'), 'utf8'),
  })
  const ok = await copy.run(['materialize', '--json', '--config', 'configs/prod.json'])
  expect(ok.code, ok.stderr).toBe(0)
})

test.concurrent(
  title(70, '--config with a misspelled field (refused, not silently dropped; did-you-mean)'),
  T,
  async ({ expect }) => {
    const text = await refusedConfig(JSON.stringify({ model: { ...good, epoch: 5 } }), [
      "'model'",
      'epoch:',
      '"epochs"',
    ])
    expect(text).toMatchSnapshot()
  },
)

test.concurrent(
  title(71, 'status --config with an unknown nested field (status refuses a config as materialize does)'),
  T,
  async ({ expect }) => {
    const r = await p.run([
      'status',
      '--config',
      JSON.stringify({ model: { ...good, optimizer: { name: 'adam', lrr: 0.1 } } }),
    ])
    const text = refused(r, ["'model'", 'optimizer.lrr:', '"lr"', 'fields of optimizer: name, lr'], p.dir)
    expect(text).toMatchSnapshot()
  },
)
