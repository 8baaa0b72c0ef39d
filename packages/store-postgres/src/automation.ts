/**
 * Automation ticks, their decisions (only the newest 100 ticks keep theirs, as SQLite) and durable
 * state by scope.
 */
import type {
  AutomationDecisionRecord,
  AutomationTickRecord,
  NewDecision,
  NewTick,
  TickEnd,
} from '@rivers-orchestrator/rivers/plugin'
import type { Queryable } from './db.js'
import { decodeJson, encodeJson, isoTime } from './values.js'

/** Ticks whose decisions are kept. */
export const AUTOMATION_KEEP_TICKS = 100

/**
 * Starts a tick; returns its id.
 *
 * @example
 * const id = await beginTick(db, { startedAt: new Date(), dryRun: false })
 */
export async function beginTick(q: Queryable, t: NewTick): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    'INSERT INTO automation_ticks (started_at, dry_run) VALUES ($1, $2) RETURNING id',
    [isoTime(t.startedAt), t.dryRun],
  )
  return Number(rows[0]!.id)
}

/**
 * Ends a tick, setting the run of each decision a run carries out. Call inside a transaction.
 *
 * @example
 * await finishTick(client, id, { evaluated: 1, requested: 0, runIds: [] })
 */
export async function finishTick(q: Queryable, id: number, t: TickEnd): Promise<void> {
  await q.query(
    'UPDATE automation_ticks SET finished_at = $1, evaluated = $2, requested = $3, run_ids = $4, error = $5 WHERE id = $6',
    [
      isoTime(),
      t.evaluated,
      t.requested,
      encodeJson(t.runIds, `run ids of automation tick ${id}`),
      t.error ?? null,
      id,
    ],
  )
  const runs = t.decisionRuns ?? []
  if (runs.length > 0)
    await q.query(
      `UPDATE automation_decisions d SET run_id = t.run FROM unnest($2::text[], $3::text[]) AS t (key, run)
       WHERE d.tick_id = $1 AND d.asset_key = t.key`,
      [id, runs.map(([key]) => key), runs.map(([, run]) => run)],
    )
}

/**
 * Stores a tick's decisions and prunes old ones. Call inside a transaction.
 *
 * @example
 * await recordDecisions(client, id, [{ key: 'model', requested: true, tree: {} }])
 */
export async function recordDecisions(q: Queryable, tickId: number, ds: readonly NewDecision[]): Promise<void> {
  if (ds.length > 0)
    await q.query(
      `INSERT INTO automation_decisions (tick_id, asset_key, requested, tree, run_id)
       SELECT $1, t.key, t.requested, t.tree, t.run FROM unnest($2::text[], $3::boolean[], $4::text[], $5::text[])
         WITH ORDINALITY AS t (key, requested, tree, run, ord) ORDER BY t.ord`,
      [
        tickId,
        ds.map((d) => d.key),
        ds.map((d) => d.requested),
        ds.map((d) => encodeJson(d.tree, `condition tree of asset '${d.key}'`) ?? 'null'),
        ds.map((d) => d.runId ?? null),
      ],
    )
  await q.query(
    `DELETE FROM automation_decisions WHERE tick_id < (
       SELECT id FROM automation_ticks ORDER BY id DESC LIMIT 1 OFFSET $1)`,
    [AUTOMATION_KEEP_TICKS - 1],
  )
  await q.query(
    'DELETE FROM automation_ticks WHERE id < (SELECT id FROM automation_ticks ORDER BY id DESC LIMIT 1 OFFSET $1)',
    [10 * AUTOMATION_KEEP_TICKS - 1],
  )
}

/**
 * Stored decisions, newest first, with their tick's time.
 *
 * @example
 * const why = await decisions(db, { key: 'model', limit: 5 })
 */
export async function decisions(
  q: Queryable,
  opts: { key?: string; limit?: number },
): Promise<AutomationDecisionRecord[]> {
  const select = `SELECT d.id, d.tick_id, t.started_at, d.asset_key, d.partition, d.requested, d.tree, d.run_id
    FROM automation_decisions d JOIN automation_ticks t ON t.id = d.tick_id`
  const limit = opts.limit ?? 20
  const { rows } =
    opts.key === undefined
      ? await q.query(`${select} ORDER BY d.id DESC LIMIT $1`, [limit])
      : await q.query(`${select} WHERE d.asset_key = $1 ORDER BY d.id DESC LIMIT $2`, [opts.key, limit])
  return rows.map((r) => ({
    id: Number(r.id),
    tickId: Number(r.tick_id),
    at: r.started_at as string,
    key: r.asset_key as string,
    partition: r.partition as string,
    requested: r.requested === true,
    tree: decodeJson(r.tree as string),
    runId: (r.run_id as string | null) ?? null,
  }))
}

/**
 * Stored ticks, newest first.
 *
 * @example
 * const [last] = await ticks(db, 1)
 */
export async function ticks(q: Queryable, limit: number): Promise<AutomationTickRecord[]> {
  const { rows } = await q.query('SELECT * FROM automation_ticks ORDER BY id DESC LIMIT $1', [limit])
  return rows.map((r) => ({
    id: Number(r.id),
    startedAt: r.started_at as string,
    finishedAt: (r.finished_at as string | null) ?? null,
    dryRun: r.dry_run === true,
    evaluated: Number(r.evaluated),
    requested: Number(r.requested),
    runIds: decodeJson<string[]>(r.run_ids as string) ?? [],
    error: (r.error as string | null) ?? null,
  }))
}

/**
 * Every entry of a state scope.
 *
 * @example
 * const cursors = await automationState(db, 'sensor')
 */
export async function automationState(q: Queryable, scope: string): Promise<Map<string, unknown>> {
  const { rows } = await q.query('SELECT name, state FROM automation_state WHERE scope = $1', [scope])
  return new Map(rows.map((r) => [r.name as string, decodeJson(r.state as string)]))
}

/**
 * Upserts entries of a state scope in one statement (the last of a duplicated name wins).
 *
 * @example
 * await saveAutomationState(db, 'sensor', [['batches', { cursor: 'b-2' }]])
 */
export async function saveAutomationState(
  q: Queryable,
  scope: string,
  entries: readonly (readonly [string, unknown])[],
): Promise<void> {
  const last = new Map<string, string>()
  for (const [name, state] of entries) last.set(name, encodeJson(state, `automation state ${scope}/${name}`) ?? 'null')
  if (last.size === 0) return
  await q.query(
    `INSERT INTO automation_state (scope, name, state, updated_at)
     SELECT $1, t.name, t.state, $4 FROM unnest($2::text[], $3::text[]) AS t (name, state)
     ON CONFLICT (scope, name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [scope, [...last.keys()], [...last.values()], isoTime()],
  )
}
