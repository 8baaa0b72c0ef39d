/**
 * What a job reported through its messages file: metrics, metadata, data version, output path.
 * Log messages go to the run log as they arrive.
 */
import path from 'node:path'

import type { Logger } from 'pino'

import { parseMessage, type JobMessage } from './protocol.js'
import { LineFollower } from './tail.js'

/**
 * Follows a job's messages file and accumulates what it reports.
 *
 * @example
 * const report = new JobReport(files.messagesPath, log)
 * await report.poll()                 // while the job runs
 * await report.poll({ final: true })  // after it ended
 * report.metrics // [{ name: 'loss', value: 0.3, step: 1 }, …]
 */
export class JobReport {
  readonly metrics: { name: string; value: number; step?: number }[] = []
  readonly metadata: Record<string, unknown> = {}
  /** Files the job attached (`artifact` messages), in order. */
  readonly artifacts: { path: string; name?: string }[] = []
  dataVersion: string | undefined
  /** The output path the job reported (as written), if any. */
  outputPath: string | undefined
  /** Lines that were not valid messages. */
  invalid = 0
  readonly #follower: LineFollower
  readonly #log: Logger
  #line = 0

  constructor(messagesPath: string, log: Logger) {
    this.#follower = new LineFollower(messagesPath)
    this.#log = log
  }

  /** Reads and applies the messages written since the last call. */
  async poll(options: { final?: boolean } = {}): Promise<void> {
    for (const line of await this.#follower.read(options)) {
      this.#line++
      if (line.trim() === '') continue
      const parsed = parseMessage(line)
      if (parsed.ok) this.apply(parsed.message)
      else {
        this.invalid++
        this.#log.warn(
          { line: this.#line, text: line.slice(0, 200) },
          `the job wrote an invalid message (line ${this.#line} of ${path.basename(this.#follower.path)}): ${parsed.problem}`,
        )
      }
    }
  }

  /** Applies one message. */
  apply(m: JobMessage): void {
    switch (m.type) {
      case 'log':
        this.#log[m.level]({ source: 'job' }, m.message)
        break
      case 'metric':
        this.metrics.push(
          m.step === undefined ? { name: m.name, value: m.value } : { name: m.name, value: m.value, step: m.step },
        )
        break
      case 'metadata':
        Object.assign(this.metadata, m.data)
        break
      case 'data_version':
        this.dataVersion = m.value
        break
      case 'output':
        this.outputPath = m.path
        break
      case 'artifact':
        this.artifacts.push(m.name === undefined ? { path: m.path } : { path: m.path, name: m.name })
        break
    }
  }
}
