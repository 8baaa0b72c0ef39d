/**
 * The streams, environment and signals a command talks to. `main` takes one so tests can drive the
 * CLI in-process with fake streams; the binary passes `processIo()`.
 */

/** A stream the CLI writes text to. */
export interface OutStream {
  write(chunk: string): unknown
  readonly isTTY?: boolean
  readonly columns?: number
}

/** Where input (the `wipe` confirmation) comes from. */
export interface InStream {
  readonly isTTY?: boolean
  /** Reads one line (without its newline); `undefined` at end of input. */
  readLine(prompt: string, to: OutStream): Promise<string | undefined>
}

/** Subscribing to process signals (SIGINT, SIGTERM) while a run is in flight. */
export interface Signals {
  on(signal: NodeJS.Signals, listener: () => void): void
  off(signal: NodeJS.Signals, listener: () => void): void
  /** Ends the process at once (second Ctrl-C). */
  exitNow(code: number): never
}

/** Everything a command may touch outside its arguments. */
export interface Io {
  readonly stdout: OutStream
  readonly stderr: OutStream
  readonly stdin: InStream
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly signals: Signals
}

/**
 * The real process.
 *
 * @example
 * process.exitCode = await main(process.argv, processIo())
 */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: {
      get isTTY() {
        return process.stdin.isTTY === true
      },
      readLine: readProcessLine,
    },
    env: process.env,
    cwd: process.cwd(),
    signals: {
      on: (signal, listener) => void process.on(signal, listener),
      off: (signal, listener) => void process.off(signal, listener),
      exitNow: (code) => process.exit(code),
    },
  }
}

async function readProcessLine(prompt: string, to: OutStream): Promise<string | undefined> {
  const { createInterface } = await import('node:readline')
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true })
  to.write(prompt)
  try {
    return await new Promise<string | undefined>((resolve) => {
      rl.once('line', resolve)
      rl.once('close', () => resolve(undefined))
    })
  } finally {
    rl.close()
  }
}
