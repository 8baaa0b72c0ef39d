/**
 * Runs, their events and check results, the params of records, and launcher jobs.
 */
import { hostname } from 'node:os'
import type {
  BeginRun,
  EventRecord,
  JobRecord,
  JobRowState,
  JobUpdate,
  NewCheckResult,
  NewJob,
  RunRecord,
  RunStatus,
} from '@rivers-orchestrator/rivers/plugin'
import type { Queryable } from './db.js'
import { recordNotFound, runExists, runNotFound } from './errors.js'
import { checkKey, decodeJson, encodeJson, isoTime } from './values.js'

type Row = Record<string, unknown>

function runOf(row: Row): RunRecord {
  return {
    id: row.id as string,
    startedAt: row.started_at as string,
    finishedAt: (row.finished_at as string | null) ?? null,
    status: row.status as RunStatus,
    selection: decodeJson<string[]>(row.selection as string) ?? [],
    force: row.force === true,
    config: decodeJson(row.config as string | null),
    argv: decodeJson<string[]>(row.argv as string | null),
    pid: row.pid == null ? null : Number(row.pid),
    host: (row.host as string | null) ?? null,
    summary: decodeJson(row.summary as string | null),
  }
}

/**
 * Starts a run (this process's pid and host); refuses a taken id.
 *
 * @example
 * await beginRun(db, { id: 'r1', selection: ['*'], force: false }, db.url)
 */
export async function beginRun(q: Queryable, r: BeginRun, url: string): Promise<void> {
  checkKey(r.id, 'Run id')
  const { rowCount } = await q.query(
    `INSERT INTO runs (id, started_at, status, selection, force, argv, config, pid, host)
     VALUES ($1, $2, 'running', $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
    [
      r.id,
      isoTime(),
      encodeJson(r.selection, `selection of run '${r.id}'`),
      r.force,
      encodeJson(r.argv, `argv of run '${r.id}'`),
      encodeJson(r.config, `config of run '${r.id}'`),
      process.pid,
      hostname(),
    ],
  )
  if (rowCount === 0) throw runExists(url, r.id)
}

/**
 * Ends a run with its status and summary.
 *
 * @example
 * await finishRun(db, 'r1', 'success', {}, db.url)
 */
export async function finishRun(
  q: Queryable,
  id: string,
  status: RunStatus,
  summary: unknown,
  url: string,
): Promise<void> {
  const { rowCount } = await q.query('UPDATE runs SET finished_at = $1, status = $2, summary = $3 WHERE id = $4', [
    isoTime(),
    status,
    encodeJson(summary, `summary of run '${id}'`),
    id,
  ])
  if (rowCount === 0) throw runNotFound(url, id)
}

/**
 * One run, or undefined.
 *
 * @example
 * const run = await getRun(db, 'r1')
 */
export async function getRun(q: Queryable, id: string): Promise<RunRecord | undefined> {
  const { rows } = await q.query('SELECT * FROM runs WHERE id = $1', [id])
  return rows[0] === undefined ? undefined : runOf(rows[0])
}

/**
 * The most recent runs, newest first.
 *
 * @example
 * const runs = await listRuns(db, 20)
 */
export async function listRuns(q: Queryable, limit: number): Promise<RunRecord[]> {
  const { rows } = await q.query('SELECT * FROM runs ORDER BY started_at DESC, seq DESC LIMIT $1', [limit])
  return rows.map(runOf)
}

/**
 * Appends an event to a run (one statement, which also checks the run); returns its id.
 *
 * @example
 * await appendEvent(db, 'r1', 'skipped', 'report', { reason: 'upstream_unchanged' }, db.url)
 */
export async function appendEvent(
  q: Queryable,
  runId: string,
  type: string,
  key: string | undefined,
  data: unknown,
  url: string,
): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO events (run_id, at, type, asset_key, data)
     SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM runs WHERE id = $1) RETURNING id`,
    [runId, isoTime(), type, key ?? null, encodeJson(data, `data of event '${type}'`)],
  )
  if (rows[0] === undefined) throw runNotFound(url, runId)
  return Number(rows[0].id)
}

/**
 * A run's events in order.
 *
 * @example
 * const events = await runEvents(db, 'r1')
 */
export async function runEvents(q: Queryable, runId: string): Promise<EventRecord[]> {
  const { rows } = await q.query('SELECT * FROM events WHERE run_id = $1 ORDER BY id', [runId])
  return rows.map((row) => ({
    id: Number(row.id),
    runId: row.run_id as string,
    at: row.at as string,
    type: row.type as string,
    key: (row.asset_key as string | null) ?? null,
    data: decodeJson(row.data as string | null),
  }))
}

/**
 * Records a check result; returns its id.
 *
 * @example
 * await recordCheck(db, { runId: 'r1', key: 'model', name: 'auc', passed: true }, db.url)
 */
export async function recordCheck(q: Queryable, c: NewCheckResult, url: string): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO check_results (run_id, asset_key, partition, materialization_id, name, passed, blocking, message, metadata, at)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM runs WHERE id = $1) RETURNING id`,
    [
      c.runId,
      c.key,
      c.partition ?? '',
      c.materializationId ?? null,
      c.name,
      c.passed,
      c.blocking === true,
      c.message ?? null,
      encodeJson(c.metadata, `metadata of check '${c.name}' of asset '${c.key}'`),
      isoTime(c.at),
    ],
  )
  if (rows[0] === undefined) throw runNotFound(url, c.runId)
  return Number(rows[0].id)
}

/**
 * Stores (replaces) the params of a record.
 *
 * @example
 * await recordParams(db, 12, { epochs: 3 }, db.url)
 */
export async function recordParams(
  q: Queryable,
  materializationId: number,
  params: unknown,
  url: string,
): Promise<void> {
  const { rowCount } = await q.query(
    `INSERT INTO materialization_params (materialization_id, params)
     SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM materializations WHERE id = $1)
     ON CONFLICT (materialization_id) DO UPDATE SET params = excluded.params`,
    [materializationId, encodeJson(params ?? null, `params of materialization ${materializationId}`)],
  )
  if (rowCount === 0) throw recordNotFound(url, materializationId)
}

function jobOf(row: Row): JobRecord {
  return {
    id: Number(row.id),
    runId: row.run_id as string,
    key: row.asset_key as string,
    partition: row.partition as string,
    attempt: Number(row.attempt),
    launcher: row.launcher as string,
    fingerprint: row.fingerprint as string,
    handle: decodeJson(row.handle as string | null),
    state: row.state as JobRowState,
    reason: (row.reason as string | null) ?? null,
    submittedAt: row.submitted_at as string,
    startedAt: (row.started_at as string | null) ?? null,
    finishedAt: (row.finished_at as string | null) ?? null,
    exitCode: row.exit_code == null ? null : Number(row.exit_code),
  }
}

/**
 * Records a job a launcher is about to run; returns its id.
 *
 * @example
 * const id = await insertJob(db, { runId: 'r1', key: 'model', launcher: 'slurm', fingerprint: 'f1' })
 */
export async function insertJob(q: Queryable, job: NewJob): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO jobs (run_id, asset_key, partition, attempt, launcher, fingerprint, handle, state, reason, submitted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      job.runId,
      job.key,
      job.partition ?? '',
      job.attempt ?? 1,
      job.launcher,
      job.fingerprint,
      encodeJson(job.handle, `handle of the job of asset ${job.key}`),
      job.state ?? 'pending',
      job.reason ?? null,
      isoTime(job.submittedAt ?? new Date()),
    ],
  )
  return Number(rows[0]!.id)
}

/**
 * Updates a job's fields; false if there is no such job.
 *
 * @example
 * await updateJob(db, 7, { state: 'running' })
 */
export async function updateJob(q: Queryable, id: number, u: JobUpdate): Promise<boolean> {
  const sets: string[] = []
  const values: unknown[] = [id]
  const put = (column: string, value: unknown): void => {
    values.push(value)
    sets.push(`${column} = $${values.length}`)
  }
  if (u.runId !== undefined) put('run_id', u.runId)
  if (u.handle !== undefined) put('handle', encodeJson(u.handle, `handle of job ${id}`))
  if (u.state !== undefined) put('state', u.state)
  if (u.reason !== undefined) put('reason', u.reason)
  if (u.startedAt !== undefined) put('started_at', u.startedAt === null ? null : isoTime(u.startedAt))
  if (u.finishedAt !== undefined) put('finished_at', u.finishedAt === null ? null : isoTime(u.finishedAt))
  if (u.exitCode !== undefined) put('exit_code', u.exitCode)
  const sql =
    sets.length === 0 ? 'SELECT 1 FROM jobs WHERE id = $1' : `UPDATE jobs SET ${sets.join(', ')} WHERE id = $1`
  return ((await q.query(sql, values)).rowCount ?? 0) > 0
}

/**
 * One job, or undefined.
 *
 * @example
 * const job = await getJob(db, 7)
 */
export async function getJob(q: Queryable, id: number): Promise<JobRecord | undefined> {
  const { rows } = await q.query('SELECT * FROM jobs WHERE id = $1', [id])
  return rows[0] === undefined ? undefined : jobOf(rows[0])
}

/**
 * Jobs of the same work still pending or running, newest first.
 *
 * @example
 * const [previous] = await activeJobs(db, 'model', '', 'slurm', 'f1')
 */
export async function activeJobs(
  q: Queryable,
  key: string,
  partition: string,
  launcher: string,
  fingerprint: string,
): Promise<JobRecord[]> {
  const { rows } = await q.query(
    `SELECT * FROM jobs WHERE asset_key = $1 AND partition = $2 AND launcher = $3 AND fingerprint = $4
       AND state IN ('pending', 'running') ORDER BY id DESC`,
    [key, partition, launcher, fingerprint],
  )
  return rows.map(jobOf)
}

/**
 * A run's jobs in order, or an asset's latest jobs newest first.
 *
 * @example
 * const jobs = await listJobs(db, { runId: 'r1' })
 */
export async function listJobs(
  q: Queryable,
  filter: { runId: string } | { key: string; partition?: string; limit?: number },
): Promise<JobRecord[]> {
  const { rows } =
    'runId' in filter
      ? await q.query('SELECT * FROM jobs WHERE run_id = $1 ORDER BY id', [filter.runId])
      : await q.query('SELECT * FROM jobs WHERE asset_key = $1 AND partition = $2 ORDER BY id DESC LIMIT $3', [
          filter.key,
          filter.partition ?? '',
          filter.limit ?? 20,
        ])
  return rows.map(jobOf)
}
