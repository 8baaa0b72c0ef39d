import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { afterEach, describe, expect, it, vi } from 'vitest'

vi.setConfig({ testTimeout: 120_000 })

import { jobContext, memoryLogger, shellJob, tempDir } from '@rivers-orchestrator/conformance'

import { asset, defineProject, type LauncherSetting } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { SqliteStore } from '../store/sqlite-store.js'
import { checkpointDir, removeCheckpointDir } from './checkpoints.js'
import { resetLaunchers } from './registry.js'
import { SlurmLauncher } from './slurm.js'
import { superviseJob } from './supervise.js'

const base = tempDir('rivers-checkpoint-')
/** A fresh folder for one test case (the suite's folder is removed after it). */
const work = (): string => mkdtempSync(path.join(base(), 'case-'))

afterEach(() => resetLaunchers())

/**
 * A "training" job that resumes: it reads the step from `$RIVERS_CHECKPOINT_DIR/step` (0 when
 * missing), records which folder it saw, advances one step and saves it; until `steps` are done it
 * runs `notYet` (exit 1 to fail the attempt, or wait to be requeued), then writes its output.
 */
function trainer(dir: string, steps: number, notYet: string): string[] {
  const script = path.join(dir, 'train.sh')
  writeFileSync(
    script,
    [
      'set -e',
      'step=$(cat "$RIVERS_CHECKPOINT_DIR/step" 2>/dev/null || echo 0)',
      `echo "$RIVERS_CHECKPOINT_DIR $step" >> ${dir}/seen`,
      'step=$((step + 1))',
      'echo "$step" > "$RIVERS_CHECKPOINT_DIR/step"',
      `if [ "$step" -lt ${steps} ]; then ${notYet}; fi`,
      'echo "{\\"steps\\": $step}" > "$RIVERS_OUTPUT"',
    ].join('\n'),
  )
  return ['sh', script]
}

function seen(dir: string): { folder: string; step: number }[] {
  return readFileSync(path.join(dir, 'seen'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [folder, step] = l.split(' ')
      return { folder: folder!, step: Number(step) }
    })
}

describe('checkpoint folders (no cluster needed)', () => {
  it('are stable per asset, partition and fingerprint, and removed with their empty parents', () => {
    const a = checkpointDir('/s/jobs', 'model/torch', undefined, 'f1')
    expect(a).toBe('/s/jobs/checkpoints/model/torch/_/f1')
    expect(checkpointDir('/s/jobs', 'model/torch', '2024-01-05|eu', 'f1')).toBe(
      '/s/jobs/checkpoints/model/torch/2024-01-05%7Ceu/f1',
    )
    const jobs = path.join(work(), 'jobs')
    const one = checkpointDir(jobs, 'm/x', undefined, 'f1')
    const other = checkpointDir(jobs, 'm/x', undefined, 'f2')
    mkdirSync(one, { recursive: true })
    mkdirSync(other, { recursive: true })
    writeFileSync(path.join(one, 'ckpt.pt'), 'weights')
    removeCheckpointDir(one)
    expect([existsSync(one), existsSync(other)]).toEqual([false, true])
    removeCheckpointDir(other)
    expect([existsSync(path.join(jobs, 'checkpoints', 'm')), existsSync(path.join(jobs, 'checkpoints'))]).toEqual([
      false,
      true,
    ])
  })

  it('every attempt of a local job sees the same RIVERS_CHECKPOINT_DIR and resumes; it is removed after success', async () => {
    const dir = work()
    const storeDir = path.join(dir, 'store')
    const store = SqliteStore.open(storeDir)
    const model = asset({
      key: 'model',
      command: trainer(dir, 3, 'exit 1'),
      retry: { maxRetries: 2 },
      launcher: { type: 'local', gpus: 'none' },
    })
    const ws = await openWorkspace(defineProject({ assets: [model] }), { storeDir, store, logLevel: 'silent' })
    try {
      const summary = await ws.materialize()
      expect(summary.failed).toEqual([])
      const runs = seen(dir)
      // Three attempts (two failed), one folder, each resuming where the last one stopped.
      expect(runs.map((r) => r.step)).toEqual([0, 1, 2])
      expect(new Set(runs.map((r) => r.folder)).size).toBe(1)
      expect(runs[0]!.folder).toMatch(/\/jobs\/checkpoints\/model\/_\/[0-9a-f]{32}$/)
      const jobs = await store.listJobs({ key: 'model' })
      expect(new Set(jobs.map((j) => (j.handle as { jobDir: string }).jobDir)).size).toBe(3)
      expect(existsSync(runs[0]!.folder)).toBe(false)
    } finally {
      await ws.close()
    }
  })

  it('a restarted run after a failed one resumes from the same folder; changed code gets a fresh one', async () => {
    const dir = work()
    const storeDir = path.join(dir, 'store')
    const project = (version: string) =>
      defineProject({
        assets: [
          asset({
            key: 'model',
            codeVersion: version,
            command: trainer(dir, 2, 'exit 1'),
            launcher: { type: 'local', gpus: 'none' },
          }),
        ],
      })
    const first = await openWorkspace(project('1'), { storeDir, logLevel: 'silent' })
    try {
      expect((await first.materialize()).failed.map((f) => f.key)).toEqual(['model'])
    } finally {
      await first.close()
    }
    const again = await openWorkspace(project('1'), { storeDir, logLevel: 'silent' })
    try {
      expect((await again.materialize()).failed).toEqual([])
    } finally {
      await again.close()
    }
    const [a, b] = seen(dir)
    expect([a!.step, b!.step, a!.folder === b!.folder]).toEqual([0, 1, true])
    const changed = await openWorkspace(project('2'), { storeDir, logLevel: 'silent' })
    try {
      await changed.materialize()
    } finally {
      await changed.close()
    }
    const c = seen(dir)[2]!
    expect([c.step, c.folder === a!.folder]).toEqual([0, false])
  })
})

const slurmUp = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 10_000 })
const slurmWorks = slurmUp.status === 0 && slurmUp.stdout.trim() !== ''

/** Polls until `ok()` holds (every 100 ms, at most `ms`). */
async function until(ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not reached within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const scontrol = (...args: string[]): string => spawnSync('scontrol', args, { encoding: 'utf8' }).stdout

/** A requeued job waits for its BeginTime (Slurm holds it back a while): let it start at once. */
async function releaseWhenPending(id: string): Promise<void> {
  await until(() => /JobState=PENDING/.test(scontrol('show', 'job', '-o', id)))
  scontrol('update', `JobId=${id}`, 'StartTime=now')
}

describe.skipIf(!slurmWorks && process.env.CI !== 'true')(
  'requeued and preempted Slurm jobs resume (real cluster)',
  () => {
    it('a job requeued while it runs (scontrol requeue) runs again with the same checkpoint folder and finishes', async () => {
      expect(slurmWorks, 'Slurm must be up in CI: sudo .ci/slurm/setup.sh').toBe(true)
      const dir = work()
      const storeDir = path.join(dir, 'store')
      const store = SqliteStore.open(storeDir)
      // The first run saves step 1, then waits to be requeued; the second resumes at step 1 and ends.
      const model = asset({
        key: 'model',
        command: trainer(dir, 2, 'sleep 120; exit 3'),
        launcher: { type: 'slurm', pollInterval: 200 } as LauncherSetting,
      })
      const ws = await openWorkspace(defineProject({ assets: [model] }), { storeDir, store, logLevel: 'silent' })
      try {
        const done = ws.materialize()
        // Once the first run has saved its checkpoint: requeue it, and let it start again at once.
        let id = ''
        for (let i = 0; i < 300 && (id === '' || !existsSync(path.join(dir, 'seen'))); i++) {
          await new Promise((r) => setTimeout(r, 100))
          const [job] = await store.listJobs({ key: 'model' })
          id = (job?.handle as { id?: string } | null)?.id ?? ''
        }
        expect(spawnSync('scontrol', ['requeue', id], { encoding: 'utf8' }).status).toBe(0)
        await releaseWhenPending(id)
        const summary = await done
        expect(summary.failed).toEqual([])
        const runs = seen(dir)
        expect(runs.map((r) => r.step)).toEqual([0, 1])
        expect(runs[0]!.folder).toBe(runs[1]!.folder)
        expect(existsSync(runs[0]!.folder)).toBe(false)
        const jobs = await store.listJobs({ key: 'model' })
        expect(jobs.map((j) => [j.state, (j.handle as { id: string }).id])).toEqual([['succeeded', id]])
        const events = await store.runEvents(summary.runId)
        expect(events.filter((e) => e.type === 'job_requeued').map((e) => e.data)).toEqual([
          expect.objectContaining({ launcherJobId: id, restarts: 1, checkpointDir: runs[0]!.folder }),
        ])
      } finally {
        await ws.close()
      }
    })
    it('a preempted job (a higher-tier partition needs its GPUs) is requeued by Rivers and resumes from its checkpoint', async () => {
      const dir = work()
      const storeDir = path.join(dir, 'store')
      const store = SqliteStore.open(storeDir)
      const model = asset({
        key: 'model',
        command: trainer(dir, 2, 'sleep 120; exit 3'),
        resources: { gpus: 2 },
        launcher: { type: 'slurm', pollInterval: 200 } as LauncherSetting,
      })
      const ws = await openWorkspace(defineProject({ assets: [model] }), { storeDir, store, logLevel: 'silent' })
      try {
        const done = ws.materialize()
        let id = ''
        await until(async () => {
          const [job] = await store.listJobs({ key: 'model' })
          id = (job?.handle as { id?: string } | null)?.id ?? ''
          return id !== '' && existsSync(path.join(dir, 'seen'))
        })
        const node = spawnSync('squeue', ['-h', '-j', id, '-o', '%N'], { encoding: 'utf8' }).stdout.trim()
        // An urgent job that needs both GPUs of that node preempts it (PreemptMode=CANCEL: it ends PREEMPTED).
        const urgent = spawnSync(
          'sbatch',
          ['--parsable', '-p', 'urgent', '-w', node, '--gres=gpu:2', '-o', '/dev/null', '--wrap', 'sleep 1'],
          { encoding: 'utf8' },
        )
        expect(urgent.status, urgent.stderr).toBe(0)
        await releaseWhenPending(id)
        const summary = await done
        expect(summary.failed).toEqual([])
        const runs = seen(dir)
        expect(runs.map((r) => r.step)).toEqual([0, 1])
        expect(runs[0]!.folder).toBe(runs[1]!.folder)
        const events = await store.runEvents(summary.runId)
        expect(events.filter((e) => e.type === 'job_requeued').map((e) => e.data)).toEqual([
          expect.objectContaining({
            launcherJobId: id,
            restarts: 1,
            reason: 'preempted; requeued by Rivers (restart 1 of at most 3)',
          }),
        ])
        const [job] = await store.listJobs({ key: 'model' })
        expect(job?.state).toBe('succeeded')
      } finally {
        await ws.close()
      }
    })

    it('past maxRequeues a preempted job stays preempted, and says why', async () => {
      const dir = work()
      const launcher = new SlurmLauncher({ pollIntervalMs: 200, maxRequeues: 0 })
      const job = shellJob(dir, 'low', 'sleep 120', { nodes: 1, gpusPerNode: 2 })
      const handle = await launcher.submit(job, jobContext(job))
      await until(async () => (await launcher.status(handle)).state === 'running')
      const node = spawnSync('squeue', ['-h', '-j', handle.id, '-o', '%N'], { encoding: 'utf8' }).stdout.trim()
      spawnSync('sbatch', ['-p', 'urgent', '-w', node, '--gres=gpu:2', '-o', '/dev/null', '--wrap', 'sleep 1'])
      const final = await superviseJob(launcher, handle, {
        signal: new AbortController().signal,
        log: memoryLogger().log,
      })
      expect([final.state, final.reason]).toEqual(['preempted', 'PREEMPTED; requeued 0 times already (maxRequeues 0)'])
    })
  },
)
