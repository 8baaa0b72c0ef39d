import { expect, test } from 'vitest'
import { makeCtx } from '../context.js'
import { fakeIo } from '../testing.fixture.js'
import { daemonLog } from './log.js'

const at = () => new Date('2026-12-05T10:00:00.000Z')
const report = {
  tickId: 12,
  evaluated: 4,
  requested: ['features', 'model'],
  runs: [{ runId: '20261205T100000Z-ab12cd', select: ['features', 'model'], source: 'conditions' }],
  sensors: [{ name: 'batches', error: 'ENOENT: no such file or directory, scandir incoming/' }],
}
const summary = {
  runId: '20261205T100000Z-ab12cd',
  status: 'failed' as const,
  durationMs: 1234,
  materialized: ['features'],
  skipped: [],
  failed: [{ key: 'model', error: 'diverged' }],
}

test('a line per tick that did something and per finished run, each with its time; idle ticks print nothing', () => {
  const io = fakeIo()
  const log = daemonLog(makeCtx(io, {}), at)
  log.info('started', 'daemon started (pid 1)')
  log.tick(report, 8.4)
  log.tick({ tickId: 13, evaluated: 4, requested: [], runs: [] }, 2)
  log.tick({ tickId: 14, evaluated: 4, requested: [], runs: [], observed: ['raw'], woken: ['files'] }, 3)
  log.tick({ tickId: 15, evaluated: 1, requested: [], runs: [], sensors: [{ name: 'warehouse', observations: 2 }] }, 4)
  log.runFinished(summary.runId, { ok: true, value: summary }, 1300)
  log.runFinished('r2', { ok: false, error: new Error('store is locked') }, 10)
  log.tickFailed(new Error('database is locked'), 5001)
  expect(io.stdout.text).toMatchInlineSnapshot(`
    "2026-12-05T10:00:00.000Z daemon started (pid 1)
    2026-12-05T10:00:00.000Z tick 12: 4 evaluated, 2 requested (features, model), run 20261205T100000Z-ab12cd launched (conditions: features, model), sensor batches failed: ENOENT: no such file or directory, scandir incoming/ · 8ms
    2026-12-05T10:00:00.000Z tick 14: raw changed; 4 evaluated, 0 requested · 3ms
    2026-12-05T10:00:00.000Z tick 15: warehouse reported 2 new data versions; 1 evaluated, 0 requested · 4ms
    2026-12-05T10:00:00.000Z run 20261205T100000Z-ab12cd failed: 1 materialized, 0 skipped, 1 failed (model) · 1.2s
    2026-12-05T10:00:00.000Z run r2 could not finish: store is locked
    2026-12-05T10:00:00.000Z tick failed: database is locked · 5.0s
    "
  `)
})

test('idle ticks are summed up at most once a minute, counted from the last line', () => {
  const io = fakeIo()
  let clock = Date.parse('2026-12-05T10:00:00.000Z')
  const log = daemonLog(makeCtx(io, {}), () => new Date(clock))
  const idle = { tickId: null, evaluated: 2, requested: [], runs: [], observed: [], woken: ['store'] }
  log.info('started', 'daemon started (pid 1)')
  for (let i = 0; i < 12; i++) {
    clock += 5_000 // the 12th idle tick is a minute after the start line
    log.tick({ ...idle, tickId: i + 1 }, 1)
  }
  clock += 5_000
  log.tick({ ...idle, tickId: 13, requested: ['model'] }, 1)
  for (let i = 0; i < 3; i++) {
    clock += 30_000
    log.tick({ ...idle, tickId: 14 + i }, 1)
  }
  expect(io.stdout.text).toMatchInlineSnapshot(`
    "2026-12-05T10:00:00.000Z daemon started (pid 1)
    2026-12-05T10:01:00.000Z 12 idle ticks since 2026-12-05T10:00:00.000Z
    2026-12-05T10:01:05.000Z tick 13: 2 evaluated, 1 requested (model) · 1ms
    2026-12-05T10:02:05.000Z 2 idle ticks since 2026-12-05T10:01:05.000Z
    "
  `)
})

test('--json: one JSON object per line, idle ticks too', () => {
  const io = fakeIo()
  const log = daemonLog(makeCtx(io, { json: true }), at)
  log.tick(report, 8.4)
  log.tick({ tickId: 13, evaluated: 4, requested: [], runs: [], observed: [], woken: ['store'] }, 2.2)
  log.runFinished(summary.runId, { ok: true, value: summary }, 1300)
  const lines = io.stdout.text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l))
  expect(lines).toEqual([
    {
      at: '2026-12-05T10:00:00.000Z',
      event: 'tick',
      tickId: 12,
      evaluated: 4,
      requested: ['features', 'model'],
      runs: report.runs,
      durationMs: 8,
      sensorErrors: report.sensors,
    },
    {
      at: '2026-12-05T10:00:00.000Z',
      event: 'tick',
      tickId: 13,
      evaluated: 4,
      requested: [],
      runs: [],
      durationMs: 2,
      observed: [],
      woken: ['store'],
    },
    {
      at: '2026-12-05T10:00:00.000Z',
      event: 'run_finished',
      runId: summary.runId,
      status: 'failed',
      materialized: ['features'],
      skipped: [],
      failed: [{ key: 'model', error: 'diverged' }],
      durationMs: 1234,
    },
  ])
})
