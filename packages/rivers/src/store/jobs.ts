/**
 * Jobs: what launchers ran for assets, with their persisted handles (the `jobs` table).
 */
import type Database from 'better-sqlite3'
import { decodeJson, encodeJson, isoTime } from './json.js'
import type { JobRecord, JobRowState, JobUpdate, NewJob } from './types.js'

type Obj = Record<string, unknown>

const ACTIVE = "('pending', 'running')"

interface Statements {
  insert: Database.Statement
  get: Database.Statement
  active: Database.Statement
  byRun: Database.Statement
  byAsset: Database.Statement
}

/**
 * Prepared statements and operations over `jobs`.
 *
 * @example
 * const jobs = new JobsTable(db)
 * const id = jobs.insert({ runId: 'r1', key: 'model', launcher: 'local', fingerprint: 'f00' })
 */
export class JobsTable {
  readonly #db: Database.Database
  #s: Statements | undefined

  constructor(db: Database.Database) {
    this.#db = db
  }

  /** Statements, prepared on first use (a store opened with older migrations has no `jobs` table). */
  get #st(): Statements {
    this.#s ??= {
      insert: this.#db.prepare(
        `INSERT INTO jobs (run_id, asset_key, partition, attempt, launcher, fingerprint, handle, state, reason, submitted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      get: this.#db.prepare('SELECT * FROM jobs WHERE id = ?'),
      active: this.#db.prepare(
        `SELECT * FROM jobs WHERE asset_key = ? AND partition = ? AND launcher = ? AND fingerprint = ? AND state IN ${ACTIVE} ORDER BY id DESC`,
      ),
      byRun: this.#db.prepare('SELECT * FROM jobs WHERE run_id = ? ORDER BY id'),
      byAsset: this.#db.prepare('SELECT * FROM jobs WHERE asset_key = ? AND partition = ? ORDER BY id DESC LIMIT ?'),
    }
    return this.#s
  }

  /** Inserts a job (state `pending` unless given); returns its id. */
  insert(job: NewJob, at: Date = new Date()): number {
    const info = this.#st.insert.run(
      job.runId,
      job.key,
      job.partition ?? '',
      job.attempt ?? 1,
      job.launcher,
      job.fingerprint,
      encodeJson(job.handle, `handle of the job of asset ${job.key}`),
      job.state ?? 'pending',
      job.reason ?? null,
      isoTime(job.submittedAt ?? at),
    )
    return Number(info.lastInsertRowid)
  }

  /** Updates the given fields of a job; returns whether it exists. */
  update(id: number, u: JobUpdate): boolean {
    const sets: string[] = []
    const values: unknown[] = []
    const put = (column: string, value: unknown): void => {
      sets.push(`${column} = ?`)
      values.push(value)
    }
    if (u.runId !== undefined) put('run_id', u.runId)
    if (u.handle !== undefined) put('handle', encodeJson(u.handle, `handle of job ${id}`))
    if (u.state !== undefined) put('state', u.state)
    if (u.reason !== undefined) put('reason', u.reason)
    if (u.startedAt !== undefined) put('started_at', u.startedAt === null ? null : isoTime(u.startedAt))
    if (u.finishedAt !== undefined) put('finished_at', u.finishedAt === null ? null : isoTime(u.finishedAt))
    if (u.exitCode !== undefined) put('exit_code', u.exitCode)
    if (sets.length === 0) return this.#st.get.get(id) !== undefined
    return this.#db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id).changes > 0
  }

  /** One job, or undefined. */
  get(id: number): JobRecord | undefined {
    const row = this.#st.get.get(id) as Obj | undefined
    return row === undefined ? undefined : toJob(row)
  }

  /** Jobs of an asset that are still pending or running for the same work, newest first. */
  active(key: string, partition: string, launcher: string, fingerprint: string): JobRecord[] {
    return (this.#st.active.all(key, partition, launcher, fingerprint) as Obj[]).map(toJob)
  }

  /** A run's jobs in submission order. */
  ofRun(runId: string): JobRecord[] {
    return (this.#st.byRun.all(runId) as Obj[]).map(toJob)
  }

  /** An asset's latest jobs, newest first. */
  ofAsset(key: string, partition: string, limit: number): JobRecord[] {
    return (this.#st.byAsset.all(key, partition, limit) as Obj[]).map(toJob)
  }
}

function toJob(row: Obj): JobRecord {
  return {
    id: row.id as number,
    runId: row.run_id as string,
    key: row.asset_key as string,
    partition: row.partition as string,
    attempt: row.attempt as number,
    launcher: row.launcher as string,
    fingerprint: row.fingerprint as string,
    handle: decodeJson(row.handle as string | null),
    state: row.state as JobRowState,
    reason: (row.reason as string | null) ?? null,
    submittedAt: row.submitted_at as string,
    startedAt: (row.started_at as string | null) ?? null,
    finishedAt: (row.finished_at as string | null) ?? null,
    exitCode: (row.exit_code as number | null) ?? null,
  }
}
