/**
 * Following a file another process appends to (a job's stdout, its messages): each `read()` returns
 * the complete lines written since the last one. Works on shared file systems (it polls; no inotify).
 */
import { open } from 'node:fs/promises'

/**
 * Reads the lines appended to `path`; a missing file reads as empty until it appears.
 *
 * @example
 * const out = new LineFollower('/jobs/r1/model/stdout.log')
 * for (const line of await out.read()) log.info(line)
 * for (const line of await out.read({ final: true })) log.info(line) // at the end: the unterminated last line too
 */
export class LineFollower {
  readonly path: string
  #offset = 0
  #partial = Buffer.alloc(0)
  /** Bytes read so far. */
  get offset(): number {
    return this.#offset
  }

  constructor(path: string, offset = 0) {
    this.path = path
    this.#offset = offset
  }

  /** Complete lines appended since the last call; with `final`, also a last line without a newline. */
  async read(options: { final?: boolean; maxBytes?: number } = {}): Promise<string[]> {
    const chunk = await this.#readNew(options.maxBytes ?? 8 * 2 ** 20)
    let data = this.#partial.length === 0 ? chunk : Buffer.concat([this.#partial, chunk])
    const lines: string[] = []
    let start = 0
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      lines.push(data.toString('utf8', start, nl).replace(/\r$/, ''))
      start = nl + 1
    }
    data = data.subarray(start)
    if (options.final === true && data.length > 0) {
      lines.push(data.toString('utf8'))
      data = Buffer.alloc(0)
    }
    this.#partial = Buffer.from(data)
    return lines
  }

  async #readNew(maxBytes: number): Promise<Buffer> {
    let handle: import('node:fs/promises').FileHandle
    try {
      handle = await open(this.path, 'r')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0)
      throw e
    }
    try {
      const { size } = await handle.stat()
      if (size < this.#offset) this.#offset = 0 // truncated or replaced: start over
      const length = Math.min(size - this.#offset, maxBytes)
      if (length <= 0) return Buffer.alloc(0)
      const buf = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buf, 0, length, this.#offset)
      this.#offset += bytesRead
      return buf.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  }
}
