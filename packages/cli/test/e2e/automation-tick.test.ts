/** `assets tick` and `assets automation` on a temporary project: decisions, trees, runs, exit codes. */
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const T = { timeout: 60_000 }

const project = (
  modelThrows = false,
) => `import { asset, defineProject, source, when } from '@rivers-orchestrator/rivers'
const raw = source({ key: 'raw', path: 'data/raw.txt' })
const features = asset({ key: 'features', deps: { raw }, automation: when.eager() }, ({ raw }) =>
  String(raw).trim().split(',').map(Number),
)
const model = asset(
  { key: 'model', deps: { features }, automation: when.eager().and(when.not(when.inProgress())) },
  ({ features }) => {
    ${modelThrows ? "throw new Error('training diverged')" : ''}
    return features.reduce((a: number, b: number) => a + b, 0)
  },
)
const report = asset({ key: 'report', deps: { model } }, ({ model }) => 'total ' + model)
export default defineProject({ assets: [report] })
`

/** Durations replaced, for snapshots. */
function durations(text: string): string {
  return text.replace(/· \d+(\.\d+)?(ms|s)\b/g, '· <duration>')
}

/** Run ids, times and durations replaced, for snapshots. */
function normalise(text: string): string {
  return durations(
    text
      .replace(/\d{8}T\d{6}Z-[0-9a-f]{6}/g, '<run>')
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<time>'),
  )
}

test(
  'tick --dry-run: every asset with a condition, its decision and tree; nothing stored, nothing run',
  T,
  async () => {
    const p = makeProject({ 'rivers.config.ts': project(), 'data/raw.txt': '1,2,3\n' })
    const r = await p.run(['tick', '--dry-run', '--json', '--now', '2026-12-05T10:00:00Z'])
    expect(r.code, r.stderr).toBe(0)
    const report = r.json()
    expect(report).toMatchObject({
      tickId: null,
      at: '2026-12-05T10:00:00.000Z',
      evaluated: 2,
      requested: ['features', 'model'],
      runs: [],
      sensors: [],
      schedules: [],
    })
    expect(typeof report.durationMs).toBe('number')
    expect(report.decisions).toEqual([
      {
        key: 'features',
        requested: true,
        tree: { kind: 'eager', path: '', value: true, label: 'eager: never materialized' },
      },
      {
        key: 'model',
        requested: true,
        tree: {
          kind: 'and',
          path: '',
          value: true,
          label: 'and: 2 of 2 true',
          children: [
            expect.objectContaining({
              kind: 'eager',
              path: '0',
              value: true,
              label: 'eager: never materialized',
            }),
            expect.objectContaining({ kind: 'not', path: '1', value: true }),
          ],
        },
      },
    ])

    const text = await p.run(['tick', '--dry-run', '--now', '2026-12-05T10:00:00Z'])
    expect(text.code, text.stderr).toBe(0)
    expect(durations(text.stdout)).toMatchInlineSnapshot(`
      "Dry run at 2026-12-05T10:00:00.000Z: nothing stored, no run launched. 2 evaluated, 2 would be requested · <duration>

      features would be requested
        [yes] eager: never materialized

      model would be requested
        [yes] and: 2 of 2 true
          [yes] eager: never materialized
          [yes] not: false inside
            [no] in_progress: no run holds its lease
      "
    `)

    const log = await p.run(['automation', '--json'])
    expect(log.code, log.stderr).toBe(0)
    expect(log.json()).toEqual([])
  },
)

test('tick launches one run for the requested assets and waits; automation KEY explains each decision', T, async () => {
  const p = makeProject({ 'rivers.config.ts': project(), 'data/raw.txt': '1,2,3\n' })
  const first = await p.run(['tick', '--json'])
  expect(first.code, first.stderr).toBe(0)
  const report = first.json()
  expect(report.tickId).toBe(1)
  // model's input is requested in the same tick: one run builds both, upstream first (report has no
  // condition: left alone).
  expect(report.requested).toEqual(['features', 'model'])
  expect(report.runs).toEqual([
    {
      runId: expect.any(String),
      select: ['key:features', 'key:model'],
      source: 'conditions',
      summary: expect.objectContaining({ status: 'success', materialized: ['features', 'model'] }),
    },
  ])
  expect(report.decisions.map((d: { runId: string }) => d.runId)).toEqual([report.runs[0].runId, report.runs[0].runId])

  // New source data: features is eager on it, and model on features, requested in the same tick.
  p.write({ 'data/raw.txt': '1,2,3,4\n' })
  const second = await p.run(['tick'])
  expect(second.code, second.stderr).toBe(0)
  expect(normalise(second.stdout)).toMatchInlineSnapshot(`
    "Tick 2 at <time>. 2 evaluated, 2 requested · <duration>

    features requested -> run <run>
      [yes] eager: input raw has a new data version

    model requested -> run <run>
      [yes] and: 2 of 2 true
        [yes] eager: input features is requested in this tick
        [yes] not: false inside
          [no] in_progress: no run holds its lease

    Runs:
      <run> (conditions: features, model) success: 2 materialized, 0 skipped, 0 failed · <duration>
    "
  `)
  const why = await p.run(['automation', 'model'])
  expect(why.code, why.stderr).toBe(0)
  expect(normalise(why.stdout)).toMatchInlineSnapshot(`
    "<time> tick 2 model requested -> run <run>
      [yes] and: 2 of 2 true
        [yes] eager: input features is requested in this tick
        [yes] not: false inside
          [no] in_progress: no run holds its lease

    <time> tick 1 model requested -> run <run>
      [yes] and: 2 of 2 true
        [yes] eager: never materialized
        [yes] not: false inside
          [no] in_progress: no run holds its lease
    "
  `)
  const json = (await p.run(['automation', 'model', '--limit', '1', '--json'])).json()
  expect(json).toEqual([
    expect.objectContaining({
      tickId: 2,
      key: 'model',
      requested: true,
      runId: expect.any(String),
      at: expect.any(String),
    }),
  ])

  const unknown = await p.run(['automation', 'modle'])
  expect(unknown.code).toBe(2)
  expect(unknown.stderr).toContain('model')
})

test('tick exits 1 when a launched run fails, and 2 on a bad --now', T, async () => {
  const p = makeProject({ 'rivers.config.ts': project(true), 'data/raw.txt': '1,2,3\n' })
  const failed = await p.run(['tick'])
  expect(failed.code).toBe(1)
  expect(normalise(failed.stdout)).toContain(
    'Runs:\n  <run> (conditions: features, model) failed: 1 materialized, 0 skipped, 1 failed (model) · <duration>',
  )
  // model failed, so it is still missing: the next tick requests it again (features is up to date).
  const again = await p.run(['tick'])
  expect(again.code).toBe(1)
  expect(normalise(again.stdout)).toContain(
    'Runs:\n  <run> (conditions: model) failed: 0 materialized, 0 skipped, 1 failed (model) · <duration>',
  )
  const bad = await p.run(['tick', '--now', 'yesterday'])
  expect(bad.code).toBe(2)
  expect(bad.stderr).toContain(
    '--now "yesterday" is not a date and time.\nFix: give an ISO 8601 time, e.g. --now 2026-12-05T03:00:00Z.',
  )
})
