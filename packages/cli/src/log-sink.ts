/**
 * The stream the engine's logger writes to (stderr). While a live progress line is on screen, each
 * log write is wrapped so the line is cleared first and redrawn after, instead of being glued to it.
 */
import { Writable } from 'node:stream'
import type { OutStream } from './io.js'

/**
 * @example
 * const sink = new LogSink(io.stderr, style.color)
 * sink.intercept((write) => { progress.clear(); write(); progress.draw() })
 */
export class LogSink extends Writable {
  /** Read by the logger to decide on colours: true only when stderr is a TTY and colour is allowed. */
  readonly isTTY: boolean
  private around: ((write: () => void) => void) | undefined

  constructor(
    private readonly target: OutStream,
    colorful: boolean,
  ) {
    super({ decodeStrings: false })
    this.isTTY = colorful
  }

  /** Wraps every later write in `around` (or stops wrapping with `undefined`). */
  intercept(around: ((write: () => void) => void) | undefined): void {
    this.around = around
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : String(chunk)
    const write = () => void this.target.write(text)
    if (this.around === undefined) write()
    else this.around(write)
    callback()
  }
}
