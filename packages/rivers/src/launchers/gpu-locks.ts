/**
 * GPU lock files shared by every Rivers process on a machine, whatever its store or user:
 * `<dir>/gpu-<index>.lock`, created exclusively (`O_EXCL`), holding the owner's pid (and start time)
 * and the pid of the job using the GPU. A lock whose owner and job are both dead is stale and may be
 * broken; breaking happens under a short-lived `.break` mutex and only if the file still holds what
 * was judged stale, so a fresh lock taken meanwhile is never removed.
 *
 * The folder is host-wide by default (`/tmp/rivers-gpu-locks`, or `RIVERS_GPU_LOCK_DIR`). When Rivers
 * creates it, it is made mode 0777 and the lock files 0666, so every user of the machine can take,
 * read and break locks. Not 1777: in a sticky folder one user could not remove another user's stale
 * lock, and a crashed job of one user would hold its GPU against everyone else until that user came back.
 */
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  fchmodSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'

import { launcherUnavailable } from './errors.js'
import { isAlive, processStartTime } from './process-info.js'

/** Mode of the lock folder Rivers creates (everyone may create and remove locks). */
const DIR_MODE = 0o777
/** Mode of lock files (any user may read and rewrite them). */
const FILE_MODE = 0o666

/**
 * The machine-wide GPU lock folder: `RIVERS_GPU_LOCK_DIR` when set, else `/tmp/rivers-gpu-locks`
 * (the system temporary folder on Windows). Deliberately not `$TMPDIR`: two users with different
 * temporary folders must still meet in one lock folder.
 *
 * @example
 * defaultGpuLockDir({}) // '/tmp/rivers-gpu-locks'
 * defaultGpuLockDir({ RIVERS_GPU_LOCK_DIR: '/shared/locks' }) // '/shared/locks'
 */
export function defaultGpuLockDir(env: NodeJS.ProcessEnv = process.env): string {
  const set = env.RIVERS_GPU_LOCK_DIR?.trim()
  if (set !== undefined && set !== '') return path.resolve(set)
  return path.join(process.platform === 'win32' ? tmpdir() : '/tmp', 'rivers-gpu-locks')
}

interface LockContent {
  pid: number
  start?: string
  host: string
  token: string
  owner: string
  at: string
  childPid?: number
  childStart?: string
}

/** How old a `.break` mutex must be before it is presumed abandoned. */
const BREAK_MUTEX_STALE_MS = 10_000

/**
 * The lock files of one folder.
 *
 * @example
 * const locks = new GpuLocks(defaultGpuLockDir())
 * if (locks.tryLock('0', 'run r1 asset model')) locks.unlock('0')
 */
export class GpuLocks {
  readonly dir: string
  readonly #host = hostname()
  readonly #start = processStartTime(process.pid)
  /** index -> token of the locks this object holds. */
  readonly #held = new Map<string, string>()

  constructor(dir: string) {
    this.dir = path.resolve(dir)
    this.#makeDir()
  }

  /** Takes the lock of GPU `index` unless a live process holds it; breaks a stale one. */
  tryLock(index: string, owner: string, childPid?: number): boolean {
    if (this.#held.has(index)) return false
    const file = this.#file(index)
    for (let tries = 0; tries < 3; tries++) {
      const content = this.#content(owner, childPid)
      try {
        const fd = openSync(file, 'wx', FILE_MODE)
        try {
          fchmodSync(fd, FILE_MODE) // whatever the umask: other users must be able to judge and break it
          writeSync(fd, JSON.stringify(content))
        } finally {
          closeSync(fd)
        }
        this.#held.set(index, content.token)
        return true
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'ENOENT') {
          this.#makeDir() // the folder was removed: make it again
          continue
        }
        if (code === 'EACCES' || code === 'EPERM') throw this.#unusable(`cannot create ${file} (${code})`)
        if (code !== 'EEXIST') throw e
      }
      const seen = this.#read(file)
      if (seen === undefined) continue // removed meanwhile (or half-written: retry)
      if (this.#isLive(seen.parsed)) return false
      if (!this.#breakStale(file, seen.text)) return false
    }
    return false
  }

  /** Records the pid of the job using a GPU this object holds (the lock stays live while it runs). */
  setChild(index: string, childPid: number): void {
    const token = this.#held.get(index)
    if (token === undefined) return
    const file = this.#file(index)
    const seen = this.#read(file)
    if (seen?.parsed?.token !== token) return
    this.#rewrite(file, {
      ...seen.parsed,
      childPid,
      ...(processStartTime(childPid) ? { childStart: processStartTime(childPid)! } : {}),
    })
  }

  /**
   * Takes over the lock of a GPU used by job `childPid` (a job of an earlier process, reattached):
   * true if the lock is now this object's (it was free, stale, or held for that job).
   */
  adopt(index: string, owner: string, childPid: number): boolean {
    if (this.#held.has(index)) return true
    const file = this.#file(index)
    const seen = this.#read(file)
    if (seen?.parsed !== undefined && seen.parsed.childPid === childPid && seen.parsed.host === this.#host) {
      const content = { ...this.#content(owner, childPid) }
      this.#rewrite(file, content)
      this.#held.set(index, content.token)
      return true
    }
    return this.tryLock(index, owner, childPid)
  }

  /** Releases a lock this object holds (a lock someone else took over is left alone). */
  unlock(index: string): void {
    const token = this.#held.get(index)
    if (token === undefined) return
    this.#held.delete(index)
    const file = this.#file(index)
    if (this.#read(file)?.parsed?.token === token) {
      try {
        unlinkSync(file)
      } catch {
        // already gone
      }
    }
  }

  /** Whether another live process holds GPU `index` (for diagnostics). */
  heldElsewhere(index: string): { pid: number; owner: string } | undefined {
    if (this.#held.has(index)) return undefined
    const seen = this.#read(this.#file(index))
    return seen?.parsed !== undefined && this.#isLive(seen.parsed)
      ? { pid: seen.parsed.pid, owner: seen.parsed.owner }
      : undefined
  }

  /** Creates the folder (mode 0777 for the part Rivers creates); an unusable folder is a clear error. */
  #makeDir(): void {
    let created: string | undefined
    try {
      created = mkdirSync(this.dir, { recursive: true, mode: DIR_MODE })
    } catch (e) {
      throw this.#unusable(`cannot create it (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
    }
    if (created === undefined) return
    // mkdir applies the umask; only the folders made here are changed (never someone else's).
    for (let d = this.dir; d.length >= created.length; d = path.dirname(d)) {
      try {
        chmodSync(d, DIR_MODE)
      } catch {
        // made by another process meanwhile: its owner decides
      }
      if (d === created) break
    }
  }

  #unusable(detail: string): Error {
    return launcherUnavailable(
      'local',
      [],
      `its GPU lock folder ${this.dir} is not usable: ${detail}`,
      'make it writable for every Rivers user of this machine (chmod 0777), or set RIVERS_GPU_LOCK_DIR (or launcher.lockDir) to a folder that is',
    )
  }

  #file(index: string): string {
    return path.join(this.dir, `gpu-${index}.lock`)
  }

  #content(owner: string, childPid?: number): LockContent {
    const c: LockContent = {
      pid: process.pid,
      host: this.#host,
      token: randomBytes(8).toString('hex'),
      owner,
      at: new Date().toISOString(),
    }
    if (this.#start !== undefined) c.start = this.#start
    if (childPid !== undefined) {
      c.childPid = childPid
      const s = processStartTime(childPid)
      if (s !== undefined) c.childStart = s
    }
    return c
  }

  #read(file: string): { text: string; parsed: LockContent | undefined } | undefined {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      return undefined
    }
    try {
      return { text, parsed: JSON.parse(text) as LockContent }
    } catch {
      return { text, parsed: undefined }
    }
  }

  #isLive(c: LockContent | undefined): boolean {
    if (c === undefined) return false // garbage: stale
    if (c.host !== this.#host) return true // another machine sharing the folder: cannot check, assume live
    if (isAlive(c.pid, c.start)) return true
    return c.childPid !== undefined && isAlive(c.childPid, c.childStart)
  }

  #rewrite(file: string, content: LockContent): void {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    const fd = openSync(tmp, 'w', FILE_MODE)
    try {
      fchmodSync(fd, FILE_MODE)
      writeSync(fd, JSON.stringify(content))
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
  }

  /** Removes `file` if it still holds `staleText`, under the `.break` mutex. */
  #breakStale(file: string, staleText: string): boolean {
    const mutex = path.join(this.dir, '.break')
    let fd: number
    try {
      fd = openSync(mutex, 'wx', FILE_MODE)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EACCES' || code === 'EPERM') throw this.#unusable(`cannot create ${mutex} (${code})`)
      if (code !== 'EEXIST') throw e
      try {
        if (Date.now() - statSync(mutex).mtimeMs > BREAK_MUTEX_STALE_MS) unlinkSync(mutex)
      } catch {
        // gone meanwhile
      }
      return true // let the caller retry
    }
    try {
      closeSync(fd)
      if (this.#read(file)?.text === staleText) {
        try {
          unlinkSync(file)
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code
          if (code === 'EACCES' || code === 'EPERM')
            throw this.#unusable(
              `the stale lock ${file} (its holder is dead) belongs to another user and cannot be removed (${code}; a sticky folder?); remove it, or clear the sticky bit (chmod -t)`,
            )
          if (code !== 'ENOENT') throw e
        }
      }
      return true
    } finally {
      try {
        unlinkSync(mutex)
      } catch {
        // already removed
      }
    }
  }
}
