/**
 * End-to-end harness: temporary projects driven through the real `assets` binary.
 *
 * How a temporary project resolves `@rivers-orchestrator/rivers`: each project lives in its own folder under the OS temp
 * dir (outside the repo, so no enclosing package.json or node_modules leaks in), and gets
 * `node_modules/@rivers-orchestrator/rivers` -> packages/rivers and `node_modules/zod` -> the repo's zod as symlinks. Node
 * follows the links to their real paths, so the project and the CLI share one instance of `rivers`
 * (and rivers finds its own dependencies in the repo's node_modules).
 *
 * Each run is `node packages/cli/bin/assets.mjs ARGS` with the project folder as cwd, NO_COLOR=1,
 * and RIVERS_HOME unset (so the store is `.rivers/` beside the project file).
 *
 * With RIVERS_E2E_STORE=postgres (and RIVERS_TEST_PG_URL naming a server), each project's runs use a
 * PostgreSQL team store instead: a fresh database per project (RIVERS_STORE_URL), made before its first
 * run and dropped by `removeProjects`; outputs and logs stay in `.rivers/`. CI runs the catalogue files
 * whose cases touch the store this way too (.ci/run).
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))
/** The `assets` launcher. */
export const BIN = path.resolve(HERE, '../../bin/assets.mjs')
const RIVERS = path.resolve(HERE, '../../../rivers')
const ZOD = path.dirname(createRequire(path.join(RIVERS, 'package.json')).resolve('zod/package.json'))

/** The outcome of one CLI invocation. */
export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as the one JSON document (throws with the output when it is not JSON). */
  json<T = any>(): T
}

/** Options of one invocation. */
export interface RunOptions {
  /** Extra environment variables (`undefined` removes one). */
  env?: Record<string, string | undefined>
  /** Working directory relative to the project folder (default: the folder itself). */
  cwd?: string
  /** Called with the child process once it started (to send signals). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void
}

/** A temporary project. */
export interface TestProject {
  /** Its folder (real path). */
  dir: string
  /** Writes (or overwrites) files, paths relative to `dir`. */
  write(files: Record<string, string>): void
  /** Removes a file or folder. */
  remove(file: string): void
  /** Runs `assets ARGS` in the project folder. */
  run(args: readonly string[], options?: RunOptions): Promise<CliResult>
  /** `dir` replaced by `<project>` in text, for snapshots. */
  scrub(text: string): string
}

const made: string[] = []
/** Databases made for projects under RIVERS_E2E_STORE=postgres, dropped by `removeProjects`. */
const databases: (() => Promise<void>)[] = []

/** The environment of a project's runs under RIVERS_E2E_STORE=postgres (a fresh database, made once). */
function storeEnvOf(): () => Promise<Record<string, string>> {
  if (process.env.RIVERS_E2E_STORE !== 'postgres') return async () => ({})
  let made: Promise<Record<string, string>> | undefined
  return () => {
    made ??= import('../../../store-postgres/src/testing.js').then(async ({ freshDatabase, pgUnavailable }) => {
      const why = pgUnavailable()
      if (why !== undefined) throw new Error(`RIVERS_E2E_STORE=postgres: ${why}`)
      const { url, drop } = await freshDatabase('rivers_e2e')
      databases.push(drop)
      return { RIVERS_STORE_URL: url }
    })
    return made
  }
}

/**
 * A project folder with `files` (e.g. `{ 'rivers.config.ts': source }`), `rivers` and `zod`
 * resolvable, and a package.json of the given `type` (default `module`; `null` writes none).
 *
 * @example
 * const p = makeProject({ 'rivers.config.ts': pipeline() })
 * const r = await p.run(['materialize', '--json'])
 * expect(r.json().materialized).toEqual(['raw', 'features'])
 */
export function makeProject(
  files: Record<string, string>,
  options: { type?: 'module' | 'commonjs' | null } = {},
): TestProject {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'rivers-e2e-')))
  made.push(dir)
  linkPackages(dir)
  const type = options.type === undefined ? 'module' : options.type
  const storeEnv = storeEnvOf()
  if (type !== null)
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'e2e-project', private: true, type }))
  const project: TestProject = {
    dir,
    write(more) {
      for (const [name, text] of Object.entries(more)) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
        writeFileSync(path.join(dir, name), text)
      }
    },
    remove(file) {
      rmSync(path.join(dir, file), { recursive: true, force: true })
    },
    run: async (args, runOptions = {}) => {
      const env = { ...(await storeEnv()), ...runOptions.env }
      return runCli(args, path.join(dir, runOptions.cwd ?? '.'), { ...runOptions, env })
    },
    scrub: (text) => text.replaceAll(dir, '<project>'),
  }
  project.write(files)
  return project
}

/**
 * Makes `@rivers-orchestrator/rivers` and `zod` resolvable from `dir`: symlinks in its node_modules
 * to the repository's copies.
 *
 * @example
 * linkPackages(path.join(parent, 'demo')) // after `assets init demo`
 */
export function linkPackages(dir: string): void {
  mkdirSync(path.join(dir, 'node_modules', '@rivers-orchestrator'), { recursive: true })
  symlinkSync(RIVERS, path.join(dir, 'node_modules', '@rivers-orchestrator', 'rivers'), 'dir')
  symlinkSync(ZOD, path.join(dir, 'node_modules', 'zod'), 'dir')
}

/** Removes every project made so far, and their databases under RIVERS_E2E_STORE=postgres (call in `afterAll`). */
export async function removeProjects(): Promise<void> {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
  await Promise.all(databases.splice(0).map((drop) => drop()))
}

/** A folder without any project file (for "no project found"). */
export function emptyDir(): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'rivers-e2e-empty-')))
  made.push(dir)
  return dir
}

/**
 * Runs the real binary.
 *
 * @example
 * const r = await runCli(['--help'], process.cwd())
 */
export function runCli(args: readonly string[], cwd: string, options: RunOptions = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    RIVERS_HOME: undefined,
    ...options.env,
  }
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: env as NodeJS.ProcessEnv, timeout: 25_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code =
          error === null
            ? 0
            : typeof error.code === 'number'
              ? error.code
              : (error as { signal?: string }).signal
                ? 128
                : 1
        resolve({
          code,
          stdout,
          stderr,
          json() {
            try {
              return JSON.parse(stdout)
            } catch {
              const how =
                error === null
                  ? ''
                  : ` (signal ${String((error as { signal?: unknown }).signal)}, killed ${String((error as { killed?: unknown }).killed)})`
              throw new Error(
                `stdout is not one JSON document (exit ${code}${how}, pid ${child.pid}).\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
              )
            }
          },
        })
      },
    )
    options.onSpawn?.(child)
  })
}
