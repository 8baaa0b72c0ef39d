/**
 * `assets daemon` wakes up by itself, as a real process with a 60 s interval (so no grid tick can
 * explain a run): a write to a watched source file makes it materialize the eager child within 2 s
 * (with fs events, and with `--poll`), and an upstream asset materialized by a separate `assets
 * materialize` process makes it start the eager downstream within 2 s (the store's commit woke it).
 * Latencies are measured from the store: the daemon's run's start against the file write or the
 * upstream record.
 */
import path from 'node:path'
import { type RunRecord, SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects, type TestProject } from './project.js'
import { startCli } from './background.js'

afterAll(removeProjects)

const project = `import { asset, defineProject, source, when } from '@rivers-orchestrator/rivers'
const raw = source({ key: 'raw', path: 'data/raw.txt' })
const clean = asset({ key: 'clean', deps: { raw }, automation: when.eager() }, ({ raw }) => String(raw).trim())
const up = asset({ key: 'up' }, () => 'made by hand')
const down = asset({ key: 'down', deps: { up }, automation: when.eager() }, ({ up }) => up.length)
export default defineProject({ assets: [clean, down] })
`

/** The daemon's runs (argv `automation tick N`), oldest first, and one asset's latest record. */
async function fromStore(p: TestProject, key: string) {
  const store = SqliteStore.open(path.join(p.dir, '.rivers'), { readonly: true })
  try {
    const runs = (await store.listRuns({ limit: 100 })).filter((r) => r.argv?.[0] === 'automation').reverse()
    const [record] = await store.assetHistory(key, { limit: 1 })
    return { runs, record }
  } finally {
    await store.close()
  }
}

const ms = (iso: string) => Date.parse(iso)
const selected = (r: RunRecord) => r.selection.join(' ')

test('daemon --interval 60s: a source file write and another process’s materialization wake it', {
  timeout: 120_000,
}, async () => {
  const p = makeProject({ 'rivers.config.ts': project, 'data/raw.txt': 'abc\n' })
  const daemon = startCli(p.dir, ['--json', 'daemon', '--interval', '60s'])
  try {
    await daemon.waitFor(/"event":"run_finished"/)
    const lines = () =>
      daemon.output
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    const started = lines().find((l) => l.event === 'started')
    expect(started.watch).toEqual({ sources: ['raw'], sourceMode: 'events', storeMode: 'events', pollIntervalMs: 1000 })

    // (a) The file changes: a tick observes just that source and launches the eager child.
    const wroteAt = Date.now()
    p.write({ 'data/raw.txt': 'abcd\n' })
    await daemon.waitFor(/"event":"run_finished"/, 2)
    const fileTick = lines().find((l) => l.event === 'tick' && l.observed?.length > 0)
    expect(fileTick).toMatchObject({ observed: ['raw'], woken: ['files'], requested: ['clean'] })
    const { runs: afterWrite } = await fromStore(p, 'clean')
    expect(afterWrite.map(selected)).toEqual(['key:clean', 'key:clean'])
    const fileLatency = ms(afterWrite[1]!.startedAt) - wroteAt
    expect(fileLatency).toBeLessThan(2_000)

    // (b) Another process materializes the upstream: its commit wakes the daemon, which starts the eager downstream.
    const byHand = await p.run(['materialize', 'up'])
    expect(byHand.code).toBe(0)
    await daemon.waitFor(/"event":"run_finished"/, 3)
    const { runs, record } = await fromStore(p, 'up')
    expect(runs.map(selected)).toEqual(['key:clean', 'key:clean', 'key:down'])
    const storeLatency = ms(runs[2]!.startedAt) - ms(record!.finishedAt)
    expect(storeLatency).toBeGreaterThanOrEqual(0)
    expect(storeLatency).toBeLessThan(2_000)
    const storeTick = lines().find((l) => l.event === 'tick' && l.requested.includes('down'))
    expect(storeTick.woken).toContain('store')
    expect(storeTick.observed).toEqual([])
    // Only these wake-ups ticked: the first tick, the runs finishing, the file, the store.
    for (const l of lines().filter((l) => l.event === 'tick'))
      for (const why of l.woken) expect(['files', 'store', 'run']).toContain(why)
    daemon.child.kill('SIGTERM')
    expect(await daemon.exited).toBe(0)
  } finally {
    daemon.child.kill('SIGKILL')
  }
})

test('daemon --poll: a source file write is seen by polling; idle ticks print nothing', {
  timeout: 120_000,
}, async () => {
  const p = makeProject({ 'rivers.config.ts': project, 'data/raw.txt': 'abc\n' })
  const daemon = startCli(p.dir, ['daemon', '--interval', '60s', '--poll', '--poll-interval', '250ms'])
  try {
    await daemon.waitFor(/run \S+ success: 1 materialized/)
    expect(daemon.output).toMatch(
      /daemon started \(pid \d+\): ticking every 1m 00s, .*; watching 1 source file with polling every 250ms; store commits with polling every 250ms\n/,
    )
    const wroteAt = Date.now()
    p.write({ 'data/raw.txt': 'abcd\n' })
    await daemon.waitFor(/run \S+ success: 1 materialized/, 2)
    const { runs } = await fromStore(p, 'clean')
    expect(runs.map(selected)).toEqual(['key:clean', 'key:clean'])
    expect(ms(runs[1]!.startedAt) - wroteAt).toBeLessThan(2_000)
    daemon.child.kill('SIGTERM')
    expect(await daemon.exited).toBe(0)
  } finally {
    daemon.child.kill('SIGKILL')
  }
  // Two ticks did something (the first, the file's); the ticks after each run finished were idle.
  const ticks = daemon.output.split('\n').filter((l) => / tick \d+: /.test(l))
  expect(ticks).toHaveLength(2)
  expect(ticks[0]).toMatch(/tick \d+: 2 evaluated, 1 requested \(clean\), run \S+ launched \(conditions: clean\)/)
  expect(ticks[1]).toMatch(/tick \d+: raw changed; 1 evaluated, 1 requested \(clean\), run \S+ launched/) // down reads nothing that changed: its decision holds
  expect(daemon.output).not.toMatch(/idle tick/)
})
