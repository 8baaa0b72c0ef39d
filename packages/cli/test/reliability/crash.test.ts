/**
 * Crash safety: `kill -9` a real `assets materialize` at random moments and check, after every kill,
 * that the store is consistent (see store-check.ts), that the next run rebuilds exactly what was not
 * recorded (the stale or missing assets and what follows them, nothing else), that it completes, and
 * (every few trials, and at the end) that a further run is a no-op.
 *
 * Each trial writes a new `data/input.txt`, so every asset has work to do, starts a run, waits for
 * its "run started" log line, sleeps a random time within the run's expected span (a tenth of the
 * trials are killed while the process is still starting), and kills it. Temp files of killed writers
 * are aged past the sweep threshold and must be gone after the next run.
 *
 * It runs on the embedded SQLite store, and on a PostgreSQL team store when RIVERS_TEST_PG_URL names
 * a server (a database per project; required in CI), with a third of the trials by default.
 *
 * Knobs: RIVERS_KILL_TRIALS (default 30), RIVERS_KILL_TRIALS_PG (default a third of it),
 * RIVERS_KILL_SEED (default: random, printed on failure), RIVERS_KILL_ASSETS (default 30),
 * RIVERS_KILL_CHAINS (projects killed side by side, default 2).
 */
import { spawn } from 'node:child_process'
import { utimesSync } from 'node:fs'
import path from 'node:path'
import native from '@rivers-orchestrator/native'
import { afterAll, describe, expect, test } from 'vitest'
import { BIN, makeProject, removeProjects, type TestProject } from '../e2e/project.js'
import { dagProject } from './dag-project.js'
import { type StoreBackend, storeBackends } from './store-backends.js'
import { checkStore, downstream, filesUnder, freshAssets, prng } from './store-check.js'

afterAll(removeProjects)

const TRIALS = Number(process.env.RIVERS_KILL_TRIALS ?? 30)
const TRIALS_PG = Number(process.env.RIVERS_KILL_TRIALS_PG ?? Math.ceil(TRIALS / 3))
const ASSETS = Number(process.env.RIVERS_KILL_ASSETS ?? 30)
const SEED = Number(process.env.RIVERS_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31))
const NO_OP_EVERY = 5
const CHAINS = Number(process.env.RIVERS_KILL_CHAINS ?? 2)

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra }
  delete env.RIVERS_HOME
  delete env.FORCE_COLOR
  return env
}

/** Starts `assets materialize --json`, kills it `delayMs` after its "run started" log line (or at `startupKillMs` after spawn). */
function killedRun(
  dir: string,
  plan: { afterStartMs: number } | { afterSpawnMs: number },
  extraEnv: Record<string, string>,
): Promise<{ killed: boolean; started: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'materialize', '--json', '--concurrency', '4'], {
      cwd: dir,
      env: childEnv(extraEnv),
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let started = false
    let killed = false
    let err = ''
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) killed = child.kill('SIGKILL')
    }
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      err += chunk
      if (!started && /"msg":"run \S+ started/.test(err)) {
        started = true
        if ('afterStartMs' in plan) setTimeout(kill, plan.afterStartMs)
      }
    })
    if ('afterSpawnMs' in plan) setTimeout(kill, plan.afterSpawnMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (!killed && code !== 0) return reject(new Error(`run exited ${code ?? signal} before it was killed:\n${err}`))
      resolve({ killed: signal === 'SIGKILL', started })
    })
  })
}

interface Tally {
  killedMidRun: number
  killedAtStartup: number
  finishedFirst: number
  tempFilesSwept: number
  rebuilt: number
}

/**
 * One chain of trials on its own project: each trial kills a run, checks the store, runs the next
 * run and checks what it rebuilt. Chains run side by side (the test process mostly waits on its
 * children, so two chains keep both cores of a small machine busy).
 */
async function chain(index: number, trials: number, tally: Tally, backend: StoreBackend): Promise<void> {
  const seed = SEED + index
  const random = prng(seed)
  const dag = dagProject({ assets: ASSETS, seed: 20261126, maxSleepMs: 40, minSleepMs: 5 })
  const p = makeProject({ 'rivers.config.ts': dag.source, 'data/input.txt': 'generation 0\n' })
  const storage = path.join(p.dir, '.rivers', 'storage')
  const deps = new Map(dag.deps)
  const context = (trial: number) => `${backend.name}: chain ${index}, trial ${trial} (RIVERS_KILL_SEED=${SEED})`
  const store = await backend.open(p.dir)
  try {
    await trialsOf(p, store.env)
  } finally {
    await store.drop()
  }

  async function trialsOf(p: TestProject, env: Record<string, string>): Promise<void> {
    // A first complete run, to learn how long a run takes.
    const first = await p.run(['materialize', '--json'], { env })
    expect(first.code, first.stderr).toBe(0)
    expect(first.json().materialized).toHaveLength(ASSETS)
    const spanMs = Math.max(200, first.json().durationMs as number)

    for (let trial = 1; trial <= trials; trial++) {
      p.write({ 'data/input.txt': `generation ${trial}\n` })
      const early = random() < 0.1
      const outcome = await killedRun(
        p.dir,
        early ? { afterSpawnMs: Math.floor(random() * 500) } : { afterStartMs: Math.floor(random() * spanMs * 0.9) },
        env,
      )
      if (!outcome.killed) tally.finishedFirst++
      else if (outcome.started) tally.killedMidRun++
      else tally.killedAtStartup++

      // Invariants right after the kill.
      const snap = await store.read()
      expect(checkStore(snap, storage), context(trial)).toEqual([])
      const current = { input: native.hashFile(path.join(p.dir, 'data/input.txt')) }
      const fresh = freshAssets(snap, deps, current)
      const expected = downstream(
        dag.keys.filter((k) => !fresh.has(k)),
        deps,
      )

      // Temp files of killed writers: never referenced (checked above); aged so the next run sweeps them.
      const temps = filesUnder(storage).filter((f) => path.basename(f).startsWith('.tmp-'))
      const old = new Date(Date.now() - 5 * 60_000)
      for (const t of temps) utimesSync(path.join(storage, t), old, old)

      // The next run completes and rebuilds exactly the stale/missing assets and what follows them.
      const next = await p.run(['materialize', '--json'], { env })
      expect(next.code, `${context(trial)}\n${next.stderr}`).toBe(0)
      const built = next.json().materialized as string[]
      expect(new Set(built), context(trial)).toEqual(expected)
      tally.rebuilt += built.length
      expect(
        filesUnder(storage).filter((f) => path.basename(f).startsWith('.tmp-')),
        context(trial),
      ).toEqual([])
      tally.tempFilesSwept += temps.length

      const after = await store.read()
      expect(checkStore(after, storage), context(trial)).toEqual([])
      expect(after.leases, context(trial)).toEqual([])
      // The killed run is no longer `running`: the next run marked it interrupted.
      expect(
        after.runs.filter((r) => r.status === 'running'),
        context(trial),
      ).toEqual([])
      // (Or it had finished, and was killed on its way out.)
      if (outcome.killed && outcome.started) {
        const killed = after.runs.at(-2)!
        expect(
          killed.status === 'success' || (killed.summary as { interrupted?: boolean }).interrupted === true,
          `${context(trial)}: ${JSON.stringify(killed)}`,
        ).toBe(true)
      }

      // A further run is a no-op (checked every few trials: each check costs a process start).
      if (trial % NO_OP_EVERY === 0 || trial === trials) {
        const again = await p.run(['materialize', '--json'], { env })
        expect(again.code, again.stderr).toBe(0)
        expect(again.json().materialized, context(trial)).toEqual([])
      }
    }
  }
}

describe.each(storeBackends())('$name store', (backend) => {
  const trials = backend.name === 'sqlite' ? TRIALS : TRIALS_PG
  test(`kill -9 at ${trials} random moments: the store stays consistent and the next run rebuilds exactly what was not recorded (seed ${SEED})`, {
    timeout: 60_000 + trials * 4_000,
  }, async () => {
    const tally: Tally = { killedMidRun: 0, killedAtStartup: 0, finishedFirst: 0, tempFilesSwept: 0, rebuilt: 0 }
    const chains = Math.max(1, Math.min(CHAINS, trials))
    await Promise.all(
      Array.from({ length: chains }, (_, i) =>
        chain(i, Math.floor(trials / chains) + (i < trials % chains ? 1 : 0), tally, backend),
      ),
    )
    console.log(
      `crash safety (${backend.name}): ${trials} kill -9 trials survived (${tally.killedMidRun} during a run, ${tally.killedAtStartup} while starting, ${tally.finishedFirst} finished before the kill); ` +
        `${chains} projects of ${ASSETS} assets; ${tally.rebuilt} rebuilt by the next runs; ${tally.tempFilesSwept} temp files of killed writers swept; seed ${SEED}`,
    )
    // Most kills must land during a run for the test to mean something (on a very loaded machine a
    // run may finish before its kill: that trial still checks the invariants, it just proves less).
    expect(tally.killedMidRun).toBeGreaterThanOrEqual(trials / 3)
  })
})
