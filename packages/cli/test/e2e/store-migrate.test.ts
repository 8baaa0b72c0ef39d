/**
 * `assets store migrate --to postgres://…` through the real binary (issue 16): a project built on the
 * embedded SQLite store is copied into a fresh PostgreSQL database, then `assets status`, `runs` and
 * `show` on `--store postgres://…` answer what they answered on SQLite (outputs stay in `.rivers/`);
 * a second migration copies nothing and says so. Needs RIVERS_TEST_PG_URL (skipped without it on a
 * developer's machine, failing without it in CI).
 */
import { afterAll, describe, expect, test } from 'vitest'
import { freshDatabase, pgUnavailable } from '../../../store-postgres/src/testing.js'
import { pipeline } from './pipeline.js'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

describe.skipIf(pgUnavailable() !== undefined)('assets store migrate', () => {
  test('copies the SQLite store; status, runs and show on PostgreSQL match; a second run copies nothing', {
    timeout: 120_000,
  }, async () => {
    const { url, drop } = await freshDatabase()
    try {
      const p = makeProject({ 'rivers.config.ts': pipeline() })
      expect((await p.run(['materialize'])).code).toBe(0)
      p.write({ 'rivers.config.ts': pipeline({ features: 'raw.map((x) => x * 3)' }) })
      expect((await p.run(['materialize', 'features'])).code).toBe(0) // model now stale
      expect((await p.run(['pin', 'raw', '--note', 'audited'])).code).toBe(0)
      const onSqlite = await Promise.all([
        p.run(['status', '--json']),
        p.run(['runs', '--json']),
        p.run(['show', 'raw', '--json']),
      ])
      for (const r of onSqlite) expect(r.code, r.stderr).toBe(0)

      const migrated = await p.run(['store', 'migrate', '--to', url])
      expect(migrated.code, migrated.stderr).toBe(0)
      expect(migrated.stdout).toMatch(/^Copied \d+ rows of .*rivers\.db into postgres:\/\//)
      expect(migrated.stdout).toMatch(/^ {2}materializations +6$/m) // raw, features twice, model, report, stats
      expect(migrated.stdout).toMatch(/^ {2}pins +1$/m)
      expect(migrated.stdout).toMatch(/^ {2}metrics +1$/m)
      expect(migrated.stdout).toContain('Outputs were not moved')

      const onPostgres = await Promise.all([
        p.run(['status', '--json', '--store', url]),
        p.run(['runs', '--json', '--store', url]),
        p.run(['show', 'raw', '--json', '--store', url]),
      ])
      for (const [i, r] of onPostgres.entries()) {
        expect(r.code, r.stderr).toBe(0)
        expect(r.json()).toEqual(onSqlite[i]!.json())
      }
      const stale = onPostgres[0]!.json().assets.filter((a: { status: string }) => a.status !== 'fresh')
      expect(stale.map((a: { key: string }) => a.key)).toContain('model') // not a trivially fresh project

      const again = await p.run(['store', 'migrate', '--to', url, '--json'])
      expect(again.code, again.stderr).toBe(0)
      expect(again.json().copied).toBe(0)
      const text = await p.run(['store', 'migrate', '--to', url])
      expect(text.stdout).toContain('Nothing new to copy')
    } finally {
      await drop()
    }
  })

  test('refuses a target that is not a PostgreSQL URL, and a folder without a SQLite store', {
    timeout: 60_000,
  }, async () => {
    const p = makeProject({ 'rivers.config.ts': pipeline() })
    const bad = await p.run(['store', 'migrate', '--to', 'team-store'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('the target must be a PostgreSQL URL')
    const { url, drop } = await freshDatabase()
    try {
      const empty = await p.run(['store', 'migrate', '--to', url, '--store', 'nowhere'])
      expect(empty.code).toBe(2)
      expect(empty.stderr).toContain('There is no SQLite store to migrate at')
      expect(empty.stderr).toContain('nowhere')
    } finally {
      await drop()
    }
  })
})
