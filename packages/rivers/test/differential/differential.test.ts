/**
 * The differential property test of code versions (issue 9): generated projects through random edit
 * sequences; after each edit the incremental run must give every asset the data version a clean
 * rebuild of the same tree gives, code versions must change exactly where the edit can reach, and
 * nothing may run without a reason (see runner.ts).
 *
 * The sequences run in long-lived child processes (loading a project costs a process start
 * otherwise), one per core. RIVERS_DIFF_SEQUENCES (default 200), RIVERS_DIFF_EDITS (default 6) and
 * RIVERS_DIFF_SEED (default 1) change the run; a failure prints its seed and its shrunk sequence.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { availableParallelism, setPriority, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, expect, test } from 'vitest'

import type { RunnerResult } from './runner.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const SEQUENCES = Number(process.env.RIVERS_DIFF_SEQUENCES ?? 200)
const EDITS = Number(process.env.RIVERS_DIFF_EDITS ?? 6)
const SEED = Number(process.env.RIVERS_DIFF_SEED ?? 1)
const WORKERS = Math.max(1, Math.min(4, availableParallelism()))

// On a memory file system when there is one: the runs write, fsync and delete many small files.
const root = realpathSync(mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'rivers-diff-')))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function runner(first: number, count: number, out: string): Promise<RunnerResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [
        '--no-warnings',
        '--conditions=@rivers-orchestrator/source',
        '--import',
        './register.mjs',
        'runner.ts',
        String(first),
        String(count),
        String(EDITS),
        out,
      ],
      { cwd: HERE, env: { ...process.env, RIVERS_DIFF_ROOT: root, NODE_OPTIONS: '' }, maxBuffer: 64 << 20 },
      (error, _stdout, stderr) => {
        if (error !== null) reject(new Error(`runner ${first}..${first + count - 1} failed: ${stderr}`))
        else resolve(JSON.parse(readFileSync(out, 'utf8')) as RunnerResult)
      },
    )
    // Below normal priority: the suite's timing-sensitive tests run beside these processes.
    try {
      if (child.pid !== undefined) setPriority(child.pid, 10)
    } catch {
      // not allowed here: run at normal priority
    }
  })
}

test(`incremental runs equal clean rebuilds over ${SEQUENCES} random edit sequences`, {
  timeout: 30 * 60_000,
}, async () => {
  const started = performance.now()
  const per = Math.ceil(SEQUENCES / WORKERS)
  const parts = await Promise.all(
    Array.from({ length: WORKERS }, (_, w) => {
      const first = SEED + w * per
      const count = Math.max(0, Math.min(per, SEQUENCES - w * per))
      return count === 0 ? undefined : runner(first, count, path.join(root, `result-${w}.json`))
    }).filter((p) => p !== undefined),
  )
  const byKind: Record<string, number> = {}
  for (const p of parts) for (const [k, v] of Object.entries(p.byKind)) byKind[k] = (byKind[k] ?? 0) + (v ?? 0)
  const sequences = parts.reduce((n, p) => n + p.sequences, 0)
  const steps = parts.reduce((n, p) => n + p.steps, 0)
  const failures = parts.flatMap((p) => p.failures)
  console.log(
    `differential: ${sequences} sequences, ${steps} edits (${Object.entries(byKind)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}) in ${((performance.now() - started) / 1000).toFixed(1)} s on ${WORKERS} processes; seeds ${SEED}..${SEED + SEQUENCES - 1}`,
  )
  for (const f of failures)
    console.log(`FAILED seed ${f.seed} after edit ${f.step + 1}:\n  ${f.edits.join('\n  ')}\n${f.problem}`)
  expect(failures).toEqual([])
  expect(sequences).toBe(SEQUENCES)
})
