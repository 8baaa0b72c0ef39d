/**
 * Errors of the automation commands (`daemon`, `tick`, `automation`, `watch`), one constructor per
 * kind. Each is a `CliError` (a stable code, exit 2 unless said) whose message names what was wrong
 * and how to fix it.
 */
import { CliError } from '../errors.js'

/** What the store tells about the daemon that holds it. */
export interface DaemonHolder {
  pid: number
  host: string
  /** Epoch ms when it took the store. */
  acquiredAt: number
  /** Epoch ms when its lease runs out unless it renews it. */
  expiresAt: number
}

/**
 * A second `assets daemon` on a store another daemon holds (without `--wait`).
 *
 * @example
 * throw daemonRunning('/p/.rivers', { pid: 4242, host: 'build-1', acquiredAt: 0, expiresAt: 15_000 })
 */
export function daemonRunning(storeDir: string, holder: DaemonHolder): CliError {
  return new CliError(
    'RIVERS_DAEMON_RUNNING',
    `Another daemon runs on the store ${storeDir}: pid ${holder.pid} on ${holder.host}, since ${new Date(holder.acquiredAt).toISOString()}.\n` +
      `Fix: stop it first (kill ${holder.pid} on ${holder.host}; it stops cleanly on SIGTERM), or pass --wait to take over when it stops.`,
  )
}

/**
 * The daemon lost its lease to another daemon (its renewals failed for longer than the lease lasts,
 * e.g. the machine slept): it stops so that two daemons never tick one store. Exit 1.
 *
 * @example
 * throw daemonLeaseLost({ pid: 4242, host: 'build-1', acquiredAt: 0, expiresAt: 15_000 })
 */
export function daemonLeaseLost(holder: DaemonHolder | undefined): CliError {
  const who = holder === undefined ? 'nobody holds it now' : `pid ${holder.pid} on ${holder.host} holds it now`
  return new CliError(
    'RIVERS_DAEMON_LEASE_LOST',
    `The daemon lost its lease on the store (${who}): it could not renew it in time, so it stopped ticking and cancelled its runs.\n` +
      'Fix: run one daemon per store; if this one was suspended (sleep, SIGSTOP), start it again with --wait.',
    { exitCode: 1 },
  )
}

/**
 * An option that takes a duration got something else.
 *
 * @example
 * throw badDuration('--interval', 'soon', '5s')
 */
export function badDuration(flag: string, value: string, example: string): CliError {
  return new CliError(
    'RIVERS_USAGE',
    `${flag} ${JSON.stringify(value)} is not a duration.\nFix: give a positive number with a unit (ms, s, m, h), e.g. ${flag} ${example}.`,
  )
}

/**
 * `--catch-up` got something else than `skip`, `latest` or `all:N`.
 *
 * @example
 * throw badCatchUp('all')
 */
export function badCatchUp(value: string): CliError {
  return new CliError(
    'RIVERS_USAGE',
    `--catch-up ${JSON.stringify(value)} is not a catch-up policy.\n` +
      'Fix: --catch-up skip (ignore cron ticks missed while the daemon was down), latest (run once for the latest missed tick; the default) or all:N (run each missed tick, at most N).',
  )
}

/**
 * `--now` is not an ISO date and time.
 *
 * @example
 * throw badNow('yesterday')
 */
export function badNow(value: string): CliError {
  return new CliError(
    'RIVERS_USAGE',
    `--now ${JSON.stringify(value)} is not a date and time.\nFix: give an ISO 8601 time, e.g. --now 2026-12-05T03:00:00Z.`,
  )
}

/**
 * `watch` cannot start a child command: the process was not started from the `assets` binary
 * (no script in `process.argv[1]`).
 *
 * @example
 * throw noCliEntry()
 */
export function noCliEntry(): CliError {
  return new CliError(
    'RIVERS_USAGE',
    'assets watch runs `assets materialize` as a child process, but this process has no CLI script to start again (process.argv[1] is empty).\nFix: run watch through the assets binary: npx assets watch.',
  )
}
