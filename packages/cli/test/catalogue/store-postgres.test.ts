/**
 * Catalogue #101–#104: PostgreSQL team stores that cannot be used (see catalogue.ts): a
 * RIVERS_STORE_URL that is not a PostgreSQL URL, a server that does not answer, a database that does
 * not exist, and a database migrated by a newer Rivers. Each names the store (never its password) and
 * the fix. #103 and #104 need RIVERS_TEST_PG_URL (skipped without it locally, failing in CI).
 */
import pg from 'pg'
import { afterAll, describe, test } from 'vitest'
import { PostgresStore } from '@rivers-orchestrator/store-postgres'
import { freshDatabase, pgUnavailable, TEST_PG_URL } from '../../../store-postgres/src/testing.js'
import { makeProject, removeProjects } from '../e2e/project.js'
import { refused, T, title } from './catalogue.js'

afterAll(removeProjects)

const p = makeProject({
  'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst model = asset({ key: 'model' }, () => 1)\nexport default defineProject({ assets: [model] })\n`,
})

/** `assets status` on the store at `url` (through RIVERS_STORE_URL, as a team sets it). */
const statusOn = (url: string) => p.run(['status'], { env: { RIVERS_STORE_URL: url } })

test.concurrent(title(101, 'RIVERS_STORE_URL that is not a PostgreSQL URL'), T, async ({ expect }) => {
  const r = await statusOn('mysql://rivers:s3cret@db.internal/team')
  const text = refused(r, ['RIVERS_STORE_URL', 'postgres://USER'], p.dir)
  expect(text).not.toContain('s3cret')
  expect(text).toMatchSnapshot()
})

test.concurrent(title(102, 'a PostgreSQL store whose server does not answer'), T, async ({ expect }) => {
  const r = await statusOn('postgres://rivers:s3cret@127.0.0.1:1/team')
  const text = refused(r, ['postgres://rivers:***@127.0.0.1:1/team', 'ECONNREFUSED'], p.dir)
  expect(text).not.toContain('s3cret')
  expect(text).toMatchSnapshot()
})

describe.skipIf(pgUnavailable() !== undefined)('on a real server', () => {
  const server = (database: string) => {
    const u = new URL(TEST_PG_URL!)
    u.pathname = `/${database}`
    return u.toString()
  }

  test.concurrent(title(103, 'a PostgreSQL store whose database does not exist'), T, async ({ expect }) => {
    const r = await statusOn(server('rivers_no_such_database'))
    const text = refused(r, ['rivers_no_such_database', 'the database exists'], p.dir)
    expect(text.replace(/127\.0\.0\.1:\d+/g, '<server>')).toMatchSnapshot()
  })

  test.concurrent(title(104, 'a PostgreSQL store migrated by a newer Rivers'), T, async ({ expect }) => {
    const { url, drop } = await freshDatabase()
    try {
      await (await PostgresStore.open(url, { pool: { max: 1 } })).close()
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query(`INSERT INTO rivers_schema_migrations (version, name) VALUES (999, 'from the future')`)
      await c.end()
      const r = await statusOn(url)
      const text = refused(r, ['schema version 999', 'Upgrade @rivers-orchestrator/store-postgres'], p.dir)
      expect(text.replace(url, '<store>')).toMatchSnapshot()
    } finally {
      await drop()
    }
  })
})
