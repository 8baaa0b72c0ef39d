/**
 * Catalogue #80: a run needs a source whose file is gone (deleted or unmounted since it was last
 * observed): the asset that reads it fails naming the source and the file (exit 1), nothing reuses
 * the last observation (see catalogue.ts).
 */
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { failedRun, T, title } from './catalogue.js'

afterAll(removeProjects)

test(title(80, 'a source file deleted after a run (its consumers fail naming the file)'), T, async () => {
  const p = makeProject({
    'rivers.config.ts': `import { asset, defineProject, source } from '@rivers-orchestrator/rivers'
const orders = source({ key: 'raw/orders', path: 'data/orders.csv' })
const count = asset({ key: 'count', deps: { orders } }, ({ orders }) => orders.length)
export default defineProject({ assets: [count] })
`,
    'data/orders.csv': 'id\n1\n',
  })
  expect((await p.run(['materialize', '--log-level', 'silent'])).code).toBe(0)
  p.remove('data/orders.csv')
  const r = await p.run(['materialize', '--log-level', 'silent'])
  expect(failedRun(r, 'count', ['"raw/orders"', 'data/orders.csv', 'restore'], p.dir)).toMatchSnapshot()
})
