/**
 * The `Launcher` conformance suite: one set of behaviours every launcher must show, run against each
 * from its own tests (`local.test.ts`, `slurm.test.ts`, a plugin's): submit, states, exit codes, live
 * logs, cancel, unschedulable requests refused at once, reattach after a restart, the job protocol end
 * to end through `materialize`, resuming from `RIVERS_CHECKPOINT_DIR` (`launcher-resume.ts`), and
 * TypeScript function assets run as jobs (`launcher-function.ts`).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { hostname } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import {
  asset,
  defineProject,
  isRiversError,
  type LauncherSetting,
  openWorkspace,
  type Resources,
} from '@rivers-orchestrator/rivers'
import {
  isTerminal,
  type JobHandle,
  type JobSpec,
  type JobState,
  type Launcher,
  type ResourceRequest,
  SqliteStore,
  superviseJob,
} from '@rivers-orchestrator/rivers/plugin'
import { beforeAll, describe, expect, it } from 'vitest'

import { jobContext, memoryLogger, shellJob, waitFor } from './helpers.js'
import { functionJobConformance } from './launcher-function.js'
import { resumeConformance } from './launcher-resume.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
/** The repository root (where `tsx` resolves). */
const REPO = path.resolve(HERE, '..', '..', '..')
/** The library's entry, for the driver scripts the suite starts. */
const RIVERS = createRequire(import.meta.url).resolve('@rivers-orchestrator/rivers')

/** What the suite needs to know about one launcher. */
export interface ConformanceSetup {
  /** A new launcher object: same machine or cluster, nothing kept in memory from earlier objects. */
  make(): Launcher
  /** The launcher setting a project uses for it (end-to-end tests). */
  setting: LauncherSetting
  /** A request it can run (with a GPU when it has GPUs). */
  runnable: ResourceRequest
  /** The same, as an asset's `resources`. */
  runnableResources: Resources
  /** Requests it must refuse before anything runs, and a pattern the message must match. */
  unschedulable: { resources: Resources; mentions: RegExp }[]
  /**
   * The setting under which a function asset runs as a job (`assets worker run`); default `setting`
   * (a launcher without in-process slots runs functions as jobs anyway; the local one needs
   * `functions: 'worker'`).
   */
  functionSetting?: LauncherSetting
  /** Upper bound for a short job, queueing included (ms). */
  jobTimeoutMs: number
  /** Folder for job folders (must be visible to where jobs run). */
  workDir(): string
  /** Figures the suite measures (jobs run, submit-to-start latency), for the report. */
  stats?: { jobs: number; startLatencyMs: number[] }
}

/**
 * Registers the conformance tests for one launcher (each test may take `testTimeoutMs`).
 *
 * @example
 * launcherConformance('local', () => ({ make: () => new LocalLauncher(), … }))
 */
export function launcherConformance(name: string, setup: () => ConformanceSetup, testTimeoutMs = 60_000): void {
  describe(`launcher conformance: ${name}`, () => {
    const T = testTimeoutMs
    let s: ConformanceSetup
    let dir: string
    const record = async (launcher: Launcher, job: JobSpec): Promise<JobHandle> => {
      const t0 = Date.now()
      const ctx = jobContext(job)
      const handle = await launcher.submit(job, ctx)
      // What it saved is what a restarted orchestrator reattaches with.
      expect(ctx.saved.map((h) => h.id)).toContain(handle.id)
      if (s.stats !== undefined) s.stats.jobs++
      void waitFor(launcher, handle, (st) => st !== 'pending', s.jobTimeoutMs)
        .then(() => s.stats?.startLatencyMs.push(Date.now() - t0))
        .catch(() => undefined)
      return handle
    }
    beforeAll(() => {
      s = setup()
      dir = s.workDir()
    }, T)

    resumeConformance(
      () => s,
      () => dir,
      T,
    )
    functionJobConformance(
      () => s,
      () => dir,
      T,
    )

    it(
      'refuses requests that can never be scheduled, at once, naming the asset and the limit',
      async () => {
        const launcher = s.make()
        for (const { resources, mentions } of s.unschedulable) {
          const started = Date.now()
          const project = defineProject({
            assets: [asset({ key: 'conformance/too-big', command: ['true'], resources, launcher: s.setting })],
          })
          const storeDir = mkdtempSync(path.join(dir, 'store-'))
          const store = SqliteStore.open(storeDir)
          const ws = await openWorkspace(project, { storeDir, store, logLevel: 'silent' })
          try {
            const err = await ws.materialize({}).then(
              () => undefined,
              (e: unknown) => e,
            )
            expect(isRiversError(err), `expected a RiversError for ${JSON.stringify(resources)}`).toBe(true)
            const e = err as Error & { exitCode: number }
            expect(e.exitCode).toBe(2)
            expect(e.message).toContain("'conformance/too-big'")
            expect(e.message).toMatch(mentions)
            expect(await store.listRuns()).toEqual([]) // refused before the run began
          } finally {
            await ws.close()
          }
          expect(Date.now() - started).toBeLessThan(10_000)
        }
        void launcher
      },
      T,
    )

    it(
      'runs a job: states in order, exit code 0, stdout and stderr streamed while it runs',
      async () => {
        const launcher = s.make()
        const go = path.join(dir, 'go-stream')
        const job = shellJob(
          dir,
          'stream',
          `echo hello-out; echo hello-err >&2; while [ ! -f ${go} ]; do sleep 0.05; done; echo bye-out`,
          s.runnable,
        )
        const handle = await record(launcher, job)
        const { log, lines } = memoryLogger()
        const states: JobState[] = []
        const done = superviseJob(launcher, handle, {
          signal: new AbortController().signal,
          log,
          onStatus: (st) => states.push(st.state),
        })
        // The job is still running (it waits for `go`), and its first lines are already in the log.
        const deadline = Date.now() + s.jobTimeoutMs
        while (
          !(
            lines.some((l) => l.msg === 'hello-out' && l.stream === 'stdout') &&
            lines.some((l) => l.msg === 'hello-err' && l.stream === 'stderr')
          )
        ) {
          if (Date.now() > deadline) throw new Error(`no live output; log: ${JSON.stringify(lines)}`)
          await new Promise((r) => setTimeout(r, 50))
        }
        expect((await launcher.status(handle)).state).toBe('running')
        writeFileSync(go, '')
        const final = await done
        expect(final.state).toBe('succeeded')
        expect(final.exitCode).toBe(0)
        expect(lines.some((l) => l.msg === 'bye-out')).toBe(true)
        expect(states[states.length - 1]).toBe('succeeded')
        expect(states).toContain('running')
        const order = ['pending', 'running', 'succeeded']
        expect(states.map((x) => order.indexOf(x))).toEqual([...states.map((x) => order.indexOf(x))].sort())
      },
      T,
    )

    it(
      'reports the exit code of a failing job',
      async () => {
        const launcher = s.make()
        const handle = await record(launcher, shellJob(dir, 'fail', 'echo about-to-fail >&2; exit 3', s.runnable))
        const { log } = memoryLogger()
        const final = await superviseJob(launcher, handle, { signal: new AbortController().signal, log })
        expect(final.state).toBe('failed')
        expect(final.exitCode).toBe(3)
        expect(final.stderrTail).toContain('about-to-fail')
      },
      T,
    )

    it(
      'cancels a running job when the signal aborts',
      async () => {
        const launcher = s.make()
        const marker = path.join(dir, 'cancel-survived')
        const handle = await record(
          launcher,
          shellJob(dir, 'cancel', `echo started; sleep 30; touch ${marker}`, s.runnable),
        )
        await waitFor(launcher, handle, (st) => st === 'running', s.jobTimeoutMs)
        const controller = new AbortController()
        const { log } = memoryLogger()
        const done = superviseJob(launcher, handle, { signal: controller.signal, log })
        const t0 = Date.now()
        controller.abort(new Error('run cancelled'))
        const final = await done
        expect(final.state).toBe('cancelled')
        expect(final.stoppedBy).toBe('cancelled')
        expect(Date.now() - t0).toBeLessThan(s.jobTimeoutMs)
        expect(isTerminal((await launcher.status(handle)).state)).toBe(true)
        expect(existsSync(marker)).toBe(false)
      },
      T,
    )

    it(
      'reattaches to a job after a restart instead of losing it',
      async () => {
        const first = s.make()
        const go = path.join(dir, 'go-reattach')
        const handle = await record(
          first,
          shellJob(
            dir,
            'reattach',
            `echo before-restart; while [ ! -f ${go} ]; do sleep 0.05; done; echo after-restart; exit 0`,
            s.runnable,
          ),
        )
        await waitFor(first, handle, (st) => st === 'running', s.jobTimeoutMs)
        // "Restart": the handle is all that survives (it is what the store keeps), as JSON.
        const persisted = JSON.parse(JSON.stringify(handle)) as JobHandle
        const second = s.make()
        const found = await second.reattach(persisted)
        expect(found?.status.state).toBe('running')
        expect(found?.handle.id).toBe(handle.id)
        writeFileSync(go, '')
        const { log, lines } = memoryLogger()
        const final = await superviseJob(second, persisted, { signal: new AbortController().signal, log })
        expect(final.state).toBe('succeeded')
        expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['before-restart', 'after-restart']))
        // A handle nobody knows is not reattached.
        expect(
          await second.reattach({ ...persisted, id: '999999', pid: 999999, jobDir: path.join(dir, 'nowhere') }),
        ).toBeUndefined()
      },
      T,
    )

    it(
      'finds a job recorded only provisionally (the orchestrator died before recording its id)',
      async () => {
        const first = s.make()
        const go = path.join(dir, 'go-provisional')
        const started = path.join(dir, 'provisional-started')
        const job = shellJob(
          dir,
          'provisional',
          `touch ${started}; while [ ! -f ${go} ]; do sleep 0.05; done; echo found-me`,
          s.runnable,
        )
        const provisional: JobHandle = {
          launcher: first.name,
          id: '',
          jobDir: job.jobDir,
          stdoutPath: job.stdoutPath,
          stderrPath: job.stderrPath,
          submittedAt: new Date().toISOString(),
          host: hostname(),
          request: s.runnable,
        }
        const second = s.make()
        expect(await second.reattach(provisional)).toBeUndefined() // not handed over yet: nothing to find
        const real = await record(first, job)
        await waitFor(first, real, (st) => st === 'running', s.jobTimeoutMs)
        for (const until = Date.now() + s.jobTimeoutMs; !existsSync(started) && Date.now() < until; )
          await new Promise((r) => setTimeout(r, 50))
        const found = await second.reattach(provisional)
        expect([found?.handle.id, found?.status.state]).toEqual([real.id, 'running'])
        writeFileSync(go, '')
        const { log, lines } = memoryLogger()
        expect((await superviseJob(second, found!.handle, { signal: new AbortController().signal, log })).state).toBe(
          'succeeded',
        )
        expect(lines.map((l) => l.msg)).toContain('found-me')
      },
      T,
    )

    it(
      'a restarted run reattaches to the job of a run that was killed, instead of submitting it again',
      async () => {
        const work = mkdtempSync(path.join(dir, 'restart-'))
        const go = path.join(work, 'go')
        const starts = path.join(work, 'starts')
        const driver = path.join(work, 'driver.mts')
        const jobScript = path.join(work, 'job.sh')
        writeFileSync(
          jobScript,
          `echo started >> ${starts}\necho working\nwhile [ ! -f ${go} ]; do sleep 0.05; done\nprintf '{"done":true}' > "$RIVERS_OUTPUT"\n`,
        )
        const index = RIVERS
        writeFileSync(
          driver,
          [
            `import { asset, defineProject, openWorkspace } from ${JSON.stringify(index)}`,
            `const job = asset({ key: 'restart/job', command: ['/bin/sh', ${JSON.stringify(jobScript)}], resources: ${JSON.stringify(s.runnableResources)}, launcher: ${JSON.stringify(s.setting)} })`,
            `const ws = await openWorkspace(defineProject({ assets: [job] }), { storeDir: ${JSON.stringify(path.join(work, '.rivers'))}, logLevel: 'silent' })`,
            'console.log(JSON.stringify(await ws.materialize()))',
            'await ws.close()',
          ].join('\n'),
        )
        const start = () =>
          spawn(process.execPath, ['--import', 'tsx', driver], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
        const first = start()
        const deadline = Date.now() + s.jobTimeoutMs + 60_000 // two orchestrator starts (tsx) on a loaded machine
        while (!existsSync(starts)) {
          if (Date.now() > deadline || first.exitCode !== null)
            throw new Error(`the first run never started its job (exit ${first.exitCode})`)
          await new Promise((r) => setTimeout(r, 50))
        }
        first.kill('SIGKILL') // the orchestrator dies; the job lives on
        await new Promise((r) => first.once('close', r))
        const second = start()
        let out = ''
        let err = ''
        second.stdout.on('data', (b: Buffer) => (out += b.toString()))
        second.stderr.on('data', (b: Buffer) => (err += b.toString()))
        const exited = new Promise<number | null>((r) => second.once('close', r))
        // Let the second run find the job, then let the job finish.
        const store = SqliteStore.open(path.join(work, '.rivers'))
        const reattached = async (): Promise<boolean> => {
          for (const r of await store.listRuns())
            if (r.status === 'running' && (await store.runEvents(r.id)).some((e) => e.type === 'job_reattached'))
              return true
          return false
        }
        try {
          while (!(await reattached())) {
            if (Date.now() > deadline || second.exitCode !== null)
              throw new Error(`the second run did not reattach: ${out} ${err}`)
            await new Promise((r) => setTimeout(r, 50))
          }
          writeFileSync(go, '')
          expect(await exited, err).toBe(0)
          const summary = JSON.parse(out.trim().split('\n').pop()!) as {
            status: string
            materialized: string[]
            runId: string
          }
          expect([summary.status, summary.materialized]).toEqual(['success', ['restart/job']])
          expect(readFileSync(starts, 'utf8')).toBe('started\n') // submitted once
          const jobs = await store.listJobs({ key: 'restart/job' })
          expect(jobs.map((j) => [j.state, j.runId])).toEqual([['succeeded', summary.runId]])
          expect((await store.currentRecord('restart/job'))?.metadata).toMatchObject({ job: { state: 'succeeded' } })
        } finally {
          await store.close()
          second.kill('SIGKILL')
          writeFileSync(go, '') // whatever happened, let the job end
        }
        if (s.stats !== undefined) s.stats.jobs++
      },
      T,
    )

    it(
      'runs a command asset through the job protocol (inputs, config, metrics, metadata, output)',
      async () => {
        const store = mkdtempSync(path.join(dir, 'e2e-'))
        const script = path.join(store, 'job.py')
        writeFileSync(
          script,
          [
            'import rivers_job as rj',
            'nums = rj.read_input_json("nums")',
            'print("job sees", len(nums), "numbers", flush=True)',
            'rj.log("scaling by %s" % rj.config()["factor"])',
            'for i, n in enumerate(nums):',
            '    rj.metric("partial", n * rj.config()["factor"], step=i)',
            'rj.metric("total", sum(nums) * rj.config()["factor"])',
            'rj.metadata({"rows": len(nums)})',
            'rj.write_output_json({"scaled": [n * rj.config()["factor"] for n in nums]})',
          ].join('\n'),
        )
        const { z } = await import('zod')
        const nums = asset({ key: 'nums' }, () => [1, 2, 3])
        const scaled = asset({
          key: 'conformance/scaled',
          deps: { nums },
          config: z.object({ factor: z.number() }),
          command: ['python3', script],
          cwd: store,
          resources: s.runnableResources,
          launcher: s.setting,
        })
        const consumer = asset(
          { key: 'conformance/consumer', deps: { scaled } },
          ({ scaled }) => (scaled as { scaled: number[] }).scaled.length,
        )
        const records = SqliteStore.open(path.join(store, '.rivers'))
        const ws = await openWorkspace(defineProject({ assets: [consumer] }), {
          storeDir: path.join(store, '.rivers'),
          store: records,
          logLevel: 'silent',
        })
        try {
          const summary = await ws.materialize({ config: { 'conformance/scaled': { factor: 10 } } })
          expect(summary.failed).toEqual([])
          expect(summary.materialized).toEqual(['nums', 'conformance/scaled', 'conformance/consumer'])
          if (s.stats !== undefined) s.stats.jobs++
          const [rec] = (await ws.show('conformance/scaled')).history
          expect(rec!.metrics).toEqual([
            { name: 'partial', value: 10, step: 0 },
            { name: 'partial', value: 20, step: 1 },
            { name: 'partial', value: 30, step: 2 },
            { name: 'total', value: 60 },
          ])
          expect(rec!.metadata).toMatchObject({
            rows: 3,
            job: { launcher: s.make().name, state: 'succeeded', exitCode: 0 },
          })
          expect((await ws.runs({ asset: 'conformance/scaled', metric: 'total' })).map((r) => r.metric)).toEqual([60])
          const jobs = await records.listJobs({ runId: summary.runId })
          expect(jobs.map((j) => [j.key, j.state, j.exitCode])).toEqual([['conformance/scaled', 'succeeded', 0]])
          const logFile = readFileSync(path.join(store, '.rivers', 'logs', `${summary.runId}.ndjson`), 'utf8')
          expect(logFile).toContain('job sees 3 numbers')
          expect(logFile).toContain('scaling by 10')
          // Fresh now: nothing runs again.
          const again = await ws.materialize({ config: { 'conformance/scaled': { factor: 10 } } })
          expect(again.materialized).toEqual([])
        } finally {
          await ws.close()
        }
      },
      T,
    )
  })
}
