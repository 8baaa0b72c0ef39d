/**
 * The automation tables: ticks, the decision of each asset a tick evaluated (with its condition
 * tree), and durable state by scope (condition memory, sensor cursors, schedule ticks). Decisions
 * are bounded: each `record` also drops those of ticks older than the newest `AUTOMATION_KEEP_TICKS`
 * stored ticks, in the same transaction; ticks themselves are kept 10 times as long.
 */
import type Database from 'better-sqlite3'
import { decodeJson, encodeJson, isoTime } from './json.js'
import type { AutomationDecisionRecord, AutomationTickRecord, NewDecision, NewTick, TickEnd } from './types.js'

type Obj = Record<string, unknown>

/**
 * How many stored ticks keep their decisions (an asset evaluated every tick keeps its last 100).
 *
 * @example
 * const oldest = lastTickId - AUTOMATION_KEEP_TICKS + 1
 */
export const AUTOMATION_KEEP_TICKS = 100

/**
 * Prepared statements over the automation tables. Writers run inside the store's IMMEDIATE
 * transactions.
 *
 * @example
 * const automation = new AutomationTable(db)
 * const tickId = automation.beginTick({ startedAt: new Date(), dryRun: false })
 */
export class AutomationTable {
  readonly #db: Database.Database
  #statements: Statements | undefined

  constructor(db: Database.Database) {
    this.#db = db
  }

  /** Prepared on first use: a store opened below this schema version (tests of old stores) never asks. */
  get #st(): Statements {
    this.#statements ??= prepare(this.#db)
    return this.#statements
  }

  /** Starts a tick; returns its id. */
  beginTick(t: NewTick): number {
    return Number(this.#st.begin.run(isoTime(t.startedAt), t.dryRun ? 1 : 0).lastInsertRowid)
  }

  /** Ends a tick: counts, runs, error, and the run id of each decision a run carries out. */
  finishTick(id: number, t: TickEnd): void {
    const runIds = encodeJson(t.runIds, `run ids of automation tick ${id}`)
    this.#st.finish.run(isoTime(), t.evaluated, t.requested, runIds, t.error ?? null, id)
    for (const [key, runId] of t.decisionRuns ?? []) this.#st.setRun.run(runId, id, key)
  }

  /** Stores decisions of a tick and drops those of ticks past the kept window. */
  record(tickId: number, ds: readonly NewDecision[]): void {
    for (const d of ds)
      this.#st.decide.run(
        tickId,
        d.key,
        d.requested ? 1 : 0,
        encodeJson(d.tree, `condition tree of asset '${d.key}'`) ?? 'null',
        d.runId ?? null,
      )
    this.#st.pruneDecisions.run(AUTOMATION_KEEP_TICKS - 1)
    this.#st.pruneTicks.run(10 * AUTOMATION_KEEP_TICKS - 1)
  }

  /** Decisions, newest first (of one asset when `key` is given). */
  decisions(opts: { key?: string; limit?: number }): AutomationDecisionRecord[] {
    const limit = opts.limit ?? 20
    const rows = (
      opts.key === undefined ? this.#st.decisions.all(limit) : this.#st.decisionsOf.all(opts.key, limit)
    ) as Obj[]
    return rows.map((r) => ({
      id: r.id as number,
      tickId: r.tick_id as number,
      at: r.started_at as string,
      key: r.asset_key as string,
      partition: r.partition as string,
      requested: r.requested === 1,
      tree: decodeJson(r.tree as string),
      runId: (r.run_id as string | null) ?? null,
    }))
  }

  /** Ticks, newest first. */
  ticks(limit: number): AutomationTickRecord[] {
    return (this.#st.ticks.all(limit) as Obj[]).map((r) => ({
      id: r.id as number,
      startedAt: r.started_at as string,
      finishedAt: (r.finished_at as string | null) ?? null,
      dryRun: r.dry_run === 1,
      evaluated: r.evaluated as number,
      requested: r.requested as number,
      runIds: decodeJson<string[]>(r.run_ids as string) ?? [],
      error: (r.error as string | null) ?? null,
    }))
  }

  /** Every entry of a scope. */
  state(scope: string): Map<string, unknown> {
    const out = new Map<string, unknown>()
    for (const r of this.#st.state.all(scope) as Obj[]) out.set(r.name as string, decodeJson(r.state as string))
    return out
  }

  /** Writes entries of a scope (upserts). */
  saveState(scope: string, entries: readonly (readonly [string, unknown])[]): void {
    const at = isoTime()
    for (const [name, state] of entries)
      this.#st.putState.run(scope, name, encodeJson(state, `automation state ${scope}/${name}`) ?? 'null', at)
  }
}

interface Statements {
  begin: Database.Statement
  finish: Database.Statement
  decide: Database.Statement
  setRun: Database.Statement
  pruneDecisions: Database.Statement
  pruneTicks: Database.Statement
  decisions: Database.Statement
  decisionsOf: Database.Statement
  ticks: Database.Statement
  state: Database.Statement
  putState: Database.Statement
}

function prepare(db: Database.Database): Statements {
  const select = `SELECT d.id, d.tick_id, t.started_at, d.asset_key, d.partition, d.requested, d.tree, d.run_id
    FROM automation_decisions d JOIN automation_ticks t ON t.id = d.tick_id`
  return {
    begin: db.prepare('INSERT INTO automation_ticks (started_at, dry_run) VALUES (?, ?)'),
    finish: db.prepare(
      'UPDATE automation_ticks SET finished_at = ?, evaluated = ?, requested = ?, run_ids = ?, error = ? WHERE id = ?',
    ),
    decide: db.prepare(
      'INSERT INTO automation_decisions (tick_id, asset_key, requested, tree, run_id) VALUES (?, ?, ?, ?, ?)',
    ),
    setRun: db.prepare('UPDATE automation_decisions SET run_id = ? WHERE tick_id = ? AND asset_key = ?'),
    // The id of the oldest tick that keeps its decisions is found by offset from the newest.
    pruneDecisions: db.prepare(
      `DELETE FROM automation_decisions WHERE tick_id < (
         SELECT id FROM automation_ticks ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    ),
    pruneTicks: db.prepare(
      'DELETE FROM automation_ticks WHERE id < (SELECT id FROM automation_ticks ORDER BY id DESC LIMIT 1 OFFSET ?)',
    ),
    decisions: db.prepare(`${select} ORDER BY d.id DESC LIMIT ?`),
    decisionsOf: db.prepare(`${select} WHERE d.asset_key = ? ORDER BY d.id DESC LIMIT ?`),
    ticks: db.prepare('SELECT * FROM automation_ticks ORDER BY id DESC LIMIT ?'),
    state: db.prepare('SELECT name, state FROM automation_state WHERE scope = ?'),
    putState: db.prepare(
      `INSERT INTO automation_state (scope, name, state, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (scope, name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    ),
  }
}
