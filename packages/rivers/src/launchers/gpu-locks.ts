/**
 * GPU lock files shared by every Rivers process on a machine: `<dir>/gpu-<index>.lock`, created
 * exclusively (`O_EXCL`), holding the owner's pid (and start time) and the pid of the job using the
 * GPU. A lock whose owner and job are both dead is stale and may be broken; breaking happens under a
 * short-lived `.break` mutex and only if the file still holds what was judged stale, so a fresh lock
 * taken meanwhile is never removed.
 */
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'

import { isAlive, processStartTime } from './process-info.js'

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
 * const locks = new GpuLocks('/project/.rivers/locks/gpus')
 * if (locks.tryLock('0', 'run r1 asset model')) locks.unlock('0')
 */
export class GpuLocks {
  readonly dir: string
  readonly #host = hostname()
  readonly #start = processStartTime(process.pid)
  /** index -> token of the locks this object holds. */
  readonly #held = new Map<string, string>()

  constructor(dir: string) {
    this.dir = dir
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  }

  /** Takes the lock of GPU `index` unless a live process holds it; breaks a stale one. */
  tryLock(index: string, owner: string, childPid?: number): boolean {
    if (this.#held.has(index)) return false
    const file = this.#file(index)
    for (let tries = 0; tries < 3; tries++) {
      const content = this.#content(owner, childPid)
      try {
        const fd = openSync(file, 'wx', 0o600)
        try {
          writeSync(fd, JSON.stringify(content))
        } finally {
          closeSync(fd)
        }
        this.#held.set(index, content.token)
        return true
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'ENOENT') {
          mkdirSync(this.dir, { recursive: true, mode: 0o700 }) // the folder was removed: make it again
          continue
        }
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
    const fd = openSync(tmp, 'w', 0o600)
    try {
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
      fd = openSync(mutex, 'wx', 0o600)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      try {
        if (Date.now() - statSync(mutex).mtimeMs > BREAK_MUTEX_STALE_MS) unlinkSync(mutex)
      } catch {
        // gone meanwhile
      }
      return true // let the caller retry
    }
    try {
      closeSync(fd)
      if (this.#read(file)?.text === staleText) unlinkSync(file)
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
