/**
 * Running a program and collecting its output (for `sbatch`, `squeue`, `nvidia-smi`, …), with a
 * time limit, optional stdin, and no shell.
 */
import { spawn } from 'node:child_process'

/**
 * What a program printed and how it ended. `code` is null when it could not be started (`error`
 * says why, e.g. ENOENT) or was killed (`signal`).
 *
 * @example
 * const r: ExecResult = { code: 0, signal: null, stdout: '4242\n', stderr: '' }
 */
export interface ExecResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  error?: NodeJS.ErrnoException
}

/**
 * Runs `argv` and resolves when it exits (never rejects).
 *
 * @example
 * const r = await execCommand(['sbatch', '--parsable', 'job.sbatch'], { timeoutMs: 30_000 })
 * if (r.code !== 0) throw new Error(r.stderr)
 */
export function execCommand(
  argv: readonly string[],
  options: { stdin?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const out: Buffer[] = []
    const err: Buffer[] = []
    let settled = false
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    })
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    const done = (r: ExecResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(r)
    }
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', (error) => done({ code: null, signal: null, stdout: '', stderr: error.message, error }))
    child.on('close', (code, signal) =>
      done({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    )
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.stdin ?? '')
  })
}

/**
 * One line describing how a command failed, for error messages.
 *
 * @example
 * describeExecFailure(['sinfo'], await execCommand(['sinfo'])) // "`sinfo` could not start: spawn sinfo ENOENT"
 */
export function describeExecFailure(argv: readonly string[], r: ExecResult): string {
  const shown = `\`${argv.join(' ')}\``
  if (r.error !== undefined) return `${shown} could not start: ${r.error.message}`
  const text = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' / ')
  const how = r.signal !== null ? `was killed by ${r.signal} (time limit?)` : `exited with ${r.code}`
  return `${shown} ${how}${text === '' ? '' : `: ${text}`}`
}
