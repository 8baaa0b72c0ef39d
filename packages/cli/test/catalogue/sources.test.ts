/**
 * Catalogue #80: a run needs a source whose file is gone (deleted or unmounted since it was last
 * observed): the asset that reads it fails naming the source and the file (exit 1), nothing reuses
 * the last observation. #84, #85: sources reported by sensors (see catalogue.ts).
 */
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { failedRun, refused, T, title } from './catalogue.js'

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

const reported = (
  sensorName: string,
) => `import { asset, defineProject, sensor, source } from '@rivers-orchestrator/rivers'
const events = source({ key: 'raw/events', reportedBy: 'warehouse', load: () => 1 })
const counts = asset({ key: 'counts', deps: { events } }, ({ events }) => events)
const warehouse = sensor({ name: '${sensorName}', evaluate: () => ({ skipReason: 'nothing yet' }) })
export default defineProject({ assets: [counts], sensors: [warehouse] })
`

test(title(84, 'a source `reportedBy` a sensor the project does not list (closest suggested)'), T, async () => {
  const p = makeProject({ 'rivers.config.ts': reported('warehose') })
  const r = await p.run(['status'])
  expect(refused(r, ["'raw/events'", "'warehouse'", "Did you mean 'warehose'", 'reportedBy'], p.dir)).toMatchSnapshot()
})

test(title(85, 'materializing a consumer of a reported source that its sensor has not reported yet'), T, async () => {
  const p = makeProject({ 'rivers.config.ts': reported('warehouse') })
  const r = await p.run(['materialize', 'counts'])
  expect(refused(r, ['"counts"', '"raw/events"', '"warehouse"', 'assets tick'], p.dir)).toMatchSnapshot()
})
