/**
 * Honest sources: a source that cannot be observed (its file deleted, an observe that throws) is
 * `unobservable` in `status` and `plan`, its consumers are stale and fail if they run (exit 1, naming
 * the source and its file), nothing reuses its last observation; when the file comes back unchanged,
 * nothing is rebuilt.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const T = { timeout: 90_000 }

const project = `import { existsSync } from 'node:fs'
import { asset, defineProject, source } from '@rivers-orchestrator/rivers'

const orders = source({ key: 'orders', path: 'data/orders.csv' })
const parsed = asset({ key: 'parsed', deps: { orders } }, ({ orders }) => orders.toString('utf8').trim().split('\\n'))
const report = asset({ key: 'report', deps: { parsed } }, ({ parsed }) => ({ rows: parsed.length }))
const other = asset({ key: 'other', codeVersion: process.env.OTHER_V ?? 'v1' }, () => 1)
const api = source({
  key: 'api',
  observe: () => {
    if (existsSync('api-down')) throw new Error('the API answered 503 Service Unavailable')
    return { dataVersion: 'v1' }
  },
  load: () => ({ v: 1 }),
})
const fromApi = asset({ key: 'from_api', deps: { api } }, ({ api }) => api)
export default defineProject({ assets: [report, other, fromApi] })
`

const CSV = 'id,total\n1,10\n2,20\n'

function setup() {
  const p = makeProject({ 'rivers.config.ts': project, 'data/orders.csv': CSV })
  const scrub = (text: string) =>
    p
      .scrub(text)
      .replace(/\d{8}T\d{6}Z-[0-9a-f]{6}/g, '<run>')
      .replace(/\b\d+(\.\d+)?(ms|s)\b/g, '<time>')
  return { p, scrub }
}

test(
  'a deleted source file: unobservable in status and plan, its consumers fail (exit 1), the rest runs',
  T,
  async () => {
    const { p, scrub } = setup()
    const first = await p.run(['materialize', '--json'])
    expect(first.code, first.stderr).toBe(0)
    const file = path.join(p.dir, 'data/orders.csv')
    p.remove('data/orders.csv')

    const status = await p.run(['status', '--json'])
    expect(status.code, status.stderr).toBe(0)
    const byKey = Object.fromEntries(status.json().assets.map((a: { key: string }) => [a.key, a]))
    expect(byKey.orders).toMatchObject({ status: 'unobservable', source: true, observation: { path: file } })
    expect(byKey.orders.observation.error).toContain('ENOENT')
    expect(byKey.parsed).toMatchObject({ status: 'stale', planned: true })
    expect(byKey.parsed.causes).toEqual([
      { kind: 'upstream_data_changed', dep: 'orders', message: expect.stringContaining('could not be observed') },
    ])
    expect(byKey.parsed.rootCauses).toEqual([
      { key: 'orders', kind: 'source_unobservable', message: expect.stringContaining('ENOENT') },
    ])
    expect(byKey.report).toMatchObject({ status: 'fresh', planned: true })
    expect(byKey.other).toMatchObject({ status: 'fresh', planned: false })
    const human = await p.run(['status'])
    expect(human.code).toBe(0)
    expect(scrub(human.stdout)).toMatchSnapshot()

    const plan = await p.run(['plan', '--json'])
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.json()).toMatchObject({
      layers: [['parsed'], ['report']],
      unobservable: [{ key: 'orders', path: file, error: expect.stringContaining('ENOENT') }],
    })
    expect(scrub((await p.run(['plan'])).stdout)).toMatchSnapshot()

    const run = await p.run(['materialize', '--json'], { env: { OTHER_V: 'v2' } })
    expect(run.code, run.stderr).toBe(1)
    const summary = run.json()
    expect(summary.materialized).toEqual(['other'])
    expect(summary.failed).toHaveLength(1)
    expect(summary.failed[0].key).toBe('parsed')
    expect(summary.failed[0].error).toContain('source "orders"')
    expect(summary.failed[0].error).toContain(file)
    expect(summary.skipped).toEqual([{ key: 'report', reason: 'upstream_failed' }])
    const humanRun = await p.run(['materialize', '--log-level', 'silent'], { env: { OTHER_V: 'v2' } })
    expect(humanRun.code).toBe(1)
    expect(scrub(humanRun.stdout)).toMatchSnapshot()

    // The file comes back with the same content: its recorded observation is the truth again.
    p.write({ 'data/orders.csv': CSV })
    const back = await p.run(['status', '--json'], { env: { OTHER_V: 'v2' } })
    const statuses = back
      .json()
      .assets.map((a: { key: string; status: string; planned: boolean }) => [a.key, a.status, a.planned])
    expect(statuses).toEqual(
      expect.arrayContaining([
        ['orders', 'fresh', false],
        ['parsed', 'fresh', false],
        ['report', 'fresh', false],
      ]),
    )
    const again = await p.run(['materialize', '--json'], { env: { OTHER_V: 'v2' } })
    expect(again.code, again.stderr).toBe(0)
    expect(again.json()).toMatchObject({ materialized: [], skipped: [], failed: [] })
  },
)

test(
  'an observe function that throws: unobservable with its error, its consumer fails naming the source',
  T,
  async () => {
    const { p, scrub } = setup()
    expect((await p.run(['materialize', '--json'])).code).toBe(0)
    writeFileSync(path.join(p.dir, 'api-down'), '')
    const status = await p.run(['status', 'api+', '--json'])
    const [api, fromApi] = status.json().assets
    expect(api).toMatchObject({
      key: 'api',
      status: 'unobservable',
      observation: { error: expect.stringContaining('503') },
    })
    expect(api.observation.path).toBeUndefined()
    expect(fromApi).toMatchObject({ key: 'from_api', status: 'stale', planned: true })
    const run = await p.run(['materialize', '--log-level', 'silent'])
    expect(run.code).toBe(1)
    expect(scrub(run.stdout)).toMatchSnapshot()
    expect(readFileSync(path.join(p.dir, 'data/orders.csv'), 'utf8')).toBe(CSV)
  },
)
