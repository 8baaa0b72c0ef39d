/** Test helpers: in-memory streams for driving `main` in-process. */
import type { InStream, Io, OutStream } from './io.js'

/** A stream that keeps what is written. */
export interface Captured extends OutStream {
  readonly text: string
}

/** A captured output stream; `isTTY` and `columns` as given. */
export function capture(options: { isTTY?: boolean; columns?: number } = {}): Captured {
  let text = ''
  return {
    isTTY: options.isTTY ?? false,
    columns: options.columns ?? 80,
    write(chunk: string) {
      text += chunk
      return true
    },
    get text() {
      return text
    },
  }
}

/** An Io over captured streams; `answers` are what `readLine` returns, in order. */
export function fakeIo(
  options: { cwd?: string; env?: Record<string, string>; tty?: boolean; answers?: string[] } = {},
): Io & { stdout: Captured; stderr: Captured; exits: number[] } {
  const answers = [...(options.answers ?? [])]
  const stdin: InStream = {
    isTTY: options.tty ?? false,
    readLine: async (prompt, to) => {
      to.write(prompt)
      return answers.shift()
    },
  }
  const exits: number[] = []
  return {
    stdout: capture({ isTTY: options.tty ?? false }),
    stderr: capture({ isTTY: options.tty ?? false }),
    stdin,
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    signals: {
      on() {},
      off() {},
      exitNow(code: number): never {
        exits.push(code)
        throw new Error(`exit ${code}`)
      },
    },
    exits,
  }
}
