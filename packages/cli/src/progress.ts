/**
 * Progress of a run. On a TTY: one status line redrawn in place with `\r` (spinner, done/planned,
 * what is running, elapsed), with failures printed above it as they happen. Elsewhere: one plain line
 * per event. Either way it remembers per-asset durations for the summary table.
 */
import type { RunEvent } from '@rivers-orchestrator/rivers'
import { formatDuration } from './format/duration.js'
import { formatEvent } from './format/run.js'
import { stripAnsi, visibleWidth, type Style } from './format/style.js'
import type { OutStream } from './io.js'

/** What the materialize command drives. */
export interface Progress {
  onEvent(e: RunEvent): void
  /** Prints a line above the status line (or as is, without a TTY). */
  note(line: string): void
  /** Runs `write` (which prints whole lines elsewhere on the terminal) with the status line out of the way. */
  around(write: () => void): void
  /** Stops redrawing and clears the status line. */
  stop(): void
  /** Durations of the assets that finished, by key. */
  readonly durations: ReadonlyMap<string, number>
}

/**
 * @example
 * const progress = createProgress(io.stdout, style, { live: io.stdout.isTTY === true })
 * await ws.materialize({ onEvent: (e) => progress.onEvent(e) }); progress.stop()
 */
export function createProgress(out: OutStream, style: Style, options: { live: boolean; now?: () => number }): Progress {
  return options.live ? new LiveProgress(out, style, options.now ?? Date.now) : new PlainProgress(out, style)
}

class PlainProgress implements Progress {
  readonly durations = new Map<string, number>()
  constructor(
    private readonly out: OutStream,
    private readonly style: Style,
  ) {}

  onEvent(e: RunEvent): void {
    if (e.type === 'asset_materialized' && e.partition === undefined) this.durations.set(e.key, e.durationMs)
    if (e.type === 'partitions_finished') this.durations.set(e.key, e.durationMs)
    const line = formatEvent(e, this.style)
    if (line !== undefined) this.out.write(`${line}\n`)
  }

  note(line: string): void {
    this.out.write(`${line}\n`)
  }

  around(write: () => void): void {
    write()
  }

  stop(): void {}
}

class LiveProgress implements Progress {
  readonly durations = new Map<string, number>()
  private planned = 0
  private done = 0
  private readonly running = new Map<string, number>()
  private readonly finished = new Set<string>()
  private readonly started: number
  private frame = 0
  private drawn = false
  private stopped = false
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly out: OutStream,
    private readonly style: Style,
    private readonly now: () => number,
  ) {
    this.started = now()
    this.timer = setInterval(() => this.draw(), 100)
    this.timer.unref()
  }

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'run_started':
        this.planned = e.planned.length
        break
      case 'asset_started':
        if (!this.running.has(e.key)) this.running.set(e.key, this.now())
        break
      case 'asset_materialized':
        // A partition: its asset finishes with `partitions_finished`.
        if (e.partition !== undefined) break
        this.durations.set(e.key, e.durationMs)
        this.finish(e.key)
        break
      case 'partitions_finished':
        this.durations.set(e.key, e.durationMs)
        this.finish(e.key)
        break
      case 'asset_skipped':
        this.finish(e.key)
        break
      case 'asset_failed':
        if (!e.willRetry && e.partition === undefined) {
          const started = this.running.get(e.key)
          if (started !== undefined) this.durations.set(e.key, this.now() - started)
          this.finish(e.key)
        }
        this.note(formatEvent(e, this.style)!)
        break
      case 'check_evaluated':
        if (!e.passed) this.note(formatEvent(e, this.style)!)
        break
      default:
        break
    }
    this.draw()
  }

  note(line: string): void {
    this.around(() => this.out.write(`${line}\n`))
  }

  around(write: () => void): void {
    const visible = this.drawn
    this.clear()
    write()
    if (visible && !this.stopped) this.draw()
  }

  stop(): void {
    clearInterval(this.timer)
    this.clear()
    this.stopped = true
  }

  private finish(key: string): void {
    this.running.delete(key)
    // A partitioned asset whose partitions were all skipped reports both ends: count it once.
    if (this.finished.has(key)) return
    this.finished.add(key)
    this.done++
  }

  private clear(): void {
    if (this.drawn) this.out.write('\r\u001b[2K')
    this.drawn = false
  }

  private draw(): void {
    if (this.stopped) return
    const spinner = this.style.sym.spinner[this.frame++ % this.style.sym.spinner.length]!
    const elapsed = formatDuration(this.now() - this.started)
    const running = [...this.running.keys()]
    const what = running.length === 0 ? '' : ` ${this.style.dim('running')} ${running.join(', ')}`
    let line = `${this.style.cyan(spinner)} ${this.done}/${this.planned} done ${this.style.dim(`· ${elapsed}`)}${what}`
    const columns = this.out.columns !== undefined && this.out.columns > 10 ? this.out.columns : 80
    const width = columns - 1
    if (visibleWidth(line) > width) line = truncate(line, width)
    this.out.write(`\r\u001b[2K${line}`)
    this.drawn = true
  }
}

/** Cuts text to `width` visible characters (dropping colour codes when it must cut). */
function truncate(line: string, width: number): string {
  const plain = stripAnsi(line)
  return `${[...plain].slice(0, Math.max(0, width - 1)).join('')}…`
}
