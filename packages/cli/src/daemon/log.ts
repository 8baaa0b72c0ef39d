/**
 * What the daemon prints: a line per tick that did something (observed a changed source, requested
 * assets, launched runs, or failed: evaluated, requested, runs launched, duration), one per run
 * finished, and lines for start, waiting and stop. Idle ticks print nothing but a summary line at
 * most once a minute (`12 idle ticks since …`). Human lines go to stdout, each starting with its ISO
 * time; with `--json`, one JSON object per line (NDJSON) with an `event` field, for every tick.
 */
import type { RunSummary } from '@rivers-orchestrator/rivers'
import type { Ctx } from '../context.js'
import { formatDuration } from '../format/duration.js'
import type { Style } from '../format/style.js'

/** The parts of a tick report the daemon's line shows (the engine's `TickReport` has them). */
export interface TickLine {
  tickId: number | null
  evaluated: number
  requested: readonly string[]
  runs: readonly { runId: string; select: readonly string[]; source: string; error?: string }[]
  sensors?: readonly { name: string; error?: string; observations?: number }[]
  /** Sources observed because their file changed (`TickOptions.observe`). */
  observed?: readonly string[]
  /** Why the tick started before its slot (`files`, `store`, `run`); empty for a grid tick. */
  woken?: readonly string[]
}

/** At most one idle summary line per this many ms. */
export const IDLE_SUMMARY_MS = 60_000

/**
 * Whether a tick is worth a line: it observed a changed source, requested something, launched (or
 * failed to launch) a run, or a sensor failed or reported new data versions.
 *
 * @example
 * isIdleTick({ tickId: 3, evaluated: 2, requested: [], runs: [] }) // true
 */
export function isIdleTick(report: TickLine): boolean {
  return (
    report.requested.length === 0 &&
    report.runs.length === 0 &&
    (report.observed ?? []).length === 0 &&
    !(report.sensors ?? []).some((s) => s.error !== undefined || s.observations !== undefined)
  )
}

/** Lines of the daemon (see the module comment). */
export interface DaemonLog {
  info(event: string, text: string, fields?: Record<string, unknown>): void
  tick(report: TickLine, durationMs: number): void
  tickFailed(error: unknown, durationMs: number): void
  runFinished(
    runId: string,
    outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
    durationMs: number,
  ): void
}

/**
 * @example
 * const log = daemonLog(ctx)
 * log.tick(report, 12)
 */
export function daemonLog(ctx: Ctx, now: () => Date = () => new Date()): DaemonLog {
  const style = ctx.out
  // Text mode: the idle ticks since the last line, summed up at most once a minute.
  let idle = 0
  let lastLine = now()
  const write = (event: string, text: string, fields: Record<string, unknown>) => {
    const date = now()
    const at = date.toISOString()
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ at, event, ...fields })}\n`)
    else {
      ctx.io.stdout.write(`${style.dim(at)} ${text}\n`)
      idle = 0
      lastLine = date
    }
  }
  const idleTick = () => {
    idle++
    if (now().getTime() - lastLine.getTime() < IDLE_SUMMARY_MS) return
    const since = lastLine.toISOString()
    write('idle', style.dim(`${idle} idle tick${idle === 1 ? '' : 's'} since ${since}`), {})
  }
  return {
    info: (event, text, fields = {}) => write(event, text, fields),
    tick: (report, durationMs) => {
      if (!ctx.json && isIdleTick(report)) return idleTick()
      write('tick', tickText(report, durationMs, style), {
        tickId: report.tickId,
        evaluated: report.evaluated,
        requested: report.requested,
        runs: report.runs.map((r) => ({
          runId: r.runId,
          select: r.select,
          source: r.source,
          ...(r.error === undefined ? {} : { error: r.error }),
        })),
        durationMs: Math.round(durationMs),
        ...(report.sensors?.some((s) => s.error !== undefined)
          ? { sensorErrors: report.sensors.filter((s) => s.error !== undefined) }
          : {}),
        ...(report.observed === undefined ? {} : { observed: report.observed }),
        ...(report.woken === undefined ? {} : { woken: report.woken }),
      })
    },
    tickFailed: (error, durationMs) =>
      write(
        'tick_failed',
        `${style.red('tick failed')}: ${messageOf(error)} ${style.dim(`· ${formatDuration(durationMs)}`)}`,
        {
          error: messageOf(error),
          durationMs: Math.round(durationMs),
        },
      ),
    runFinished: (runId, outcome) => {
      if (!outcome.ok) {
        write('run_failed', `run ${runId} ${style.red('could not finish')}: ${messageOf(outcome.error)}`, {
          runId,
          error: messageOf(outcome.error),
        })
        return
      }
      const s = outcome.value as RunSummary
      write('run_finished', runText(s, style), {
        runId,
        status: s.status,
        materialized: s.materialized,
        skipped: s.skipped,
        failed: s.failed,
        durationMs: Math.round(s.durationMs),
      })
    },
  }
}

/**
 * `tick 12: raw changed; 4 evaluated, 1 requested (model), run R launched (conditions: model) · 8ms`
 *
 * @example
 * tickText({ tickId: 3, evaluated: 2, requested: [], runs: [] }, 4, style) // 'tick 3: 2 evaluated, 0 requested · 4ms'
 */
export function tickText(report: TickLine, durationMs: number, style: Style): string {
  const requested =
    report.requested.length === 0
      ? '0 requested'
      : `${report.requested.length} requested (${shortList(report.requested)})`
  const runs = report.runs
    .map((r) =>
      r.error === undefined
        ? `, run ${r.runId} launched (${r.source}: ${shortList(r.select.map(shownKey))})`
        : `, ${style.red(`run of ${r.source} could not start`)}: ${r.error}`,
    )
    .join('')
  const sensorErrors = (report.sensors ?? [])
    .filter((s) => s.error !== undefined)
    .map((s) => `, ${style.red(`sensor ${s.name} failed`)}: ${s.error}`)
    .join('')
  const observed = report.observed ?? []
  const reports = (report.sensors ?? [])
    .filter((s) => s.observations !== undefined)
    .map((s) => `${s.name} reported ${s.observations} new data version${s.observations === 1 ? '' : 's'}; `)
    .join('')
  const changed = `${observed.length === 0 ? '' : `${shortList(observed)} changed; `}${reports}`
  return `tick ${report.tickId ?? '-'}: ${changed}${report.evaluated} evaluated, ${requested}${runs}${sensorErrors} ${style.dim(`· ${formatDuration(durationMs)}`)}`
}

function runText(s: RunSummary, style: Style): string {
  const status =
    s.status === 'success'
      ? style.green(s.status)
      : s.status === 'failed'
        ? style.red(s.status)
        : style.yellow(s.status)
  const failed = s.failed.length === 0 ? '' : ` (${shortList(s.failed.map((f) => f.key))})`
  return `run ${s.runId} ${status}: ${s.materialized.length} materialized, ${s.skipped.length} skipped, ${s.failed.length} failed${failed} ${style.dim(`· ${formatDuration(s.durationMs)}`)}`
}

/** `key:model` (how a tick selects a requested asset) as `model`. */
function shownKey(selection: string): string {
  return selection.replace(/^key:/, '')
}

function shortList(keys: readonly string[]): string {
  return keys.length <= 4 ? keys.join(', ') : `${keys.slice(0, 3).join(', ')} and ${keys.length - 3} more`
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
