/** Exit codes of the `assets` command (docs/cli.md, "Exit codes") and how errors and runs map to them. */
import type { RunSummary } from '@rivers-orchestrator/rivers'

/** 0 success; 1 a run finished with failed assets; 2 bad usage, definitions, selection or config; 130 cancelled. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const

/**
 * The exit code of a finished run.
 *
 * @example
 * exitCodeOfRun({ status: 'failed' }) // 1
 */
export function exitCodeOfRun(summary: Pick<RunSummary, 'status'>): number {
  if (summary.status === 'success') return EXIT.ok
  if (summary.status === 'cancelled') return EXIT.cancelled
  return EXIT.failed
}

/**
 * The exit code of an error: its own `exitCode` (RiversError, CliError), 2 for commander usage
 * errors and for coded errors of the planning core (`RIVERS_*` without an exit code), else 1.
 *
 * @example
 * exitCodeOfError(new CliError('RIVERS_BAD_CONFIG', '…')) // 2
 */
export function exitCodeOfError(e: unknown): number {
  const err = e as { exitCode?: unknown } | null
  if (isCommanderError(e)) return e.exitCode === 0 ? EXIT.ok : EXIT.usage
  if (typeof err?.exitCode === 'number' && Number.isInteger(err.exitCode)) return err.exitCode
  if (codeOf(e)?.startsWith('RIVERS_')) return EXIT.usage
  return EXIT.failed
}

/** The stable code of an error for `{"error":{"code"}}`. */
export function errorCode(e: unknown): string {
  if (isCommanderError(e)) return 'RIVERS_USAGE'
  const code = codeOf(e)
  return code?.startsWith('RIVERS_') ? code : 'RIVERS_INTERNAL'
}

/** A CommanderError (usage error, or help/version displayed), recognised without importing commander. */
export function isCommanderError(e: unknown): e is Error & { code: string; exitCode: number } {
  return e instanceof Error && e.name === 'CommanderError' && (codeOf(e)?.startsWith('commander.') ?? false)
}

/** The string `code` of an error-like value, if any. */
export function codeOf(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : undefined
}
