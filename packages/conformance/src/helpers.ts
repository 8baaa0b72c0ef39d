/**
 * Helpers for testing launchers outside a run: a logger that keeps its lines, a job spec for a shell
 * snippet, a `JobContext` with an in-memory job store, polling a job's state, temporary folders.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'

import {
  type JobContext,
  type JobHandle,
  type JobSpec,
  type JobState,
  type Launcher,
  prepareJobFiles,
  type ResourceRequest,
} from '@rivers-orchestrator/rivers/plugin'
import pino, { type Logger } from 'pino'
import { afterAll } from 'vitest'

/**
 * A pino logger whose lines are kept in `lines` (JSON objects).
 *
 * @example
 * const { log, lines } = memoryLogger()
 */
export function memoryLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n'))
        if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>)
      done()
    },
  })
  return { log: pino({ level: 'debug' }, sink), lines }
}

/**
 * A job spec for a shell snippet, with its folder prepared under `dir`.
 *
 * @example
 * const job = shellJob(dir, 'hello', 'echo hello', { nodes: 1, gpusPerNode: 0 })
 */
export function shellJob(dir: string, name: string, script: string, request: ResourceRequest): JobSpec {
  const jobDir = path.join(dir, name)
  const files = prepareJobFiles({
    jobDir,
    runId: 'conformance',
    assetKey: `conformance/${name}`,
    attempt: 1,
    config: null,
    inputs: {},
    gpus: [],
    resources: {},
    launcher: 'test',
  })
  return {
    runId: 'conformance',
    assetKey: `conformance/${name}`,
    command: ['/bin/sh', '-c', script],
    env: files.env,
    cwd: dir,
    request,
    jobDir,
    stdoutPath: files.stdoutPath,
    stderrPath: files.stderrPath,
  }
}

/** A `JobContext` for tests, with an in-memory job store: the handles saved and the waits noted. */
export interface TestJobContext extends JobContext {
  saved: JobHandle[]
  waits: string[]
}

/**
 * A `JobContext` for submitting `job` outside a run (tests of a launcher).
 *
 * @example
 * const handle = await launcher.submit(job, jobContext(job, { signal }))
 */
export function jobContext(job: JobSpec, options: { signal?: AbortSignal; log?: Logger } = {}): TestJobContext {
  const saved: JobHandle[] = []
  const waits: string[] = []
  return {
    runId: job.runId,
    assetKey: job.assetKey,
    attempt: 1,
    signal: options.signal ?? new AbortController().signal,
    log: options.log ?? pino({ level: 'silent' }),
    jobDir: job.jobDir,
    env: job.env,
    jobs: {
      saveHandle: async (handle) => void saved.push(handle),
      waiting: async (reason) => void waits.push(reason),
    },
    saved,
    waits,
  }
}

/**
 * Polls `status` until `pred` holds (or the time is up); returns the states seen.
 *
 * @example
 * await waitFor(launcher, handle, (s) => s === 'running', 10_000)
 */
export async function waitFor(
  launcher: Launcher,
  handle: JobHandle,
  pred: (s: JobState) => boolean,
  timeoutMs: number,
): Promise<JobState[]> {
  const seen: JobState[] = []
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const s = await launcher.status(handle)
    if (seen[seen.length - 1] !== s.state) seen.push(s.state)
    if (pred(s.state)) return seen
    if (Date.now() > deadline)
      throw new Error(
        `job ${handle.id} still ${s.state} after ${timeoutMs} ms (seen: ${seen.join(' -> ')}; ${s.reason ?? ''})`,
      )
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * A temporary folder removed after the suite (set RIVERS_KEEP_TEST_DIRS to look at it).
 *
 * @example
 * const dir = tempDir('rivers-local-')
 */
export function tempDir(prefix: string, base: string = tmpdir()): () => string {
  let dir: string | undefined
  afterAll(() => {
    if (dir !== undefined && process.env.RIVERS_KEEP_TEST_DIRS === undefined)
      rmSync(dir, { recursive: true, force: true })
  })
  return () => (dir ??= mkdtempSync(path.join(base, prefix)))
}
