import path from 'node:path'
import type { Store } from '@rivers-orchestrator/rivers/plugin'
import { CliError } from './errors.js'
import { type Importer, importPlugin } from './plugin-import.js'

/** The package of the PostgreSQL store. */
export const POSTGRES_PACKAGE = '@rivers-orchestrator/store-postgres'

/** Where the store is: a URL (with the local folder for outputs and logs), or only a folder. */
export interface StoreTarget {
  /** The PostgreSQL URL, when the store is a team store. */
  url?: string
  /** Where `url` came from (for messages). */
  from?: '--store' | 'RIVERS_STORE_URL' | 'the project' | `the project's variable ${string}`
  /** The local folder: the SQLite store (without `url`), outputs and run logs. */
  dir: string
}

/**
 * Whether a `--store` value is a database URL rather than a folder.
 *
 * @example
 * isStoreUrl('postgres://rivers@db/team') // true
 * isStoreUrl('.rivers') // false
 */
export function isStoreUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value)
}

/** The project's `store` setting (`ProjectOptions.store` of `@rivers-orchestrator/rivers`). */
export type ProjectStore = string | { readonly env: string } | undefined

/**
 * The store a command uses: `--store` (a folder or a postgres:// URL), else `RIVERS_STORE_URL`, else
 * the project's `store` setting, else the embedded store; the local folder is `--store` when it is a
 * folder, else `RIVERS_HOME`, else `.rivers/` beside the project.
 *
 * @example
 * storeTargetOf({ store: 'postgres://rivers@db/team' }, {}, '/home/me/shop', '/home/me/shop/rivers.config.ts')
 * // { url: 'postgres://rivers@db/team', from: '--store', dir: '/home/me/shop/.rivers' }
 */
export function storeTargetOf(
  globals: { store?: string },
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  projectFile: string,
  projectStore?: ProjectStore,
): StoreTarget {
  const home = env.RIVERS_HOME || undefined
  const local = home === undefined ? path.join(path.dirname(projectFile), '.rivers') : path.resolve(cwd, home)
  const given = globals.store
  if (given !== undefined && isStoreUrl(given)) return { url: given, from: '--store', dir: local }
  if (given !== undefined) return { dir: path.resolve(cwd, given) }
  const url = env.RIVERS_STORE_URL || undefined
  if (url !== undefined) {
    if (!isStoreUrl(url)) throw badStoreUrl(url)
    return { url, from: 'RIVERS_STORE_URL', dir: local }
  }
  if (projectStore === undefined) return { dir: local }
  if (typeof projectStore === 'string') return { url: projectStore, from: 'the project', dir: local }
  const fromVariable = env[projectStore.env] || undefined
  if (fromVariable === undefined) throw projectStoreUnset(projectStore.env, projectFile)
  if (!isStoreUrl(fromVariable)) throw badStoreUrl(fromVariable, projectStore.env)
  return { url: fromVariable, from: `the project's variable ${projectStore.env}`, dir: local }
}

/**
 * The project's store setting names a variable that is not set where the command runs.
 *
 * @example
 * throw projectStoreUnset('TEAM_STORE_URL', '/home/me/shop/rivers.config.ts')
 */
export function projectStoreUnset(variable: string, projectFile: string): CliError {
  return new CliError(
    'RIVERS_STORE_VARIABLE_UNSET',
    `The project ${projectFile} keeps its records in the store named by the variable ${variable} (store: { env: '${variable}' }), and ${variable} is not set.\n` +
      `Fix: export ${variable}=postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, or pass --store (a URL, or a folder for a store of your own).`,
  )
}

/** What the PostgreSQL store package exports (the part the CLI uses). */
export interface PostgresModule {
  PostgresStore: { open(url: string, options?: { pool?: { max?: number } }): Promise<Store> }
}

/** Imports a module by specifier or file URL (a parameter so that tests can stand in for a missing package). */
export type { Importer }

/**
 * Opens the PostgreSQL store at `url`: the package is imported from beside the project file, else
 * from beside the CLI; when it is installed in neither place the error names it and the command to
 * install it (exit 2).
 *
 * @example
 * const store = await openStoreUrl('postgres://rivers@db/team', '/home/me/shop/rivers.config.ts')
 */
export async function openStoreUrl(
  url: string,
  projectFile: string,
  importer: Importer = (s) => import(s),
): Promise<Store> {
  const mod = await loadPostgres(projectFile, importer, url)
  return mod.PostgresStore.open(url)
}

/**
 * Imports the PostgreSQL store package (beside the project file, else beside the CLI), or throws
 * `postgresMissing` naming `url` and the install command.
 *
 * @example
 * const mod = await loadPostgres('/home/me/shop/rivers.config.ts', (s) => import(s), 'postgres://rivers@db/team')
 */
export async function loadPostgres(projectFile: string, importer: Importer, url: string): Promise<PostgresModule> {
  return importPlugin(
    projectFile,
    POSTGRES_PACKAGE,
    importer,
    (mod): mod is PostgresModule => typeof (mod as Partial<PostgresModule>).PostgresStore?.open === 'function',
    (cause) => postgresMissing(url, projectFile, cause),
  )
}

/**
 * The PostgreSQL store package is not installed.
 *
 * @example
 * throw postgresMissing('postgres://rivers@db/team', '/home/me/shop/rivers.config.ts', undefined)
 */
export function postgresMissing(url: string, projectFile: string, cause: unknown): CliError {
  return new CliError(
    'RIVERS_STORE_BACKEND_MISSING',
    `The store ${redact(url)} is a PostgreSQL database, which needs the package ${POSTGRES_PACKAGE}; it is not installed.\n` +
      `Fix: install it beside the project: (cd ${path.dirname(projectFile)} && npm install ${POSTGRES_PACKAGE})\n` +
      '     or leave out --store / RIVERS_STORE_URL to use the embedded SQLite store.',
    cause === undefined ? {} : { cause },
  )
}

/**
 * RIVERS_STORE_URL (or the variable the project's store setting names) holds something that is not
 * a PostgreSQL URL.
 *
 * @example
 * throw badStoreUrl('mysql://db/team')
 */
export function badStoreUrl(value: string, variable = 'RIVERS_STORE_URL'): CliError {
  return new CliError(
    'RIVERS_BAD_STORE_URL',
    `${variable} is ${JSON.stringify(redact(value))}, which is not a PostgreSQL URL.\n` +
      'Fix: set it to postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, or unset it to use the embedded SQLite store (a folder: --store DIR or RIVERS_HOME).',
  )
}

/**
 * A URL without its password (for messages and logs).
 *
 * @example
 * redact('postgres://rivers:s3cret@db/team') // 'postgres://rivers:***@db/team'
 */
export function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@')
  }
}

/**
 * The installed PostgreSQL store package cannot tell a command of other processes' commits (an
 * older version without `watchCommits`), which the daemon needs.
 *
 * @example
 * throw storeCannotWatch('assets daemon', 'postgres://db/team')
 */
export function storeCannotWatch(command: string, url: string): CliError {
  return new CliError(
    'RIVERS_STORE_CANNOT_WATCH',
    `${command} needs a store that reports other processes' commits, and the installed ${POSTGRES_PACKAGE} (for ${redact(url)}) has no watchCommits: it is older than this CLI.\n` +
      `Fix: upgrade it beside the project: npm install ${POSTGRES_PACKAGE}@latest`,
  )
}
