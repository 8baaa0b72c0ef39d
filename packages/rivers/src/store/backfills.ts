/**
 * Backfills (the `backfills` and `backfill_progress` tables): a durable record of what a backfill
 * was asked to do, where it stands, the runs started for it and its counts per asset, so that it can
 * be listed, resumed after a crash and cancelled.
 */
import type Database from 'better-sqlite3'
import { backfillExists, backfillNotFound } from './errors.js'
import { decodeJson, encodeJson, isoTime } from './json.js'
import type { BackfillProgressUpdate, BackfillRecord, BackfillStatus, NewBackfill } from './types.js'

/** How many recent ids an unknown-id error lists. */
const RECENT_IDS = 5

interface Statements {
  insert: Database.Statement
  insertProgress: Database.Statement
  upsertProgress: Database.Statement
  get: Database.Statement
  list: Database.Statement
  progress: Database.Statement
  setStatus: Database.Statement
  touch: Database.Statement
  setRuns: Database.Statement
}

type Row = {
  id: string
  created_at: string
  updated_at: string
  selection: string
  ranges: string
  batch: number
  status: BackfillStatus
  run_ids: string
}

/**
 * Prepared statements and operations over the backfill tables. Callers run the writes inside an
 * IMMEDIATE transaction.
 *
 * @example
 * const backfills = new BackfillsTable(db, file)
 * backfills.create({ id: 'bf-1', selection: ['events'], ranges: { events: [['2024-01-01', '2024-01-31']] },
 *   batch: 10, planned: { events: 31 } })
 */
export class BackfillsTable {
  readonly #db: Database.Database
  readonly #file: string
  #s: Statements | undefined

  constructor(db: Database.Database, file: string) {
    this.#db = db
    this.#file = file
  }

  /** Statements, prepared on first use (a store opened at an older schema has no tables). */
  get #st(): Statements {
    const db = this.#db
    this.#s ??= {
      insert: db.prepare(
        `INSERT INTO backfills (id, created_at, selection, ranges, batch, status, run_ids, updated_at)
         VALUES (?, ?, ?, ?, ?, 'running', '[]', ?) ON CONFLICT (id) DO NOTHING`,
      ),
      insertProgress: db.prepare(
        'INSERT INTO backfill_progress (backfill_id, asset_key, planned, done, failed) VALUES (?, ?, ?, 0, 0)',
      ),
      upsertProgress: db.prepare(
        `INSERT INTO backfill_progress (backfill_id, asset_key, planned, done, failed)
         VALUES (@id, @key, coalesce(@planned, 0), @done, @failed)
         ON CONFLICT (backfill_id, asset_key) DO UPDATE SET planned = coalesce(@planned, planned), done = @done,
           failed = @failed`,
      ),
      get: db.prepare('SELECT * FROM backfills WHERE id = ?'),
      list: db.prepare('SELECT * FROM backfills ORDER BY created_at DESC, id DESC LIMIT ?'),
      progress: db.prepare(
        'SELECT asset_key, planned, done, failed FROM backfill_progress WHERE backfill_id = ? ORDER BY asset_key',
      ),
      setStatus: db.prepare('UPDATE backfills SET status = ?, updated_at = ? WHERE id = ?'),
      touch: db.prepare('UPDATE backfills SET updated_at = ? WHERE id = ?'),
      setRuns: db.prepare('UPDATE backfills SET run_ids = ? WHERE id = ?'),
    }
    return this.#s
  }

  /** Stores a new backfill (status `running`) with its planned counts; refuses a taken id. */
  create(b: NewBackfill): void {
    const st = this.#st
    const at = isoTime(b.createdAt ?? new Date())
    const selection = encodeJson(b.selection, `selection of backfill '${b.id}'`)
    const ranges = encodeJson(b.ranges, `ranges of backfill '${b.id}'`)
    if (st.insert.run(b.id, at, selection, ranges, b.batch, at).changes === 0) throw backfillExists(this.#file, b.id)
    for (const [key, planned] of Object.entries(b.planned)) st.insertProgress.run(b.id, key, planned)
  }

  /** Sets counts per asset and adds `runId` to the backfill's runs (once); throws for an unknown id. */
  updateProgress(id: string, progress: readonly BackfillProgressUpdate[], runId?: string, at: Date = new Date()): void {
    const st = this.#st
    const row = this.#row(id)
    for (const p of progress)
      st.upsertProgress.run({ id, key: p.key, planned: p.planned ?? null, done: p.done, failed: p.failed })
    st.touch.run(isoTime(at), id)
    const runs = decodeJson<string[]>(row.run_ids) ?? []
    if (runId !== undefined && !runs.includes(runId)) st.setRuns.run(JSON.stringify([...runs, runId]), id)
  }

  /** Sets the backfill's status (`running` again when it is resumed); throws for an unknown id. */
  setStatus(id: string, status: BackfillStatus, at: Date = new Date()): void {
    if (this.#st.setStatus.run(status, isoTime(at), id).changes === 0) throw this.#notFound(id)
  }

  /** One backfill with its progress; throws for an unknown id, listing recent ones. */
  get(id: string): BackfillRecord {
    return this.#record(this.#row(id))
  }

  /** The most recent backfills, newest first, with their progress. */
  list(limit: number): BackfillRecord[] {
    return (this.#st.list.all(limit) as Row[]).map((r) => this.#record(r))
  }

  #row(id: string): Row {
    const row = this.#st.get.get(id) as Row | undefined
    if (row === undefined) throw this.#notFound(id)
    return row
  }

  #notFound(id: string): Error {
    const recent = (this.#st.list.all(RECENT_IDS) as Row[]).map((r) => r.id)
    return backfillNotFound(this.#file, id, recent)
  }

  #record(r: Row): BackfillRecord {
    const progress = (this.#st.progress.raw().all(r.id) as [string, number, number, number][]).map(
      ([key, planned, done, failed]) => ({ key, planned, done, failed }),
    )
    return {
      id: r.id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      selection: decodeJson<string[]>(r.selection) ?? [],
      ranges: decodeJson<BackfillRecord['ranges']>(r.ranges) ?? {},
      batch: r.batch,
      status: r.status,
      runIds: decodeJson<string[]>(r.run_ids) ?? [],
      progress,
    }
  }
}
