/**
 * Watching a set of files for `assets watch` and the daemon's path sources: fs events on the folders
 * that hold them (a file replaced by an editor's rename is still seen, a file created later too), or,
 * when fs events are not available (the call fails: inotify limits, some network or container file
 * systems; the folder does not exist or goes away) or polling is asked for, `fs.watchFile` polling
 * (mtime, size, inode). Changes are debounced: one callback, with every file that changed, once
 * nothing changed for `debounceMs`.
 */
import { type FSWatcher, type Stats, statSync, unwatchFile, watch, watchFile } from 'node:fs'
import path from 'node:path'

/** Options of {@link FileWatcher}. */
export interface WatcherOptions {
  debounceMs: number
  /** Poll with `fs.watchFile` instead of fs events. */
  poll?: boolean
  /** How often a polled file is stat'ed (ms; default half the debounce, between 50 ms and 1 s). */
  pollIntervalMs?: number
  /** Called once per quiet period after changes, with the changed files (absolute, sorted). */
  onChange(files: string[]): void
  /** Told when fs events fail for a folder and it falls back to polling. */
  onFallback?(dir: string, error: unknown): void
}

/**
 * @example
 * const w = new FileWatcher({ debounceMs: 300, onChange: (files) => console.log(files) })
 * w.set(['/p/rivers.config.ts', '/p/data/raw.csv'])
 * w.close()
 */
export class FileWatcher {
  readonly #options: WatcherOptions
  /** Watched files, by folder (or a watched folder itself, under its own path with an empty name set). */
  #files = new Set<string>()
  readonly #dirWatchers = new Map<string, FSWatcher>()
  readonly #polled = new Set<string>()
  readonly #pending = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  #closed = false

  constructor(options: WatcherOptions) {
    this.#options = options
  }

  /** How each file is watched now (for the start-up line and tests). */
  get mode(): 'events' | 'polling' | 'mixed' {
    if (this.#polled.size === 0) return 'events'
    return this.#dirWatchers.size === 0 ? 'polling' : 'mixed'
  }

  /** The files watched, sorted. */
  get files(): string[] {
    return [...this.#files].sort()
  }

  /** Watches exactly `files` (absolute paths; a folder is watched for changes of its entries). */
  set(files: readonly string[]): void {
    if (this.#closed) return
    const next = new Set(files.map((f) => path.resolve(f)))
    for (const f of this.#polled) if (!next.has(f)) this.#unpoll(f)
    this.#files = next
    const dirs = new Set<string>()
    for (const f of next) {
      if (this.#options.poll) {
        this.#poll(f)
        continue
      }
      const target = isDir(f) ? f : path.dirname(f)
      dirs.add(target)
      if (!this.#dirWatchers.has(target) && !this.#polled.has(f) && !this.#watchDir(target)) this.#poll(f)
    }
    for (const [dir, w] of this.#dirWatchers)
      if (!dirs.has(dir)) {
        w.close()
        this.#dirWatchers.delete(dir)
      }
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    for (const w of this.#dirWatchers.values()) w.close()
    this.#dirWatchers.clear()
    for (const f of [...this.#polled]) this.#unpoll(f)
  }

  #watchDir(dir: string): boolean {
    try {
      const w = watch(dir, { persistent: true }, (event, name) => {
        // The folder itself was removed (or moved): its watch is dead, poll its files from now on.
        if (event === 'rename' && !isDir(dir)) return this.#fallBack(dir, w, folderGone(dir))
        if (this.#files.has(dir)) this.#changed(dir)
        if (name === null) return
        const file = path.join(dir, name.toString())
        if (this.#files.has(file)) this.#changed(file)
      })
      // The folder went away or the watch broke: poll its files from now on.
      w.on('error', (e) => this.#fallBack(dir, w, e))
      this.#dirWatchers.set(dir, w)
      return true
    } catch (e) {
      this.#options.onFallback?.(dir, e)
      return false
    }
  }

  #fallBack(dir: string, w: FSWatcher, error: unknown): void {
    if (this.#dirWatchers.get(dir) !== w) return
    w.close()
    this.#dirWatchers.delete(dir)
    this.#options.onFallback?.(dir, error)
    for (const f of this.#files)
      if (f === dir || path.dirname(f) === dir) {
        this.#poll(f)
        this.#changed(f) // it went away with its folder
      }
  }

  #poll(file: string): void {
    if (this.#polled.has(file)) return
    this.#polled.add(file)
    // By default twice per debounce period: changes polled apart still fall in one quiet period.
    const interval =
      this.#options.pollIntervalMs ?? Math.max(50, Math.min(1_000, Math.floor(this.#options.debounceMs / 2)))
    watchFile(file, { interval, persistent: true }, (curr: Stats, prev: Stats) => {
      if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) this.#changed(file)
    })
  }

  #unpoll(file: string): void {
    unwatchFile(file)
    this.#polled.delete(file)
  }

  #changed(file: string): void {
    if (this.#closed) return
    this.#pending.add(file)
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      const files = [...this.#pending].sort()
      this.#pending.clear()
      if (!this.#closed && files.length > 0) this.#options.onChange(files)
    }, this.#options.debounceMs)
  }
}

/** The error a watched folder that went away is reported with (as fs.watch would throw it). */
function folderGone(dir: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: no such file or directory, watch '${dir}'`), {
    code: 'ENOENT',
    path: dir,
  })
}

function isDir(file: string): boolean {
  try {
    return statSync(file).isDirectory()
  } catch {
    return false
  }
}
