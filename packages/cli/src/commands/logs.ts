/**
 * `assets logs [RUN] [--asset KEY] [--level LEVEL] [--follow]`: a run's log (default: the latest
 * run) in the line format a live run prints; `--asset` keeps one asset's lines (its job's streamed
 * stdout/stderr included); `--follow` streams a running run until it finishes or its process is
 * gone, and Ctrl-C stops it quietly (exit 130). The reading is the library's (`Workspace.logs`).
 */
import { formatLogLine, type LogFilter, type LogRecord } from '@rivers-orchestrator/rivers'

import { printJson, withWorkspace, type Ctx } from '../context.js'
import { EXIT } from '../exit.js'

/** Options of `logs`. */
export interface LogsFlags {
  asset?: string
  level?: LogFilter['level']
  follow?: boolean
}

/**
 * @example
 * await logs(ctx, undefined, { asset: 'model', follow: true })
 */
export async function logs(ctx: Ctx, runId: string | undefined, flags: LogsFlags): Promise<number> {
  const filter: LogFilter = {
    ...(flags.asset === undefined ? {} : { asset: flags.asset }),
    ...(flags.level === undefined ? {} : { level: flags.level }),
  }
  return withWorkspace(ctx, async (ws) => {
    if (flags.follow !== true) {
      const { runId: id, records } = await ws.logs(runId, filter)
      if (ctx.json) printJson(ctx, { runId: id, records })
      else {
        header(ctx, id, runId === undefined)
        for (const r of records) write(ctx, r)
      }
      return EXIT.ok
    }
    const controller = new AbortController()
    const stop = (): void => controller.abort()
    ctx.io.signals.on('SIGINT', stop)
    ctx.io.signals.on('SIGTERM', stop)
    try {
      const { runId: id, records } = await ws.followLogs(runId, filter, controller.signal)
      if (!ctx.json) header(ctx, id, runId === undefined)
      for await (const r of records) write(ctx, r)
    } finally {
      ctx.io.signals.off('SIGINT', stop)
      ctx.io.signals.off('SIGTERM', stop)
    }
    return controller.signal.aborted ? EXIT.cancelled : EXIT.ok
  })
}

/** Which run is shown, on stderr (stdout carries only the log lines). */
function header(ctx: Ctx, runId: string, latest: boolean): void {
  ctx.io.stderr.write(`${ctx.err.dim(`run ${runId}${latest ? ' (the latest)' : ''}`)}\n`)
}

/** One record: the live run's line format, or (with --json while following) one NDJSON line. */
function write(ctx: Ctx, r: LogRecord): void {
  ctx.io.stdout.write(ctx.json ? `${JSON.stringify(r)}\n` : formatLogLine(r, ctx.out.color))
}
