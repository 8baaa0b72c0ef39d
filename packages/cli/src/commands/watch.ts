/**
 * `assets watch [SELECTION...] [--debounce 300ms] [--poll]`: for development. Runs
 * `assets materialize SELECTION` once, then again each time a project module (the project file and
 * the local modules it loads) or a path source's file changes, as a child process (a fresh module
 * graph each time). Never two runs at once: changes during a run queue one more run. Ctrl-C (or
 * SIGTERM) stops the running child cleanly and exits 130; a second one exits at once.
 */
import { type Ctx, selectionOf, storeDirOf } from '../context.js'
import { type ChildRun, materializeArgs, startChild } from '../daemon/child-run.js'
import { projectFiles } from '../daemon/project-files.js'
import { stopOnSignals } from '../daemon/signals.js'
import { FileWatcher } from '../daemon/watcher.js'
import { shownPath } from '../errors.js'
import { EXIT } from '../exit.js'
import { formatDuration } from '../format/duration.js'
import { findProjectFile } from '../project-file.js'

/** Options of `watch`. */
export interface WatchFlags {
  /** Quiet period after the last change before a run starts (ms). */
  debounce: number
  /** Poll files instead of using fs events. */
  poll?: boolean
}

/**
 * @example
 * await watch(ctx, ['model+'], { debounce: 300 })
 */
export async function watch(ctx: Ctx, args: readonly string[], flags: WatchFlags): Promise<number> {
  const file = findProjectFile(ctx.io.cwd, ctx.globals.project)
  const storeDir = storeDirOf(ctx, file)
  const select = selectionOf(args)
  const shown = (f: string) => shownPath(f, ctx.io.cwd)
  const say = (line: string) => void ctx.io.stderr.write(`${ctx.err.cyan('[watch]')} ${line}\n`)

  let pending: string[] | undefined = []
  let wake: (() => void) | undefined
  let current: ChildRun | undefined
  const watcher = new FileWatcher({
    debounceMs: flags.debounce,
    ...(flags.poll === true ? { poll: true } : {}),
    onChange: (files) => {
      pending = [...new Set([...(pending ?? []), ...files])]
      if (current !== undefined) say(`${list(files.map(shown))} changed: one more run after the current one`)
      wake?.()
    },
    onFallback: (dir, error) => {
      if ((error as { code?: unknown }).code !== 'ENOENT')
        say(`fs events are not available for ${shown(dir)} (${(error as Error).message}): polling its files`)
    },
  })
  const stop = stopOnSignals(ctx.io, {
    onStop: () => {
      say(current === undefined ? 'stopping' : 'stopping: cancelling the run (press Ctrl-C again to exit at once)')
      current?.child.kill('SIGINT')
      wake?.()
    },
    onExit: () => {
      current?.child.kill('SIGKILL')
      say('exiting without waiting for the run')
    },
  })

  let known: string[] = [file]
  const refresh = async () => {
    const found = await projectFiles(file, storeDir)
    if (found.error !== undefined) {
      const message = found.error instanceof Error ? found.error.message : String(found.error)
      say(`the project did not load (${message.split('\n')[0]}): watching the files of the last load`)
      known = [...new Set([...known, ...found.modules])]
    } else known = [...found.modules, ...found.sources]
    watcher.set(known)
  }

  try {
    await refresh()
    say(
      `watching ${known.length} file${known.length === 1 ? '' : 's'} (${list(known.map(shown))}) with ${watcher.mode === 'events' ? 'fs events' : 'polling'}, debounce ${formatDuration(flags.debounce)}; Ctrl-C stops`,
    )
    while (!stop.signal.aborted) {
      if (pending === undefined) {
        await new Promise<void>((resolve) => (wake = resolve))
        wake = undefined
        continue
      }
      const changed = pending
      pending = undefined
      const command = `assets materialize ${select.join(' ')}`
      say(changed.length === 0 ? command : `${list(changed.map(shown))} changed: ${command}`)
      const started = performance.now()
      current = startChild(materializeArgs(select, file, ctx.globals), ctx.io.cwd)
      const code = await current.exited
      current = undefined
      if (stop.signal.aborted) break
      say(`materialize exited ${code} after ${formatDuration(performance.now() - started)}; waiting for changes`)
      await refresh()
    }
  } finally {
    watcher.close()
    stop.dispose()
  }
  return EXIT.cancelled
}

function list(items: readonly string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 4).join(', ')} and ${items.length - 4} more`
}
