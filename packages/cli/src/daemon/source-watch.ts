/**
 * The daemon's watch on its path sources: each source with a `path` (resolved against the project
 * file's folder, as the engine does) is watched through a {@link FileWatcher} (fs events on its
 * folder, or polling). A change wakes the daemon, and the next tick observes exactly the sources
 * whose file changed (`TickOptions.observe`); the sources it watches are not re-observed on every
 * tick (`TickOptions.watched`), only on the first one, on a change, and every `every` they have.
 * A source with its own `observe` function is woken for too, but stays re-observed on every tick:
 * what it reads may be more than its file.
 */
import path from 'node:path'
import { FileWatcher } from './watcher.js'

/** The parts of a project's asset the watch reads (the library's `ResolvedAsset` has them). */
export interface SourceAsset {
  readonly key: string
  readonly def: { readonly kind: string; readonly path?: unknown; readonly observe?: unknown }
}

/** One watched source. */
export interface WatchedSource {
  key: string
  /** Absolute path of its file (or folder). */
  file: string
  /** Whether its version is its file's content (no `observe` function): then it is re-observed only on a change. */
  byFile: boolean
}

/**
 * The path sources of a project, with their files resolved against `baseDir`.
 *
 * @example
 * watchedSources(ws.project.assets, '/p') // [{ key: 'raw', file: '/p/data/raw.csv', byFile: true }]
 */
export function watchedSources(assets: readonly SourceAsset[], baseDir: string): WatchedSource[] {
  const out: WatchedSource[] = []
  for (const a of assets) {
    if (a.def.kind !== 'source' || typeof a.def.path !== 'string' || a.def.path === '') continue
    out.push({ key: a.key, file: path.resolve(baseDir, a.def.path), byFile: a.def.observe === undefined })
  }
  return out
}

/** Options of {@link SourceWatch}. */
export interface SourceWatchOptions {
  debounceMs: number
  /** Poll the files (stat every `pollIntervalMs`) instead of fs events. */
  poll: boolean
  pollIntervalMs: number
  /** Called once per debounced change, after the changed keys were added to what `take()` returns. */
  onChange(keys: readonly string[]): void
  /** Told when fs events fail for a folder (or it went away) and its files are polled from then on. */
  onFallback?(dir: string, error: unknown): void
}

/**
 * @example
 * const watch = new SourceWatch(watchedSources(ws.project.assets, dir), { debounceMs: 50, poll: false,
 *   pollIntervalMs: 1000, onChange: () => wake.wake('files') })
 * await ws.tick({ observe: watch.take(), watched: watch.watched })
 * watch.close()
 */
export class SourceWatch {
  /** Keys the daemon passes as `TickOptions.watched`. */
  readonly watched: ReadonlySet<string>
  readonly sources: readonly WatchedSource[]
  readonly #byFile = new Map<string, string[]>()
  readonly #watcher: FileWatcher
  #changed = new Set<string>()

  constructor(sources: readonly WatchedSource[], options: SourceWatchOptions) {
    this.sources = sources
    this.watched = new Set(sources.filter((s) => s.byFile).map((s) => s.key))
    for (const s of sources) this.#byFile.set(s.file, [...(this.#byFile.get(s.file) ?? []), s.key])
    this.#watcher = new FileWatcher({
      debounceMs: options.debounceMs,
      poll: options.poll,
      pollIntervalMs: options.pollIntervalMs,
      onChange: (files) => {
        const keys = files.flatMap((f) => this.#byFile.get(f) ?? [])
        if (keys.length === 0) return
        for (const k of keys) this.#changed.add(k)
        options.onChange(keys)
      },
      ...(options.onFallback === undefined ? {} : { onFallback: options.onFallback }),
    })
    this.#watcher.set([...this.#byFile.keys()])
  }

  /** How the files are watched: `events`, `polling`, or `mixed` (some folders could not be watched). */
  get mode(): 'events' | 'polling' | 'mixed' {
    return this.#watcher.mode
  }

  /** The keys whose file changed since the last call, sorted (for `TickOptions.observe`). */
  take(): string[] {
    const keys = [...this.#changed].sort()
    this.#changed = new Set()
    return keys
  }

  /** Puts keys back (a tick that failed did not observe them). */
  restore(keys: readonly string[]): void {
    for (const k of keys) this.#changed.add(k)
  }

  close(): void {
    this.#watcher.close()
  }
}
