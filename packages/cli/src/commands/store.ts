/**
 * `assets store migrate --to postgres://… [--store DIR]`: copies the embedded SQLite store (the
 * folder's `rivers.db`) into a PostgreSQL team store, every table, ids kept, in one transaction
 * (`migrateFromSqlite` of @rivers-orchestrator/store-postgres, loaded by dynamic import). Outputs
 * stay where they are: the records keep their paths, under the same local folder.
 */
import path from 'node:path'
import { type Ctx, print, printJson, storeDirOf } from '../context.js'
import { CliError } from '../errors.js'
import { EXIT } from '../exit.js'
import { findProjectFile } from '../project-file.js'
import { type Importer, isStoreUrl, loadPostgres } from '../store-select.js'

/** The part of store-postgres this command uses. */
interface Migrator {
  migrateFromSqlite(
    sqliteFile: string,
    url: string,
  ): Promise<{ schemaVersion: number; copied: number; tables: { table: string; rows: number; copied: number }[] }>
  redactUrl(url: string): string
}

/**
 * Copies the SQLite store of the project (or of `--store DIR`) into the PostgreSQL store `flags.to`.
 *
 * @example
 * await storeMigrate(ctx, { to: 'postgres://rivers@db.internal/team' })
 */
export async function storeMigrate(
  ctx: Ctx,
  flags: { to: string },
  importer: Importer = (s) => import(s),
): Promise<number> {
  if (!isStoreUrl(flags.to)) throw badMigrateTarget(flags.to)
  const given = ctx.globals.store
  if (given !== undefined && isStoreUrl(given)) throw urlAsSource()
  const projectFile = projectFileOrCwd(ctx, given !== undefined)
  const dir = given === undefined ? storeDirOf(ctx, projectFile) : path.resolve(ctx.io.cwd, given)
  const file = path.join(dir, 'rivers.db')
  const mod = (await loadPostgres(projectFile, importer, flags.to)) as unknown as Partial<Migrator>
  if (typeof mod.migrateFromSqlite !== 'function' || typeof mod.redactUrl !== 'function') throw migratorTooOld()
  const done = await mod.migrateFromSqlite(file, flags.to)
  const to = mod.redactUrl(flags.to)
  if (ctx.json) {
    printJson(ctx, { from: file, to, outputs: dir, ...done })
    return EXIT.ok
  }
  const width = Math.max(...done.tables.map((t) => t.table.length))
  const lines = done.tables.map(
    (t) =>
      `  ${t.table.padEnd(width)}  ${t.copied}${t.copied === t.rows ? '' : ` of ${t.rows} (the rest: there already, or migrated before)`}`,
  )
  print(
    ctx,
    [
      done.copied === 0
        ? `Nothing new to copy: ${to} already holds every row of ${file} (schema version ${done.schemaVersion}).`
        : `Copied ${done.copied} rows of ${file} into ${to} (schema version ${done.schemaVersion}), rows per table:`,
      ...(done.copied === 0 ? [] : lines),
      `Outputs were not moved: the records keep their paths under ${dir}; keep that folder`,
      '(the PostgreSQL store reads outputs from .rivers/ beside the project, or RIVERS_HOME),',
      `and select the team store with --store ${to} or RIVERS_STORE_URL.`,
    ].join('\n'),
  )
  return EXIT.ok
}

/** The project file (for where the store folder is and where to import the package from), or a stand-in in the working folder when `--store DIR` makes it optional. */
function projectFileOrCwd(ctx: Ctx, optional: boolean): string {
  try {
    return findProjectFile(ctx.io.cwd, ctx.globals.project)
  } catch (e) {
    if (!optional) throw e
    return path.join(ctx.io.cwd, 'rivers.config.ts')
  }
}

/**
 * `--to` is not a PostgreSQL URL.
 *
 * @example
 * throw badMigrateTarget('.rivers-team')
 */
export function badMigrateTarget(value: string): CliError {
  return new CliError(
    'RIVERS_MIGRATE_BAD_TARGET',
    `assets store migrate --to ${JSON.stringify(value.replace(/:[^:@/]*@/, ':***@'))}: the target must be a PostgreSQL URL.\n` +
      'Fix: --to postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (the SQLite store to copy is --store DIR, default .rivers/ beside the project).',
  )
}

/**
 * `--store` names a URL: it is the SQLite folder to copy from here.
 *
 * @example
 * throw urlAsSource()
 */
export function urlAsSource(): CliError {
  return new CliError(
    'RIVERS_MIGRATE_BAD_SOURCE',
    'assets store migrate copies FROM the SQLite store folder given by --store DIR, and --store is a PostgreSQL URL.\n' +
      'Fix: put the PostgreSQL URL in --to, and --store the folder that holds rivers.db (or leave it out: .rivers/ beside the project).',
  )
}

/**
 * The installed store-postgres predates the migration.
 *
 * @example
 * throw migratorTooOld()
 */
export function migratorTooOld(): CliError {
  return new CliError(
    'RIVERS_MIGRATE_UNSUPPORTED',
    'The installed @rivers-orchestrator/store-postgres has no migrateFromSqlite (it predates assets store migrate).\n' +
      'Fix: upgrade it beside the project: npm install @rivers-orchestrator/store-postgres@latest',
  )
}
