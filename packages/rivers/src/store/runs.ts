/**
 * Runs, their events, and check results.
 */
import { hostname } from 'node:os'
import type Database from 'better-sqlite3'
import { badStoreKey, runExists, runNotFound } from './errors.js'
import { decodeJson, encodeJson, isoTime } from './json.js'
import type { BeginRun, CheckResult, EventRecord, NewCheckResult, RunRecord, RunStatus } from './types.js'

type Obj = Record<string, unknown>

/**
 * Prepared statements and operations over `runs`, `events` and `check_results`.
 *
 * @example
 * const runs = new RunsTable(db, file)
 * runs.begin({ id: 'r1', selection: ['*'], force: false })
 */
export class RunsTable {
  readonly #file: string
  readonly #insertRun: Database.Statement
  readonly #finishRun: Database.Statement
  readonly #getRun: Database.Statement
  readonly #listRuns: Database.Statement
  readonly #insertEvent: Database.Statement
  readonly #runEvents: Database.Statement
  readonly #insertCheck: Database.Statement
  readonly #checksOf: Database.Statement
  readonly #exists: Database.Statement

  constructor(db: Database.Database, file: string) {
    this.#file = file
    this.#insertRun = db.prepare(
      `INSERT INTO runs (id, started_at, status, selection, force, argv, config, pid, host)
       VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    )
    this.#finishRun = db.prepare('UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?')
    this.#getRun = db.prepare('SELECT * FROM runs WHERE id = ?')
    this.#listRuns = db.prepare('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?')
    this.#insertEvent = db.prepare('INSERT INTO events (run_id, at, type, asset_key, data) VALUES (?, ?, ?, ?, ?)')
    this.#runEvents = db.prepare('SELECT * FROM events WHERE run_id = ? ORDER BY id')
    this.#insertCheck = db.prepare(
      `INSERT INTO check_results (run_id, asset_key, partition, materialization_id, name, passed, blocking, message, metadata, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#checksOf = db.prepare('SELECT * FROM check_results WHERE materialization_id = ? ORDER BY id')
    this.#exists = db.prepare('SELECT 1 FROM runs WHERE id = ?').pluck()
  }

  /** Throws a clear error unless the run exists. */
  #mustExist(runId: string): void {
    if (this.#exists.get(runId) === undefined) throw runNotFound(this.#file, runId)
  }

  /** Inserts a run in status `running`. Throws if the id is taken. */
  begin(r: BeginRun, at: Date = new Date()): void {
    // Run ids are packed newline-joined by latestRecords.
    if (typeof r.id !== 'string' || r.id === '' || /[\n\0]/.test(r.id)) throw badStoreKey('Run id', String(r.id))
    const changes = this.#insertRun.run(
      r.id,
      isoTime(at),
      encodeJson(r.selection, `selection of run '${r.id}'`),
      r.force ? 1 : 0,
      encodeJson(r.argv, `argv of run '${r.id}'`),
      encodeJson(r.config, `config of run '${r.id}'`),
      process.pid,
      hostname(),
    ).changes
    if (changes === 0) throw runExists(this.#file, r.id)
  }

  /** Sets a run's final status, finish time and summary. Throws if the run does not exist. */
  finish(id: string, status: RunStatus, summary: unknown, at: Date = new Date()): void {
    const changes = this.#finishRun.run(isoTime(at), status, encodeJson(summary, `summary of run '${id}'`), id).changes
    if (changes === 0) throw runNotFound(this.#file, id)
  }

  /** One run, or undefined. */
  get(id: string): RunRecord | undefined {
    const row = this.#getRun.get(id) as Obj | undefined
    return row === undefined ? undefined : toRun(row)
  }

  /** The most recent runs first. */
  list(limit: number): RunRecord[] {
    return (this.#listRuns.all(limit) as Obj[]).map(toRun)
  }

  /** Appends an event; returns its id. */
  appendEvent(runId: string, type: string, key?: string, data?: unknown, at: Date = new Date()): number {
    this.#mustExist(runId)
    return Number(
      this.#insertEvent.run(runId, isoTime(at), type, key ?? null, encodeJson(data, `data of event '${type}'`))
        .lastInsertRowid,
    )
  }

  /** A run's events in the order they were appended. */
  events(runId: string): EventRecord[] {
    return (this.#runEvents.all(runId) as Obj[]).map((row) => ({
      id: row.id as number,
      runId: row.run_id as string,
      at: row.at as string,
      type: row.type as string,
      key: (row.asset_key as string | null) ?? null,
      data: decodeJson(row.data as string | null),
    }))
  }

  /** Records a check result; returns its id. */
  recordCheck(c: NewCheckResult): number {
    this.#mustExist(c.runId)
    return Number(
      this.#insertCheck.run(
        c.runId,
        c.key,
        c.partition ?? '',
        c.materializationId ?? null,
        c.name,
        c.passed ? 1 : 0,
        c.blocking === true ? 1 : 0,
        c.message ?? null,
        encodeJson(c.metadata, `metadata of check '${c.name}' of asset '${c.key}'`),
        isoTime(c.at),
      ).lastInsertRowid,
    )
  }

  /** Check results attached to one record. */
  checksOf(materializationId: number): CheckResult[] {
    return (this.#checksOf.all(materializationId) as Obj[]).map(toCheck)
  }
}

function toRun(row: Obj): RunRecord {
  return {
    id: row.id as string,
    startedAt: row.started_at as string,
    finishedAt: (row.finished_at as string | null) ?? null,
    status: row.status as RunStatus,
    selection: decodeJson<string[]>(row.selection as string) ?? [],
    force: row.force === 1,
    config: decodeJson(row.config as string | null),
    argv: decodeJson<string[]>(row.argv as string | null),
    pid: (row.pid as number | null) ?? null,
    host: (row.host as string | null) ?? null,
    summary: decodeJson(row.summary as string | null),
  }
}

function toCheck(row: Obj): CheckResult {
  return {
    id: row.id as number,
    runId: row.run_id as string,
    key: row.asset_key as string,
    partition: row.partition as string,
    materializationId: (row.materialization_id as number | null) ?? null,
    name: row.name as string,
    passed: row.passed === 1,
    blocking: row.blocking === 1,
    message: (row.message as string | null) ?? null,
    metadata: decodeJson<Record<string, unknown>>(row.metadata as string | null),
    at: row.at as string,
  }
}
