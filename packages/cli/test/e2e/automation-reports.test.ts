/**
 * A sensor reporting the data version of a source Rivers cannot look at (`reportedBy`), through the
 * real `assets` binary: before the first report `materialize` refuses the consumer naming the
 * sensor; `assets tick` records the report and runs the eager consumer in the same tick; a second
 * tick with the same batch records nothing; a new batch runs it again.
 */
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const project = `import { readFileSync } from 'node:fs'
import { asset, defineProject, sensor, source, when } from '@rivers-orchestrator/rivers'
// The "warehouse": a file standing in for a table whose batch id only a query can tell.
const batch = () => readFileSync('warehouse/batch.txt', 'utf8').trim()
const events = source({ key: 'raw/events', reportedBy: 'warehouse', load: () => Number(batch()) })
const counts = asset({ key: 'counts', deps: { events }, automation: when.eager() }, ({ events }) => events * 10)
const warehouse = sensor({
  name: 'warehouse',
  evaluate: ({ cursor }) =>
    batch() === cursor
      ? { skipReason: 'no new batch' }
      : { observations: [{ key: 'raw/events', dataVersion: batch(), metadata: { batch: batch() } }], cursor: batch() },
})
export default defineProject({ assets: [counts], sensors: [warehouse] })
`

test('assets tick records what a sensor reports and runs the eager consumer in the same tick', {
  timeout: 90_000,
}, async () => {
  const p = makeProject({ 'rivers.config.ts': project, 'warehouse/batch.txt': '1\n' })
  const refused = await p.run(['materialize', 'counts'])
  expect(refused.code).toBe(2)
  expect(refused.stderr).toContain('needs source "raw/events", which sensor "warehouse" has not reported yet')

  const first = await p.run(['tick', '--json'])
  expect(first.code, first.stderr).toBe(0)
  const report = first.json()
  expect(report.sensors).toMatchObject([{ name: 'warehouse', runRequests: 0, observations: 1, cursor: '1' }])
  expect(report.requested).toEqual(['counts'])
  expect(report.runs.map((r: { summary: { materialized: string[] } }) => r.summary.materialized)).toEqual([['counts']])

  const status = (await p.run(['status', '--json'])).json()
  expect(status.assets.map((a: { key: string; status: string }) => [a.key, a.status])).toEqual([
    ['counts', 'fresh'],
    ['raw/events', 'fresh'],
  ])

  const again = await p.run(['tick'])
  expect(again.code, again.stderr).toBe(0)
  expect(again.stdout).toContain('warehouse: skipped: no new batch (cursor 1)')

  p.write({ 'warehouse/batch.txt': '2\n' })
  const next = (await p.run(['tick', '--json'])).json()
  expect(next.sensors[0]).toMatchObject({ observations: 1, cursor: '2' })
  expect(next.requested).toEqual(['counts'])
  p.write({ 'warehouse/batch.txt': '3\n' })
  const text = await p.run(['tick'])
  expect(text.stdout).toContain('warehouse: 0 run requests, 1 new data version reported (cursor 3)')
})
