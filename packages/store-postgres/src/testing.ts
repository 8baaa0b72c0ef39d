/**
 * Test helpers of the PostgreSQL store: a fresh database per test on the server of
 * `RIVERS_TEST_PG_URL` (created with a random name, dropped afterwards), and the rule for when that
 * variable is missing: the tests are skipped on a developer's machine, and FAIL in CI (`CI` set), so
 * that a CI without its PostgreSQL server cannot pass silently.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The server the tests use, from RIVERS_TEST_PG_URL. */
export const TEST_PG_URL: string | undefined = process.env.RIVERS_TEST_PG_URL || undefined

/**
 * Why the PostgreSQL tests cannot run here, or undefined when they can. In CI a missing server is an
 * error (thrown), never a skip.
 *
 * @example
 * const why = pgUnavailable() // undefined: the tests can run
 */
export function pgUnavailable(): string | undefined {
  if (TEST_PG_URL !== undefined) return undefined
  const why =
    'RIVERS_TEST_PG_URL is not set: start a server with `bash .ci/postgres/setup.sh` and export the URL it prints'
  if (process.env.CI) throw new Error(`${why} (CI is set: the PostgreSQL store tests must run in CI).`)
  return why
}

/** A URL of the same server with another database. */
function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/**
 * Creates a database with a random name on the test server; returns its URL and how to drop it.
 *
 * @example
 * const { url, drop } = await freshDatabase()
 * console.log(`testing on ${url}`)
 * await drop()
 */
export async function freshDatabase(prefix = 'rivers_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = TEST_PG_URL
  if (admin === undefined) throw new Error('RIVERS_TEST_PG_URL is not set')
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: admin })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name} TEMPLATE template0`)
  } finally {
    await client.end()
  }
  return {
    url: withDatabase(admin, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin })
      await c.connect()
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await c.end()
      }
    },
  }
}
