/**
 * The PostgreSQL schema, as forward-only migrations recorded in `rivers_schema_migrations`, applied
 * once under a transaction-scoped advisory lock: two processes opening a fresh database at once do
 * not both migrate it, and a failed migration leaves the database at the previous version (DDL is
 * transactional in PostgreSQL).
 *
 * Versions follow the SQLite store's (packages/rivers/src/store/migrations.ts): version 7 here is the
 * schema of SQLite's version 7, in one step; a later SQLite migration N gets its twin N here.
 * Conventions are SQLite's, so that both stores answer alike: hashes are 16-byte `bytea`; times are
 * ISO-8601 UTC text with milliseconds (sorts as time), lease times epoch milliseconds (`bigint`); JSON
 * is `text` holding `JSON.stringify` output (byte for byte what was written, key order kept); keys
 * and partitions sort as bytes (`COLLATE "C"`), as SQLite's BINARY does.
 */
import { storeTooNew } from './errors.js'
import type { Db, Queryable } from './db.js'

/** One schema step. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

/**
 * Every migration, oldest first.
 *
 * @example
 * const latest = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version
 */
export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 7,
    name: 'initial schema (the SQLite schema of version 7)',
    sql: `
CREATE TABLE runs (
  seq         bigint GENERATED ALWAYS AS IDENTITY,
  id          text COLLATE "C" PRIMARY KEY,
  started_at  text NOT NULL,
  finished_at text,
  status      text NOT NULL CHECK (status IN ('running', 'success', 'failed', 'cancelled')),
  selection   text NOT NULL,
  force       boolean NOT NULL DEFAULT false,
  argv        text,
  config      text,
  pid         integer,
  host        text,
  summary     text
);
CREATE INDEX runs_by_start ON runs (started_at, seq);

CREATE TABLE materializations (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id       text COLLATE "C" NOT NULL REFERENCES runs (id),
  asset_key    text COLLATE "C" NOT NULL,
  partition    text COLLATE "C" NOT NULL DEFAULT '',
  kind         text NOT NULL DEFAULT 'materialization' CHECK (kind IN ('materialization', 'observation')),
  code_version bytea NOT NULL CHECK (length(code_version) = 16),
  config_hash  bytea NOT NULL CHECK (length(config_hash) = 16),
  data_version bytea NOT NULL CHECK (length(data_version) = 16),
  started_at   text NOT NULL,
  finished_at  text NOT NULL,
  duration_ms  bigint NOT NULL,
  storage_path text,
  metadata     text,
  wiped_at     text,
  collected_at text
);
CREATE INDEX materializations_by_asset ON materializations (asset_key, partition, id);
CREATE INDEX materializations_by_run ON materializations (run_id);
CREATE INDEX materializations_with_artifacts ON materializations (asset_key, partition, id)
  WHERE storage_path IS NOT NULL AND collected_at IS NULL;

CREATE TABLE materialization_inputs (
  materialization_id bigint NOT NULL REFERENCES materializations (id) ON DELETE CASCADE,
  position           integer NOT NULL,
  dep_key            text COLLATE "C" NOT NULL,
  dep_partition      text COLLATE "C" NOT NULL DEFAULT '',
  data_version       bytea NOT NULL CHECK (length(data_version) = 16),
  PRIMARY KEY (materialization_id, position)
);

-- The current record of each (asset, partition) with a copy of its trace, packed (see the SQLite
-- schema): reading the state of every asset scans this one table.
CREATE TABLE latest (
  asset_key          text COLLATE "C" NOT NULL,
  partition          text COLLATE "C" NOT NULL DEFAULT '',
  materialization_id bigint NOT NULL REFERENCES materializations (id),
  kind               text NOT NULL,
  code_version       bytea NOT NULL CHECK (length(code_version) = 16),
  config_hash        bytea NOT NULL CHECK (length(config_hash) = 16),
  data_version       bytea NOT NULL CHECK (length(data_version) = 16),
  input_count        integer NOT NULL,
  input_keys         text,
  input_versions     bytea CHECK (length(input_versions) = 16 * input_count),
  run_id             text COLLATE "C" NOT NULL,
  finished_at        text NOT NULL,
  input_partitions   text,
  PRIMARY KEY (asset_key, partition)
);
CREATE INDEX latest_by_record ON latest (materialization_id);
CREATE INDEX latest_partitioned ON latest (asset_key, partition) WHERE partition <> '';

CREATE TABLE check_results (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id             text COLLATE "C" NOT NULL REFERENCES runs (id),
  asset_key          text COLLATE "C" NOT NULL,
  partition          text COLLATE "C" NOT NULL DEFAULT '',
  materialization_id bigint REFERENCES materializations (id),
  name               text NOT NULL,
  passed             boolean NOT NULL,
  blocking           boolean NOT NULL,
  message            text,
  metadata           text,
  at                 text NOT NULL
);
CREATE INDEX check_results_by_materialization ON check_results (materialization_id);
CREATE INDEX check_results_by_asset ON check_results (asset_key, name);

CREATE TABLE events (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id    text COLLATE "C" NOT NULL REFERENCES runs (id),
  at        text NOT NULL,
  type      text NOT NULL,
  asset_key text COLLATE "C",
  data      text
);
CREATE INDEX events_by_run ON events (run_id, id);

-- step NULL: a single summary value. double precision keeps NaN as it is.
CREATE TABLE metrics (
  materialization_id bigint NOT NULL REFERENCES materializations (id) ON DELETE CASCADE,
  name               text NOT NULL,
  step               bigint,
  value              double precision
);
CREATE INDEX metrics_by_materialization ON metrics (materialization_id, name, step);
CREATE INDEX metrics_by_name ON metrics (name, materialization_id);

-- Who is building an (asset, partition) right now; epoch milliseconds of the server's clock.
CREATE TABLE leases (
  asset_key   text COLLATE "C" NOT NULL,
  partition   text COLLATE "C" NOT NULL DEFAULT '',
  run_id      text COLLATE "C" NOT NULL,
  pid         integer NOT NULL,
  host        text NOT NULL,
  acquired_at bigint NOT NULL,
  expires_at  bigint NOT NULL,
  PRIMARY KEY (asset_key, partition)
);
CREATE INDEX leases_by_run ON leases (run_id);

CREATE TABLE jobs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id       text COLLATE "C" NOT NULL REFERENCES runs (id),
  asset_key    text COLLATE "C" NOT NULL,
  partition    text COLLATE "C" NOT NULL DEFAULT '',
  attempt      integer NOT NULL DEFAULT 1,
  launcher     text NOT NULL,
  fingerprint  text NOT NULL,
  handle       text,
  state        text NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'cancelled', 'timeout', 'oom', 'node_fail', 'preempted')),
  reason       text,
  submitted_at text NOT NULL,
  started_at   text,
  finished_at  text,
  exit_code    integer
);
CREATE INDEX jobs_by_asset ON jobs (asset_key, partition, fingerprint, id);
CREATE INDEX jobs_by_run ON jobs (run_id);
CREATE INDEX jobs_active ON jobs (state) WHERE state IN ('pending', 'running');

CREATE TABLE materialization_params (
  materialization_id bigint PRIMARY KEY REFERENCES materializations (id) ON DELETE CASCADE,
  params             text NOT NULL
);

CREATE TABLE pins (
  materialization_id bigint PRIMARY KEY REFERENCES materializations (id) ON DELETE CASCADE,
  note               text,
  pinned_at          text NOT NULL
);

CREATE TABLE automation_ticks (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at  text NOT NULL,
  finished_at text,
  dry_run     boolean NOT NULL DEFAULT false,
  evaluated   integer NOT NULL DEFAULT 0,
  requested   integer NOT NULL DEFAULT 0,
  run_ids     text NOT NULL DEFAULT '[]',
  error       text
);

CREATE TABLE automation_decisions (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tick_id   bigint NOT NULL REFERENCES automation_ticks (id) ON DELETE CASCADE,
  asset_key text COLLATE "C" NOT NULL,
  partition text COLLATE "C" NOT NULL DEFAULT '',
  requested boolean NOT NULL,
  tree      text NOT NULL,
  run_id    text
);
CREATE INDEX automation_decisions_by_key ON automation_decisions (asset_key, id);
CREATE INDEX automation_decisions_by_tick ON automation_decisions (tick_id);

CREATE TABLE automation_state (
  scope      text COLLATE "C" NOT NULL,
  name       text COLLATE "C" NOT NULL,
  state      text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (scope, name)
);

-- Deletions from latest (wipe), counted: a reader's cursor (max record id, deletes) tells whether
-- what changed since can be read as the rows above its record id. An upsert is an UPDATE, not counted.
CREATE TABLE store_counters (
  name text PRIMARY KEY,
  n    bigint NOT NULL
);
INSERT INTO store_counters (name, n) VALUES ('latest_deletes', 0);
CREATE FUNCTION rivers_latest_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE store_counters SET n = n + 1 WHERE name = 'latest_deletes';
  RETURN NULL;
END $$;
CREATE TRIGGER latest_deleted AFTER DELETE ON latest FOR EACH ROW EXECUTE FUNCTION rivers_latest_deleted();

CREATE TABLE dynamic_partitions (
  set_name   text COLLATE "C" NOT NULL,
  key        text COLLATE "C" NOT NULL,
  position   integer NOT NULL,
  added_at   bigint NOT NULL,
  removed_at bigint,
  PRIMARY KEY (set_name, key),
  UNIQUE (set_name, position)
);

CREATE TABLE backfills (
  id         text COLLATE "C" PRIMARY KEY,
  created_at text NOT NULL,
  selection  text NOT NULL,
  ranges     text NOT NULL,
  batch      integer NOT NULL,
  status     text NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
  run_ids    text NOT NULL DEFAULT '[]',
  updated_at text NOT NULL
);
CREATE INDEX backfills_by_creation ON backfills (created_at);

CREATE TABLE backfill_progress (
  backfill_id text COLLATE "C" NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
  asset_key   text COLLATE "C" NOT NULL,
  planned     integer NOT NULL,
  done        integer NOT NULL DEFAULT 0,
  failed      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (backfill_id, asset_key)
);
`,
  },
  {
    version: 8,
    name: 'model registry: alias moves (the SQLite schema of version 8)',
    sql: `
CREATE TABLE model_alias_moves (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  asset_key  text COLLATE "C" NOT NULL,
  alias      text COLLATE "C" NOT NULL,
  version    integer NOT NULL,
  record_id  bigint NOT NULL REFERENCES materializations (id),
  action     text NOT NULL CHECK (action IN ('promote', 'rollback')),
  previous   integer,
  reason     text,
  actor      text,
  moved_at   text NOT NULL
);
CREATE INDEX model_alias_moves_by_alias ON model_alias_moves (asset_key, alias, id);
`,
  },
]

/**
 * The schema version this package writes.
 *
 * @example
 * if (found > PG_SCHEMA_VERSION) console.log('a newer Rivers migrated this database')
 */
export const PG_SCHEMA_VERSION: number = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]?.version ?? 0

const TABLE = 'rivers_schema_migrations'

/** The version recorded in the current schema (the table must exist: 0 when it is empty). */
async function versionOf(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ v: number }>(`SELECT coalesce(max(version), 0) AS v FROM ${TABLE}`)
  return Number(rows[0]?.v ?? 0)
}

/** The version of a database opened for the first time in this process; 0 when never migrated. */
async function versionBefore(db: Db): Promise<number> {
  try {
    return await versionOf(db)
  } catch (e) {
    const cause = (e as { cause?: { code?: unknown } }).cause
    if (cause?.code === '42P01') return 0 // undefined_table: a fresh database
    throw e
  }
}

/**
 * Applies the migrations the database lacks, in one transaction under an advisory lock (scoped to
 * the current schema), re-reading the version once the lock is held; refuses a database migrated by a
 * newer Rivers. An up-to-date database costs one query.
 *
 * @example
 * await migrate(db) // the version it is at now
 */
export async function migrate(db: Db, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<number> {
  const latest = migrations[migrations.length - 1]?.version ?? 0
  const found = await versionBefore(db)
  if (found > latest) throw storeTooNew(db.url, found, latest)
  if (found === latest) return found
  return db.tx(async (c) => {
    await c.query(`SELECT pg_advisory_xact_lock(hashtext('rivers-migrate:' || current_schema()))`)
    await c.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`)
    const now = await versionOf(c)
    if (now > latest) throw storeTooNew(db.url, now, latest)
    for (const m of migrations) {
      if (m.version <= now) continue
      await c.query(m.sql)
      await c.query(`INSERT INTO ${TABLE} (version, name) VALUES ($1, $2)`, [m.version, m.name])
    }
    return latest
  }, 'the schema migration')
}
