/**
 * `assets daemon` on a PostgreSQL team store (issue 16), as a real process with a 60 s interval (no
 * grid tick can explain a run): an upstream asset materialized by a separate `assets materialize`
 * process wakes it through LISTEN/NOTIFY and it starts the eager downstream; every connection of the
 * daemon killed on the server (`pg_terminate_backend`) is survived: it says it polls, listens again,
 * and the next upstream materialization still starts the downstream. A second daemon on the same
 * database (another folder: as another machine would) is refused, naming the holder. Needs
 * RIVERS_TEST_PG_URL (skipped without it locally, failing in CI).
 */
import { PostgresStore } from '@rivers-orchestrator/store-postgres'
import pg from 'pg'
import { afterAll, describe, expect, test } from 'vitest'
import { freshDatabase, pgUnavailable } from '../../../store-postgres/src/testing.js'
import { startCli } from './background.js'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const project = `import { asset, defineProject, when } from '@rivers-orchestrator/rivers'
const up = asset({ key: 'up' }, () => 'made by hand at ' + Date.now())
const down = asset({ key: 'down', deps: { up }, automation: when.eager() }, ({ up }) => up.length)
export default defineProject({ assets: [up, down] })
`

/** The daemon's runs (argv `automation tick N`), oldest first, and the latest record of `up`. */
async function fromStore(url: string) {
  const store = await PostgresStore.open(url, { pool: { max: 1 } })
  try {
    const runs = (await store.listRuns({ limit: 100 })).filter((r) => r.argv?.[0] === 'automation').reverse()
    const [up] = await store.assetHistory('up', { limit: 1 })
    return { runs: runs.map((r) => ({ selection: r.selection.join(' '), startedAt: r.startedAt })), up }
  } finally {
    await store.close()
  }
}

describe.skipIf(pgUnavailable() !== undefined)('assets daemon on a PostgreSQL store', () => {
  test('another process’s commit wakes it (LISTEN/NOTIFY); killed connections are survived', {
    timeout: 120_000,
  }, async () => {
    const { url, drop } = await freshDatabase()
    const p = makeProject({ 'rivers.config.ts': project })
    const daemon = startCli(p.dir, ['--json', '--store', url, 'daemon', '--interval', '60s'])
    try {
      await daemon.waitFor(/"event":"tick"/)
      const lines = () =>
        daemon.output
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l))
      const started = lines().find((l) => l.event === 'started')
      expect(started.watch).toMatchObject({ storeMode: 'events' })
      expect(started.store).toBe(url)

      // (a) Another process materializes the upstream: its commit wakes the daemon, which starts down.
      const byHand = await p.run(['materialize', 'up', '--store', url])
      expect(byHand.code, byHand.stderr).toBe(0)
      await daemon.waitFor(/"event":"run_finished"/)
      const first = await fromStore(url)
      expect(first.runs.map((r) => r.selection)).toEqual(['key:down'])
      const latency = Date.parse(first.runs[0]!.startedAt) - Date.parse(first.up!.finishedAt)
      expect(latency).toBeGreaterThanOrEqual(0)
      expect(latency).toBeLessThan(2_000)
      expect(lines().find((l) => l.event === 'tick' && l.requested?.includes('down')).woken).toContain('store')

      // (b) Every connection the daemon holds is killed on the server: it polls, then listens again.
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      try {
        const killed = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        )
        expect(killed.rowCount).toBeGreaterThanOrEqual(1)
      } finally {
        await admin.end()
      }
      await daemon.waitFor(/"event":"watch_fallback"/)
      await daemon.waitFor(/"event":"watch_resumed"/)
      const again = await p.run(['materialize', 'up', '--force', '--store', url])
      expect(again.code, again.stderr).toBe(0)
      await daemon.waitFor(/"event":"run_finished"/, 2)
      const second = await fromStore(url)
      expect(second.runs.map((r) => r.selection)).toEqual(['key:down', 'key:down'])
      expect(Date.parse(second.runs[1]!.startedAt) - Date.parse(second.up!.finishedAt)).toBeLessThan(2_000)

      // (c) A second daemon on the same database, from another folder: refused, naming the holder.
      const other = makeProject({ 'rivers.config.ts': project })
      const refused = await other.run(['daemon', '--store', url])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(new RegExp(`Another daemon runs on the store .*: pid ${daemon.child.pid} on `))

      daemon.child.kill('SIGTERM')
      expect(await daemon.exited).toBe(0)
    } finally {
      daemon.child.kill('SIGKILL')
      await drop()
    }
  })
})
