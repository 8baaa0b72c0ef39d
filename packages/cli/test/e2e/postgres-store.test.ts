/**
 * The real `assets` binary on a PostgreSQL team store (issue 16): `--store postgres://…` and
 * `RIVERS_STORE_URL` select it, records go to the database (no SQLite file is made), and outputs and
 * logs stay in the local `.rivers/` folder. Needs RIVERS_TEST_PG_URL (`.ci/run` starts a server):
 * skipped without it on a developer's machine, failing without it in CI.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { PostgresStore } from '@rivers-orchestrator/store-postgres'
import { afterAll, describe, expect, test } from 'vitest'
import { freshDatabase, pgUnavailable } from '../../../store-postgres/src/testing.js'
import { pipeline } from './pipeline.js'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

describe.skipIf(pgUnavailable() !== undefined)('assets on a PostgreSQL store', () => {
  test('materialize and status with --store postgres://…, then with RIVERS_STORE_URL', {
    timeout: 90_000,
  }, async () => {
    const { url, drop } = await freshDatabase()
    try {
      const p = makeProject({ 'rivers.config.ts': pipeline() })
      const built = await p.run(['materialize', '--json', '--store', url])
      expect(built.code, built.stderr).toBe(0)
      expect([...built.json().materialized].sort()).toEqual(['features', 'model', 'raw', 'report', 'stats'])

      const status = await p.run(['status', '--json', '--store', url])
      expect(status.code, status.stderr).toBe(0)
      expect(status.json().assets.map((a: { key: string; status: string }) => [a.key, a.status])).toEqual([
        ['features', 'fresh'],
        ['model', 'fresh'],
        ['raw', 'fresh'],
        ['report', 'fresh'],
        ['stats', 'fresh'],
      ])
      // Records live in the database; outputs and logs in the local folder; no SQLite store was made.
      expect(existsSync(path.join(p.dir, '.rivers', 'rivers.db'))).toBe(false)
      expect(existsSync(path.join(p.dir, '.rivers'))).toBe(true)
      const store = await PostgresStore.open(url, { pool: { max: 1 } })
      try {
        expect((await store.latestRecords()).keys).toEqual(['features', 'model', 'raw', 'report', 'stats'])
        expect((await store.listRuns()).map((r) => r.status)).toEqual(['success'])
      } finally {
        await store.close()
      }

      // The same store through the environment: a change of code makes features stale there.
      p.write({ 'rivers.config.ts': pipeline({ features: 'raw.map((x) => x * 3)' }) })
      const viaEnv = await p.run(['status', '--json'], { env: { RIVERS_STORE_URL: url } })
      expect(viaEnv.code, viaEnv.stderr).toBe(0)
      const stale = viaEnv.json().assets.filter((a: { status: string }) => a.status !== 'fresh')
      expect(stale.map((a: { key: string }) => a.key)).toContain('features')
      const again = await p.run(['materialize', '--json'], { env: { RIVERS_STORE_URL: url } })
      expect(again.code, again.stderr).toBe(0)
      expect(again.json().materialized).toContain('features')
      expect(again.json().materialized).not.toContain('raw')
    } finally {
      await drop()
    }
  })

  test("the project's store setting ({ env: NAME }) selects the store; RIVERS_STORE_URL and --store come first", {
    timeout: 90_000,
  }, async () => {
    const { url, drop } = await freshDatabase()
    const other = await freshDatabase()
    try {
      const p = makeProject({
        'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'
const one = asset({ key: 'one' }, () => 1)
export default defineProject({ assets: [one], store: { env: 'TEAM_STORE_URL' } })
`,
      })
      const unset = await p.run(['status'])
      expect(unset.code).toBe(2)
      expect(unset.stderr).toContain('Fix: export TEAM_STORE_URL=postgres://')
      const built = await p.run(['materialize', '--json'], { env: { TEAM_STORE_URL: url } })
      expect(built.code, built.stderr).toBe(0)
      expect(built.json().materialized).toEqual(['one'])
      expect(existsSync(path.join(p.dir, '.rivers', 'rivers.db'))).toBe(false)
      // RIVERS_STORE_URL comes before the project's setting: another (empty) database.
      const viaEnv = await p.run(['status', '--json'], { env: { TEAM_STORE_URL: url, RIVERS_STORE_URL: other.url } })
      expect(viaEnv.json().assets.map((a: { status: string }) => a.status)).toEqual(['missing'])
      // --store DIR comes before both: the embedded store in that folder.
      const local = await p.run(['status', '--json', '--store', 'local'], { env: { TEAM_STORE_URL: url } })
      expect(local.json().assets.map((a: { status: string }) => a.status)).toEqual(['missing'])
      const team = await p.run(['status', '--json'], { env: { TEAM_STORE_URL: url } })
      expect(team.json().assets.map((a: { status: string }) => a.status)).toEqual(['fresh'])
    } finally {
      await drop()
      await other.drop()
    }
  })

  test('a bad RIVERS_STORE_URL is refused, naming the fix', { timeout: 30_000 }, async () => {
    const p = makeProject({ 'rivers.config.ts': pipeline() })
    const r = await p.run(['status'], { env: { RIVERS_STORE_URL: 'mysql://root:pw@db/team' } })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('RIVERS_STORE_URL')
    expect(r.stderr).toContain('postgres://USER')
    expect(r.stderr).not.toContain(':pw@')
  })
})
