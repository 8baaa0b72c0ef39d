/** Catalogue #81–#83: retention policies and pins that cannot work (see catalogue.ts). */
import { afterAll, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { refused, title } from './catalogue.js'

afterAll(removeProjects)

/** Several CLI runs per case: more time than the catalogue's usual 30 s on a loaded machine. */
const T = { timeout: 120_000 }

const project = (retention: string) => `import { asset, defineProject } from '@rivers-orchestrator/rivers'
const raw = asset({ key: 'raw' }, () => [1])
const model = asset({ key: 'model', deps: { raw }, ${retention} } as any, ({ raw }) => raw.length)
export default defineProject({ assets: [model] })
`

test.concurrent(title(81, 'a bad retention policy (keep 0, an unknown field, no field)'), T, async ({ expect }) => {
  const texts: string[] = []
  for (const [spec, mentions] of [
    ['retention: { keep: 0 }', ["'model'", 'retention.keep', 'keep?: 3']],
    ["retention: { keep: 2, maxAgee: '30d' }", ["'model'", 'maxAgee', 'maxAge']],
    ['retention: {}', ["'model'", 'retention', 'keep or maxAge']],
  ] as const) {
    const p = makeProject({ 'rivers.config.ts': project(spec) })
    texts.push(refused(await p.run(['gc']), mentions, p.dir))
  }
  expect(texts.join('')).toMatchSnapshot()
})

test.concurrent(title(82, '`pin` of an unknown key, or of an asset never materialized'), T, async ({ expect }) => {
  const p = makeProject({ 'rivers.config.ts': project('') })
  const unknown = refused(await p.run(['pin', 'modle']), ['"modle"', '"model"'], p.dir)
  const never = refused(await p.run(['pin', 'model']), ["'model'", 'assets materialize model'], p.dir)
  expect(unknown + never).toMatchSnapshot()
})

test.concurrent(title(83, '`pin --run` of a run that did not build the asset'), T, async ({ expect }) => {
  const p = makeProject({ 'rivers.config.ts': project('') })
  expect((await p.run(['materialize', 'raw', '--json'])).code).toBe(0)
  expect((await p.run(['materialize', '--json'])).code).toBe(0)
  const [, first] = (await p.run(['runs', '--json'])).json<{ runId: string }[]>()
  const text = refused(
    await p.run(['pin', 'model', '--run', first!.runId]),
    ["'model'", first!.runId, 'assets show model'],
    p.dir,
  )
  expect(text).toMatchSnapshot()
})
