/**
 * Temp files of killed writers. `writeAtomic` writes `.tmp-<pid>-<random>-<name>` beside its
 * destination and renames it into place; a writer killed before the rename (kill -9, power loss)
 * leaves the temp file behind. It is never visible as an output (records only name renamed files),
 * but it takes space, so runs sweep them: a temp file goes when it is older than a minimum age and
 * the process that wrote it is gone (or, whoever wrote it, when it is older than a day).
 */
import { randomBytes } from 'node:crypto'
import { access, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** First characters of every temp file name. */
export const TEMP_PREFIX = '.tmp-'

const TEMP_NAME = /^\.tmp-(?:(\d+)-)?[0-9a-f]+-/
const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Whether a file name is a temp file of `writeAtomic`, and the pid of its writer when the name has one.
 *
 * @example
 * parseTempName('.tmp-4242-9f1c0a7e3b5d2c11-@r1.json') // { pid: 4242 }
 * parseTempName('@r1.json') // undefined
 */
export function parseTempName(name: string): { pid: number | undefined } | undefined {
  const m = TEMP_NAME.exec(name)
  if (m === null) return undefined
  return { pid: m[1] === undefined ? undefined : Number(m[1]) }
}

const tempSalt = randomBytes(4).toString('hex')
let tempCounter = 0

/**
 * The name of a new temp file for `finalName`, carrying this process's pid.
 *
 * @example
 * tempFileName('@r1.json') // '.tmp-4242-9f1c0a7e3b5d2c11-@r1.json'
 */
export function tempFileName(finalName: string, pid: number = process.pid): string {
  // Unique without asking the system for randomness per file: a random prefix per process (a reused
  // pid does not repeat it) and a counter.
  tempCounter = (tempCounter + 1) >>> 0
  return `${TEMP_PREFIX}${pid}-${tempSalt}${tempCounter.toString(16).padStart(8, '0')}-${finalName}`
}

/** Options of {@link sweepTempFiles}. */
export interface SweepOptions {
  /** Temp files younger than this are kept whoever wrote them (default 60 s). */
  minAgeMs?: number
  /** Temp files older than this go even if their writer's pid is alive (pid reuse; default a day). */
  maxAgeMs?: number
  /** The current time (tests). */
  now?: number
  /** Whether a pid is a live process on this machine (tests). */
  isAlive?: (pid: number) => boolean
  /** Only these folders (relative to the base, not their subfolders) instead of the whole tree. */
  only?: readonly string[]
}

/**
 * Whether a process with this pid exists on this machine (a process of another user counts).
 *
 * @example
 * pidAlive(process.pid) // true
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes the temp files left under `baseDir` by writers that died. Returns the removed paths.
 * Never throws: a folder that cannot be read, or a file that vanished meanwhile, is skipped.
 *
 * @example
 * const removed = await sweepTempFiles('.rivers/storage')
 */
export async function sweepTempFiles(baseDir: string, options: SweepOptions = {}): Promise<string[]> {
  const minAge = options.minAgeMs ?? 60_000
  const maxAge = options.maxAgeMs ?? DAY_MS
  const now = options.now ?? Date.now()
  const alive = options.isAlive ?? pidAlive
  const removed: string[] = []
  const walk = async (dir: string, recursive: boolean): Promise<void> => {
    let entries: import('node:fs').Dirent[]
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const path = join(dir, e.name)
      if (e.isDirectory()) {
        if (recursive) await walk(path, true)
        continue
      }
      const m = TEMP_NAME.exec(e.name)
      if (!e.isFile() || m === null) continue
      try {
        const age = now - (await stat(path)).mtimeMs
        const pid = m[1] === undefined ? undefined : Number(m[1])
        // No pid in the name (an older writer): age alone decides. Our own pid: we may be writing it.
        const writerGone = pid === undefined ? true : pid === process.pid ? false : !alive(pid)
        if (age >= maxAge || (age >= minAge && writerGone)) {
          await rm(path, { force: true })
          removed.push(path)
        }
      } catch {
        // Gone meanwhile (renamed into place by its writer, or removed by another sweep).
      }
    }
  }
  if (options.only === undefined) await walk(baseDir, true)
  else {
    // No base folder (a fresh store): no folder under it to read, one call instead of one per folder.
    try {
      await access(baseDir)
    } catch {
      return removed
    }
    for (const d of new Set(options.only)) await walk(join(baseDir, d), false)
  }
  return removed
}
