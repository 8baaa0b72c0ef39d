/**
 * The store schema, as an ordered list of migrations tracked by `PRAGMA user_version`.
 *
 * Rules: never edit a released migration; append a new one. Each migration runs in its own
 * `BEGIN IMMEDIATE` transaction together with the `user_version` bump, so a crash leaves the store at
 * the previous version, and two processes opening a fresh store at once do not both migrate it.
 *
 * Conventions of the schema:
 * - hashes (code version, config hash, data versions) are 16-byte BLOBs (XXH3-128, big-endian);
 * - times are ISO-8601 UTC text with milliseconds (`2026-11-26T12:00:00.000Z`), which sorts as time;
 *   lease times are epoch milliseconds (compared arithmetically);
 * - JSON columns are TEXT holding `JSON.stringify` output;
 * - `partition` is `''` for unpartitioned assets, so partitions can arrive without a migration of keys.
 */
import type Database from 'better-sqlite3'

/** One schema step. `version` starts at 1 and increases by one. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

/**
 * Every migration, oldest first.
 *
 * @example
 * const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE runs (
  id          TEXT PRIMARY KEY,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed', 'cancelled')),
  selection   TEXT NOT NULL,              -- JSON array of selection arguments
  force       INTEGER NOT NULL DEFAULT 0,
  argv        TEXT,                       -- JSON array
  config      TEXT,                       -- JSON
  pid         INTEGER,
  host        TEXT,
  summary     TEXT                        -- JSON, set by finishRun
) STRICT;
CREATE INDEX runs_by_start ON runs (started_at);

CREATE TABLE materializations (
  id           INTEGER PRIMARY KEY,
  run_id       TEXT NOT NULL REFERENCES runs (id),
  asset_key    TEXT NOT NULL,
  partition    TEXT NOT NULL DEFAULT '',
  kind         TEXT NOT NULL DEFAULT 'materialization' CHECK (kind IN ('materialization', 'observation')),
  code_version BLOB NOT NULL CHECK (length(code_version) = 16),
  config_hash  BLOB NOT NULL CHECK (length(config_hash) = 16),
  data_version BLOB NOT NULL CHECK (length(data_version) = 16),
  started_at   TEXT NOT NULL,
  finished_at  TEXT NOT NULL,
  duration_ms  INTEGER NOT NULL,
  storage_path TEXT,
  metadata     TEXT,                      -- JSON object
  wiped_at     TEXT                       -- set by wipe(): the record is history only
) STRICT;
CREATE INDEX materializations_by_asset ON materializations (asset_key, partition, id);
CREATE INDEX materializations_by_run ON materializations (run_id);

CREATE TABLE materialization_inputs (
  materialization_id INTEGER NOT NULL REFERENCES materializations (id) ON DELETE CASCADE,
  position           INTEGER NOT NULL,
  dep_key            TEXT NOT NULL,
  dep_partition      TEXT NOT NULL DEFAULT '',
  data_version       BLOB NOT NULL CHECK (length(data_version) = 16),
  PRIMARY KEY (materialization_id, position)
) STRICT, WITHOUT ROWID;

-- The current record of each (asset, partition), written in the same transaction as the record.
-- Besides the pointer it carries a copy of the record's trace (hashes, consumed inputs packed as
-- newline-joined keys and concatenated 16-byte versions), so that reading the state of every asset
-- scans this one table: no join, no per-input rows. materialization_inputs stays the queryable truth.
CREATE TABLE latest (
  asset_key          TEXT NOT NULL,
  partition          TEXT NOT NULL DEFAULT '',
  materialization_id INTEGER NOT NULL REFERENCES materializations (id),
  kind               TEXT NOT NULL,
  code_version       BLOB NOT NULL CHECK (length(code_version) = 16),
  config_hash        BLOB NOT NULL CHECK (length(config_hash) = 16),
  data_version       BLOB NOT NULL CHECK (length(data_version) = 16),
  input_count        INTEGER NOT NULL,
  input_keys         TEXT,                -- NULL when there are no inputs
  input_versions     BLOB CHECK (length(input_versions) = 16 * input_count),
  run_id             TEXT NOT NULL,
  finished_at        TEXT NOT NULL,
  PRIMARY KEY (asset_key, partition)
) STRICT, WITHOUT ROWID;

CREATE TABLE check_results (
  id                 INTEGER PRIMARY KEY,
  run_id             TEXT NOT NULL REFERENCES runs (id),
  asset_key          TEXT NOT NULL,
  partition          TEXT NOT NULL DEFAULT '',
  materialization_id INTEGER REFERENCES materializations (id),
  name               TEXT NOT NULL,
  passed             INTEGER NOT NULL,
  blocking           INTEGER NOT NULL,
  message            TEXT,
  metadata           TEXT,               -- JSON
  at                 TEXT NOT NULL
) STRICT;
CREATE INDEX check_results_by_materialization ON check_results (materialization_id);
CREATE INDEX check_results_by_asset ON check_results (asset_key, name);

CREATE TABLE events (
  id        INTEGER PRIMARY KEY,
  run_id    TEXT NOT NULL REFERENCES runs (id),
  at        TEXT NOT NULL,
  type      TEXT NOT NULL,
  asset_key TEXT,
  data      TEXT                          -- JSON
) STRICT;
CREATE INDEX events_by_run ON events (run_id, id);

-- One value per (materialization, name, step); step is NULL for a single summary value.
-- A NaN value is stored as NULL (SQLite has no NaN) and read back as NaN.
CREATE TABLE metrics (
  materialization_id INTEGER NOT NULL REFERENCES materializations (id) ON DELETE CASCADE,
  name               TEXT NOT NULL,
  step               INTEGER,
  value              REAL
) STRICT;
CREATE INDEX metrics_by_materialization ON metrics (materialization_id, name, step);
CREATE INDEX metrics_by_name ON metrics (name, materialization_id);

-- Who is building an (asset, partition) right now. Times are epoch milliseconds.
CREATE TABLE leases (
  asset_key   TEXT NOT NULL,
  partition   TEXT NOT NULL DEFAULT '',
  run_id      TEXT NOT NULL,
  pid         INTEGER NOT NULL,
  host        TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (asset_key, partition)
) STRICT, WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'jobs',
    sql: `
-- Jobs that launchers run for assets (a command, or a function holding GPU slots). A job row is
-- written before submission and updated as its state changes, so a restarted run finds a job still
-- running (same asset, same fingerprint) and reattaches to it instead of submitting it again.
CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY,
  run_id       TEXT NOT NULL REFERENCES runs (id),  -- the run that watches it (a reattaching run adopts it)
  asset_key    TEXT NOT NULL,
  partition    TEXT NOT NULL DEFAULT '',
  attempt      INTEGER NOT NULL DEFAULT 1,
  launcher     TEXT NOT NULL,                       -- 'local', 'slurm'
  fingerprint  TEXT NOT NULL,                       -- hash of what the job computes (code, config, inputs, command)
  handle       TEXT,                                -- JSON, the launcher's handle; NULL until submitted
  state        TEXT NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'cancelled', 'timeout', 'oom', 'node_fail', 'preempted')),
  reason       TEXT,                                -- why it is pending or how it ended, in the launcher's words
  submitted_at TEXT NOT NULL,
  started_at   TEXT,
  finished_at  TEXT,
  exit_code    INTEGER
) STRICT;
CREATE INDEX jobs_by_asset ON jobs (asset_key, partition, fingerprint, id);
CREATE INDEX jobs_by_run ON jobs (run_id);
CREATE INDEX jobs_active ON jobs (state) WHERE state IN ('pending', 'running');
`,
  },
  {
    version: 3,
    name: 'params',
    sql: `
-- The config values each materialization was built with (secrets redacted), written by the built-in
-- tracker right after the record: \`assets show\` prints them beside the config hash.
CREATE TABLE materialization_params (
  materialization_id INTEGER PRIMARY KEY REFERENCES materializations (id) ON DELETE CASCADE,
  params             TEXT NOT NULL                  -- JSON
) STRICT;
`,
  },
  {
    version: 4,
    name: 'pins and collected artifacts',
    sql: `
-- Set by \`assets gc\` (and \`wipe\`) when the record's artifact was deleted: the row stays (history,
-- lineage, metrics), only its stored value is gone. A latest or pinned record is never collected.
ALTER TABLE materializations ADD COLUMN collected_at TEXT;
CREATE INDEX materializations_with_artifacts ON materializations (asset_key, partition, id)
  WHERE storage_path IS NOT NULL AND collected_at IS NULL;

-- Records whose artifact must be kept whatever the retention policy says (a registered model
-- version, a result someone refers to), with a note saying why.
CREATE TABLE pins (
  materialization_id INTEGER PRIMARY KEY REFERENCES materializations (id) ON DELETE CASCADE,
  note               TEXT,
  pinned_at          TEXT NOT NULL
) STRICT;
`,
  },
  {
    version: 5,
    name: 'automation ticks, decisions and state',
    sql: `
-- One row per evaluation of the automation conditions (assets tick, each daemon tick; dry runs are
-- not stored). run_ids: the runs the tick launched (JSON array), set when it finishes.
CREATE TABLE automation_ticks (
  id          INTEGER PRIMARY KEY,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  dry_run     INTEGER NOT NULL DEFAULT 0,
  evaluated   INTEGER NOT NULL DEFAULT 0,
  requested   INTEGER NOT NULL DEFAULT 0,
  run_ids     TEXT NOT NULL DEFAULT '[]',
  error       TEXT
) STRICT;

-- One row per asset evaluated by a tick: the decision and its evaluated condition tree (JSON), and
-- the run that carried it out (NULL until the run started, or when not requested). Bounded: only
-- the decisions of the newest AUTOMATION_KEEP_TICKS stored ticks are kept.
CREATE TABLE automation_decisions (
  id        INTEGER PRIMARY KEY,
  tick_id   INTEGER NOT NULL REFERENCES automation_ticks (id) ON DELETE CASCADE,
  asset_key TEXT NOT NULL,
  partition TEXT NOT NULL DEFAULT '',
  requested INTEGER NOT NULL,
  tree      TEXT NOT NULL,
  run_id    TEXT
) STRICT;
CREATE INDEX automation_decisions_by_key ON automation_decisions (asset_key, id);
CREATE INDEX automation_decisions_by_tick ON automation_decisions (tick_id);

-- Durable automation state by scope: 'asset' (condition memory), 'sensor' (cursor), 'schedule'
-- (last cron tick seen), 'daemon'.
CREATE TABLE automation_state (
  scope      TEXT NOT NULL,
  name       TEXT NOT NULL,
  state      TEXT NOT NULL,             -- JSON
  updated_at TEXT NOT NULL,
  PRIMARY KEY (scope, name)
) STRICT, WITHOUT ROWID;
`,
  },
  {
    version: 6,
    name: 'latest records changed since a cursor',
    sql: `
-- What changed in \`latest\` since a reader last looked (the automation daemon's tick reads only that):
-- rows whose record id is above its cursor, and whether any row was deleted (wipe), counted here.
-- INSERT OR REPLACE does not fire the trigger (recursive_triggers is off): a replaced row is a newer
-- record, which the cursor sees anyway.
CREATE INDEX latest_by_record ON latest (materialization_id);
CREATE TABLE store_counters (
  name TEXT PRIMARY KEY,
  n    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO store_counters (name, n) VALUES ('latest_deletes', 0);
CREATE TRIGGER latest_deleted AFTER DELETE ON latest
BEGIN
  UPDATE store_counters SET n = n + 1 WHERE name = 'latest_deletes';
END;
`,
  },
  {
    version: 7,
    name: 'partitions: input partitions in latest, dynamic partition sets, backfills',
    sql: `
-- The partition (or range) of each consumed input, newline-joined like input_keys, so that reading
-- the latest records of partitioned assets scans \`latest\` alone. Written when the record or one of
-- its inputs is partitioned (NULL otherwise: unpartitioned rows stay as they were); filled here for
-- the rows written before it from materialization_inputs, the queryable truth.
ALTER TABLE latest ADD COLUMN input_partitions TEXT;
-- The partitioned assets, one seek each: reading the unpartitioned rows skips their partitions.
-- Partial, so an unpartitioned project never writes to it.
CREATE INDEX latest_partitioned ON latest (asset_key) WHERE partition != '';
UPDATE latest SET input_partitions = (
    SELECT group_concat(dep_partition, char(10) ORDER BY position)
    FROM materialization_inputs WHERE materialization_id = latest.materialization_id)
  WHERE input_count > 0 AND (partition != '' OR EXISTS (
    SELECT 1 FROM materialization_inputs
    WHERE materialization_id = latest.materialization_id AND dep_partition != ''));

-- The keys of dynamic partition sets, by position in order of addition. A removed key keeps its row
-- (removed_at set) and leaves a hole at its position; added again, it takes the next position.
-- Times are epoch milliseconds.
CREATE TABLE dynamic_partitions (
  set_name   TEXT NOT NULL,
  key        TEXT NOT NULL,
  position   INTEGER NOT NULL,
  added_at   INTEGER NOT NULL,
  removed_at INTEGER,
  PRIMARY KEY (set_name, key)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX dynamic_partitions_by_position ON dynamic_partitions (set_name, position);

-- Durable backfills: what was asked (selection, partition key ranges per asset as JSON
-- {asset: [[from, to], ...]}, batch size), where it stands, and the runs started for it.
CREATE TABLE backfills (
  id         TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  selection  TEXT NOT NULL,               -- JSON array
  ranges     TEXT NOT NULL,               -- JSON object
  batch      INTEGER NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
  run_ids    TEXT NOT NULL DEFAULT '[]',  -- JSON array, oldest first
  updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX backfills_by_creation ON backfills (created_at);

-- Partitions planned, done and failed per asset of a backfill.
CREATE TABLE backfill_progress (
  backfill_id TEXT NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
  asset_key   TEXT NOT NULL,
  planned     INTEGER NOT NULL,
  done        INTEGER NOT NULL DEFAULT 0,
  failed      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (backfill_id, asset_key)
) STRICT, WITHOUT ROWID;
`,
  },
  {
    version: 8,
    name: 'model registry: alias moves',
    sql: `
-- Every move of a model alias (champion, challenger, ...) to a version of a model asset, oldest first;
-- an alias names the version of its newest move. Versions are numbered by the registry from the
-- asset's records (each new data version is the next version); record_id is a record of that version
-- (pinned by the registry, so gc keeps what an alias may name again). A rollback undoes a promotion.
CREATE TABLE model_alias_moves (
  id         INTEGER PRIMARY KEY,
  asset_key  TEXT NOT NULL,
  alias      TEXT NOT NULL,
  version    INTEGER NOT NULL,
  record_id  INTEGER NOT NULL REFERENCES materializations (id),
  action     TEXT NOT NULL CHECK (action IN ('promote', 'rollback')),
  previous   INTEGER,
  reason     TEXT,
  actor      TEXT,
  moved_at   TEXT NOT NULL
) STRICT;
CREATE INDEX model_alias_moves_by_alias ON model_alias_moves (asset_key, alias, id);
`,
  },
]

/**
 * The schema version this Rivers writes.
 *
 * @example
 * if (found > SCHEMA_VERSION) throw storeTooNew(file, found, SCHEMA_VERSION)
 */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0

/**
 * The schema version recorded in a database file.
 *
 * @example
 * schemaVersion(db) // 0 for an empty file
 */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Applies every migration above the file's version, one `IMMEDIATE` transaction each. The version is
 * re-read inside each transaction, so concurrent openers apply each step exactly once.
 *
 * @example
 * migrate(db, MIGRATIONS)
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): void {
  for (const m of migrations) {
    if (schemaVersion(db) >= m.version) continue
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return
      db.exec(m.sql)
      db.pragma(`user_version = ${m.version | 0}`)
    }).immediate()
  }
}
