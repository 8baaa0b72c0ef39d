/**
 * How `migrateFromSqlite` treats each table of the store: the order of the copy, the key of a table
 * without a primary key, the columns that say whether a row the target holds under the same key is
 * the same row, and the rows copied only with their parent.
 *
 * A second migration must neither duplicate nor undo what the team store did since the first one:
 * columns that change after a row is written (a run's end, a record's `collected_at`, a lease's
 * expiry) are not compared, and rows the target may delete on purpose (a wiped `latest` row, a pin
 * removed, a lease released, decisions of pruned ticks) are copied only with the record, run or tick
 * they belong to, when that is copied too (new since the last migration).
 */

/**
 * The tables copied, parents before children (foreign keys). `store_counters` is merged apart: the
 * target keeps the larger count.
 *
 * @example
 * MIGRATED_TABLES.includes('pins') // true
 */
export const MIGRATED_TABLES: readonly string[] = [
  'runs',
  'materializations',
  'materialization_inputs',
  'latest',
  'check_results',
  'events',
  'metrics',
  'materialization_params',
  'pins',
  'model_alias_moves',
  'leases',
  'jobs',
  'automation_ticks',
  'automation_decisions',
  'automation_state',
  'dynamic_partitions',
  'backfills',
  'backfill_progress',
]

/** The key of a table without a primary key: one value per (record, name, step). */
export const NATURAL_KEYS: Readonly<Record<string, readonly string[]>> = {
  metrics: ['materialization_id', 'name', 'step'],
}

/**
 * The columns compared with the target's row under the same key (every column when a table is not
 * listed); a difference in one of them means the target holds another store's data. An empty list:
 * the target's row wins (its own state of a transient row).
 */
export const COMPARED: Readonly<Record<string, readonly string[]>> = {
  runs: ['started_at', 'selection', 'force', 'argv'],
  materializations: [
    'run_id',
    'asset_key',
    'partition',
    'kind',
    'code_version',
    'config_hash',
    'data_version',
    'started_at',
    'finished_at',
    'storage_path',
  ],
  jobs: ['run_id', 'asset_key', 'partition', 'attempt', 'launcher', 'fingerprint', 'submitted_at'],
  automation_ticks: ['started_at'],
  automation_state: [],
  dynamic_partitions: ['position', 'added_at'],
  backfills: ['created_at', 'selection', 'ranges', 'batch'],
  backfill_progress: ['planned'],
  latest: [],
  pins: [],
  leases: [],
}

/** Rows copied only when their parent row (column, parent table) is copied by the same migration. */
export const PARENTS: Readonly<Record<string, readonly [column: string, table: string]>> = {
  latest: ['materialization_id', 'materializations'],
  pins: ['materialization_id', 'materializations'],
  leases: ['run_id', 'runs'],
  automation_decisions: ['tick_id', 'automation_ticks'],
}

/** The key column of the parent tables, whose copied keys the children are checked against. */
export const PARENT_KEYS: Readonly<Record<string, string>> = {
  runs: 'id',
  materializations: 'id',
  automation_ticks: 'id',
}

/**
 * Rows written over the target's when newer: `latest` points to the newest record of each (asset,
 * partition), whichever store recorded it.
 */
export const UPSERT_IF_NEWER: Readonly<Record<string, string>> = {
  latest: 'materialization_id',
}
