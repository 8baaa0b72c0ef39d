/**
 * The pack test's shell: commands run in a user's environment (nothing of the checkout, no binary
 * downloads, a local npm cache), steps, failures and the figures it reports.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'

const started = Date.now()

/** What the test measured, printed at the end. */
export const figures: string[] = []

/** The temporary folder of the run (named in failures). */
export const state = { work: '' }

/** Seconds since the test started. */
export function elapsed(): number {
  return (Date.now() - started) / 1000
}

/**
 * Prints the title of a step with the time so far.
 *
 * @example
 * step('pack')
 */
export function step(title: string): void {
  console.log(`\n== ${title} (${elapsed().toFixed(0)} s)`)
}

/**
 * Ends the test with a message (the temporary folder is kept to look at).
 *
 * @example
 * fail('assets init printed nothing')
 */
export function fail(message: string): never {
  console.error(`\npack-test: FAILED: ${message}${state.work ? `\n(the projects are in ${state.work})` : ''}`)
  process.exit(1)
}

/**
 * Fails the test with `message` unless `ok`.
 *
 * @example
 * check(r.code === 2, `exit ${r.code}, expected 2`)
 */
export function check(ok: boolean, message: string): void {
  if (!ok) fail(message)
}

/** The environment of every command: no trace of the checkout, no binary downloads, a local cache. */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const k of ['NODE_OPTIONS', 'NODE_PATH', 'INIT_CWD']) if (k in env) delete env[k]
  // What `npm run` passes down about the checkout (its package, its folder as local prefix).
  for (const k of Object.keys(env))
    if ((k.startsWith('npm_') && !k.startsWith('npm_config_')) || k === 'npm_config_local_prefix') delete env[k]
  env.npm_config_cache = process.env.RIVERS_PACK_CACHE ?? path.join(homedir(), '.cache', 'rivers-pack-test')
  env.npm_config_audit = 'false'
  env.npm_config_fund = 'false'
  env.npm_config_update_notifier = 'false'
  const headers = path.join(path.dirname(path.dirname(process.execPath)), 'include', 'node', 'node.h')
  if (env.npm_config_nodedir === undefined && existsSync(headers))
    env.npm_config_nodedir = path.dirname(path.dirname(path.dirname(headers))) // node-gyp: no header download
  env.NO_COLOR = '1'
  return env
}

/** The outcome of one command. */
export interface Run {
  code: number
  stdout: string
  stderr: string
  seconds: number
}

/**
 * Runs a command in the user's environment; fails the test when it fails, unless `allowFail`.
 *
 * @example
 * const r = run('npx', ['assets', 'status'], demo, { allowFail: true })
 */
export function run(cmd: string, args: readonly string[], cwd: string, options: { allowFail?: boolean } = {}): Run {
  const t = Date.now()
  const env = userEnv()
  // prebuild-install (better-sqlite3): compile, download nothing. Only where npm installs: npm warns
  // about the variable it does not know.
  if (/\bnpm install\b/.test([cmd, ...args].join(' '))) env.npm_config_build_from_source = 'true'
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 })
  const out: Run = { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t) / 1000 }
  if (out.code !== 0 && options.allowFail !== true)
    fail(
      `${cmd} ${args.join(' ')} (in ${cwd}) exited ${out.code}\n--- stdout ---\n${out.stdout}\n--- stderr ---\n${out.stderr}`,
    )
  return out
}

/**
 * Runs a shell line, echoed.
 *
 * @example
 * sh('npx assets materialize', demo)
 */
export function sh(line: string, cwd: string): Run {
  console.log(`$ ${line}`)
  return run('bash', ['-c', line], cwd)
}

/** Writes a JSON file as npm does. */
export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}

/** Reads a JSON file. */
export function readJson(file: string): any {
  return JSON.parse(readFileSync(file, 'utf8'))
}
