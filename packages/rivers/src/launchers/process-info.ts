/**
 * Whether a process is alive, robust to pid reuse: a pid is paired with its start time (Linux
 * `/proc/<pid>/stat`), so a new process that got the same pid is not mistaken for the old one.
 */
import { readFileSync, readdirSync } from 'node:fs'

/**
 * The start time of a process (clock ticks since boot, as text) on Linux; undefined elsewhere or
 * when the process does not exist.
 *
 * @example
 * const started = processStartTime(process.pid)
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces and parentheses) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19] // field 22 overall: starttime
  } catch {
    return undefined
  }
}

/**
 * Whether `pid` is alive (and, when `startTime` is given and knowable, is the same process). A
 * zombie (exited, not yet reaped) counts as dead.
 *
 * @example
 * isAlive(handle.pid, handle.startTime)
 */
export function isAlive(pid: number, startTime?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] === 'Z' || fields[0] === 'X') return false
    if (startTime !== undefined && fields[19] !== startTime) return false
  } catch {
    // No /proc (macOS): kill(0) is all we know.
  }
  return true
}

/**
 * Whether any live (non-zombie) process belongs to process group `pgid`. Reads `/proc` on Linux;
 * elsewhere asks the kernel (`kill(-pgid, 0)`, which also counts zombies).
 *
 * @example
 * if (!groupAlive(handle.pid)) reservation.release()
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    try {
      process.kill(-pgid, 0)
      return true
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM'
    }
  }
  const group = String(pgid)
  for (const name of entries) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (fields[2] === group && fields[0] !== 'Z' && fields[0] !== 'X') return true
    } catch {
      // exited meanwhile
    }
  }
  return false
}

/**
 * The environment of a process (Linux `/proc/<pid>/environ`; same user or root), or undefined.
 *
 * @example
 * processEnv(pid)?.RIVERS_EXIT_FILE
 */
export function processEnv(pid: number): Record<string, string> | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/environ`, 'utf8')
    const env: Record<string, string> = {}
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=')
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1)
    }
    return env
  } catch {
    return undefined
  }
}
