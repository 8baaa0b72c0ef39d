/**
 * Live events of the PostgreSQL store on a real server: another store's commit (another process's
 * connection) wakes a watch through LISTEN/NOTIFY, the watcher's own writes do not, a wipe does, and
 * when the LISTEN connection is killed (`pg_terminate_backend`) the watch wakes once, polls, still
 * sees commits, and listens again. Polling alone (`poll: true`) sees commits too.
 */
import type { NewRecord } from '@rivers-orchestrator/rivers/plugin'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CommitWatch } from './commit-watch.js'
import { PostgresStore } from './postgres-store.js'
import { freshDatabase, pgUnavailable } from './testing.js'

const skip = pgUnavailable() !== undefined
const h = (n: number): Buffer => Buffer.alloc(16, n)
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(check: () => boolean, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms
  while (!check() && Date.now() < end) await wait(10)
  return check()
}

const record = (key: string, n: number): NewRecord => ({
  runId: 'r1',
  key,
  codeVersion: h(1),
  configHash: h(2),
  dataVersion: h(n),
  inputs: [],
  startedAt: new Date(0),
  finishedAt: new Date(1),
})

describe.skipIf(skip)('PostgresStore.watchCommits', () => {
  let url: string
  let drop: () => Promise<void>
  let mine: PostgresStore
  let other: PostgresStore
  let watch: CommitWatch | undefined

  beforeEach(async () => {
    ;({ url, drop } = await freshDatabase())
    mine = await PostgresStore.open(url)
    other = await PostgresStore.open(url)
    await other.beginRun({ id: 'r1', selection: ['*'], force: false })
  })
  afterEach(async () => {
    watch?.close()
    await mine.close()
    await other.close()
    await drop()
  })

  it('wakes on another connection’s commits (coalesced), not on its own', async () => {
    let commits = 0
    watch = await mine.watchCommits({ onCommit: () => commits++ })
    expect(watch.mode).toBe('events')
    await mine.recordMaterialization(record('mine', 1))
    await wait(300)
    expect(commits).toBe(0) // its own write
    await other.recordMaterialization(record('raw', 1))
    await other.recordMaterialization(record('raw', 2))
    expect(await until(() => commits > 0)).toBe(true)
    await wait(200)
    expect(commits).toBe(1) // two commits within 50 ms: one wake
    await other.recordMaterializations([record('a', 1), record('b', 1)])
    expect(await until(() => commits === 2)).toBe(true)
    await other.wipe(['a'])
    expect(await until(() => commits === 3)).toBe(true)
    await other.appendEvent('r1', 'note') // not a record: no wake
    await wait(300)
    expect(commits).toBe(3)
  })

  it('survives its LISTEN connection being killed: wakes once, polls, listens again', async () => {
    let commits = 0
    const fallbacks: string[] = []
    let resumed = 0
    watch = await mine.watchCommits({
      onCommit: () => commits++,
      pollIntervalMs: 100,
      onFallback: (e) => fallbacks.push(String(e)),
      onResumed: () => resumed++,
    })
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`,
      )
      expect(killed.rows).toEqual([{ ok: true }])
      expect(await until(() => fallbacks.length === 1)).toBe(true)
      expect(commits).toBe(1) // a commit may have gone unheard while it dropped: one wake
      // It listens again at the next poll; a commit after that wakes it by notification.
      expect(await until(() => resumed === 1)).toBe(true)
      expect(watch.mode).toBe('events')
      const before = commits
      await other.recordMaterialization(record('raw', 3))
      expect(await until(() => commits > before)).toBe(true)
      // Every pooled connection killed too (the store's queries reconnect), and the watch still works.
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      )
      expect(await until(() => resumed === 2)).toBe(true)
      const after = commits
      await other.recordMaterialization(record('raw', 4))
      expect(await until(() => commits > after)).toBe(true)
      expect((await mine.latestRecords()).keys).toEqual(['raw'])
    } finally {
      await admin.end()
    }
  })

  it('polls when asked: another connection’s commit is seen within the interval', async () => {
    let commits = 0
    watch = await mine.watchCommits({ onCommit: () => commits++, poll: true, pollIntervalMs: 100 })
    expect(watch.mode).toBe('polling')
    await wait(250)
    expect(commits).toBe(0)
    await other.recordMaterialization(record('raw', 1))
    expect(await until(() => commits === 1, 2_000)).toBe(true)
  })

  it('holds its LISTEN connection inside the pool’s bound', async () => {
    const small = await PostgresStore.open(url, { pool: { max: 2 } })
    try {
      const w = await small.watchCommits({ onCommit: () => {} })
      await Promise.all(Array.from({ length: 6 }, () => small.latestRecords()))
      expect(small.stats().peakConnections).toBeLessThanOrEqual(2)
      w.close()
      const one = await PostgresStore.open(url, { pool: { max: 1 } })
      const polling = await one.watchCommits({ onCommit: () => {} })
      expect(polling.mode).toBe('polling') // one connection: none to spare for LISTEN
      polling.close()
      await one.close()
    } finally {
      await small.close()
    }
  })
})
