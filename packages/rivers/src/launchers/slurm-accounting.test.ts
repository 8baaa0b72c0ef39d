import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import { describe, expect, it, vi } from 'vitest'

import { jobContext, memoryLogger, shellJob, tempDir } from '@rivers-orchestrator/conformance'

import { asset, defineProject } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { parseExitCode } from './slurm-parse.js'
import { overMemoryKilled, parseSacct, parseTres, SACCT_FORMAT, slurmStatus } from './slurm-status.js'
import { SlurmLauncher } from './slurm.js'
import { superviseJob } from './supervise.js'
import type { JobHandle } from './types.js'

// Real Slurm jobs, and waits for slurmctld to forget finished jobs (MinJobAge 10 s + its purge pass).
vi.setConfig({ testTimeout: 150_000 })

describe('sacct output and job fields (no Slurm needed)', () => {
  it('reads sacct --parsable2 rows as the CI cluster prints them', () => {
    // Captured from the CI cluster (Slurm 22.05, slurmdbd + MariaDB): an OOM kill, a GPU job that exited 3.
    const rows = parseSacct(
      [
        '648|OUT_OF_MEMORY|0:125|None|2026-12-06T09:09:15|2026-12-06T09:09:16|n1|billing=1,cpu=1,mem=100M,node=1',
        '649|FAILED|3:0|None|2026-12-06T09:09:56|2026-12-06T09:09:56|n1|billing=1,cpu=1,gres/gpu=1,mem=1000M,node=1',
        '651|NODE_FAIL|0:0|None|2026-12-06T09:10:25|2026-12-06T09:10:27|n2|billing=1,cpu=1,mem=1000M,node=1',
        '',
      ].join('\n'),
    )
    expect(rows.map((r) => [r.jobId, r.state, r.exitCode, r.nodes])).toEqual([
      ['648', 'OUT_OF_MEMORY', '0:125', 'n1'],
      ['649', 'FAILED', '3:0', 'n1'],
      ['651', 'NODE_FAIL', '0:0', 'n2'],
    ])
    expect(SACCT_FORMAT.split(',')).toHaveLength(8)
    expect(parseTres(rows[1]!.tres)).toEqual({ billing: '1', cpu: '1', 'gres/gpu': '1', mem: '1000M', node: '1' })
    expect(parseTres('')).toEqual({})
  })

  it('maps OUT_OF_MEMORY to oom with the memory the job got and the fix, and drops the 0:125 marker', () => {
    const oom = slurmStatus({
      state: 'OUT_OF_MEMORY',
      exitCode: '0:125',
      reason: 'OutOfMemory',
      start: '2026-12-06T09:09:15',
      end: '2026-12-06T09:09:16',
      nodes: 'n1',
      tres: 'cpu=1,mem=100M,node=1,billing=1',
    })
    expect(oom).toMatchObject({
      state: 'oom',
      reason:
        'OUT_OF_MEMORY: the job used more memory than Slurm gave it (mem=100M); ask for more with resources.memory',
      nodes: 'n1',
      tres: { mem: '100M' },
    })
    expect(oom.exitCode).toBeUndefined()
    expect(oom.finishedAt!.getTime() - oom.startedAt!.getTime()).toBe(1000)
    expect(slurmStatus({ state: 'OUT_OF_MEMORY', tres: 'mem=2000M,node=2' }).reason).toContain(
      '(mem=2000M over 2 nodes)',
    )
    expect([parseExitCode('0:125'), parseExitCode('0:9'), parseExitCode('2:0')]).toEqual([undefined, 137, 2])
  })

  it('recognises a job OverMemoryKill killed (FAILED, signal 9) by what slurmstepd wrote to its stderr', () => {
    // Captured from the CI cluster run with JobAcctGatherParams=OverMemoryKill instead of cgroups.
    const killed = slurmStatus({
      state: 'FAILED',
      exitCode: '0:9',
      reason: 'JobLaunchFailure',
      tres: 'cpu=1,mem=100M,node=1,billing=1',
    })
    const stderr = [
      'slurmstepd-n1: error: StepId=647.batch exceeded memory limit (434806784 > 104857600), being killed',
      'slurmstepd-n1: error: *** JOB 647 ON n1 CANCELLED AT 2026-12-06T09:08:14 ***',
      'slurmstepd-n1: error: Exceeded job memory limit',
    ].join('\n')
    expect(overMemoryKilled(killed, () => stderr)).toEqual({
      state: 'oom',
      reason:
        'OUT_OF_MEMORY: the job used more memory than Slurm gave it (mem=100M); ask for more with resources.memory (OverMemoryKill)',
      tres: { cpu: '1', mem: '100M', node: '1', billing: '1' },
    })
    // Killed by signal 9 for another reason, or a plain failure: left as it is (stderr not even read).
    expect(overMemoryKilled(killed, () => 'Killed')).toBe(killed)
    const failed = slurmStatus({ state: 'FAILED', exitCode: '1:0' })
    expect(overMemoryKilled(failed, () => expect.unreachable())).toBe(failed)
  })

  it('reads CANCELLED by 0, NODE_FAIL and pending reasons', () => {
    expect(slurmStatus({ state: 'CANCELLED by 0', exitCode: '0:15' })).toMatchObject({
      state: 'cancelled',
      reason: 'CANCELLED',
      exitCode: 143,
    })
    const lost = slurmStatus({ state: 'NODE_FAIL', reason: 'NodeDown', exitCode: '0:0' })
    expect(lost).toMatchObject({ state: 'node_fail', reason: 'NODE_FAIL: NodeDown' })
    // 0:0 there is no exit status (the command never ended); on COMPLETED it is.
    expect([lost.exitCode, slurmStatus({ state: 'COMPLETED', exitCode: '0:0' }).exitCode]).toEqual([undefined, 0])
    expect(slurmStatus({ state: 'PENDING', reason: 'PartitionTimeLimit', tres: 'cpu=1' })).toEqual({
      state: 'pending',
      reason: 'PartitionTimeLimit',
      neverStarts: true,
    })
  })
})

const probe = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 })
const sinfo = probe('sinfo', ['-h', '-o', '%t'])
const sacct = probe('sacct', ['-n', '-X', '-j', '1', '--parsable2', '--format', 'JobID'])
const slurmWorks = sinfo.status === 0 && sinfo.stdout.trim() !== ''
const accounting = slurmWorks && sacct.status === 0
const why = !slurmWorks
  ? `Slurm is not running (sinfo: ${(sinfo.stderr ?? sinfo.error?.message ?? '').trim()})`
  : `Slurm runs without accounting (sacct: ${(sacct.stderr ?? '').trim()})`

if (!accounting) {
  describe('Slurm accounting (real cluster)', () => {
    if (process.env.CI === 'true') {
      it('runs in CI', () => {
        throw new Error(`CI=true but ${why}. Start the test cluster with accounting first: sudo .ci/slurm/setup.sh`)
      })
    } else {
      it.skip(`skipped: ${why}; start it with: sudo .ci/slurm/setup.sh`, () => undefined)
    }
  })
} else {
  const work = tempDir('rivers-sacct-')
  const make = () => new SlurmLauncher({ pollIntervalMs: 200, sinfoCacheMs: 5_000 })
  const quiet = () => ({ signal: new AbortController().signal, log: memoryLogger().log })
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  // The cluster is shared with other tests: take node n2 down only while no other job runs there.
  const aloneOnN2 = (id: string): boolean =>
    probe('squeue', ['-h', '-w', 'n2', '-t', 'RUNNING,COMPLETING', '-o', '%i']).stdout.trim() === id
  const known = (id: string) => probe('scontrol', ['show', 'job', '-o', id]).stdout.includes('JobState=')
  const wait = async (ok: () => boolean, ms: number, what: string): Promise<void> => {
    const end = Date.now() + ms
    while (!ok()) {
      if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }

  describe('Slurm accounting (real cluster)', () => {
    it('reattaches to jobs slurmctld has forgotten, from sacct: exit code, OOM with its memory, allocated GPUs', async () => {
      const launcher = make()
      const dir = path.join(work(), 'forgotten')
      mkdirSync(dir, { recursive: true })
      const jobs = [
        shellJob(dir, 'exit3', 'sleep 1; exit 3', { nodes: 1, gpusPerNode: 0 }),
        shellJob(dir, 'oom', `python3 -c 'a = bytearray(400 * 2**20); import time; time.sleep(5)'`, {
          nodes: 1,
          gpusPerNode: 0,
          memoryBytes: 100 * 2 ** 20,
        }),
        shellJob(dir, 'gpu', 'echo "gpus=$CUDA_VISIBLE_DEVICES"', { nodes: 1, gpusPerNode: 1 }),
      ]
      // Submitted, then the orchestrator is "down": nobody follows the jobs until Slurm forgot them.
      const handles: JobHandle[] = []
      for (const job of jobs) handles.push(await launcher.submit(job, jobContext(job)))
      await wait(() => handles.every((h) => !known(h.id)), 120_000, 'slurmctld to forget the jobs (MinJobAge)')
      // Only accounting knows them now: the exit status the batch script leaves cannot answer.
      for (const h of handles) rmSync(path.join(h.jobDir, 'exit.json'), { force: true })

      const [exit3, oom, gpu] = await Promise.all(handles.map((h) => make().reattach(h)))
      expect(exit3!.status).toMatchObject({ state: 'failed', exitCode: 3, reason: 'FAILED (from sacct)', nodes: /^n/ })
      const elapsed = exit3!.status.finishedAt!.getTime() - exit3!.status.startedAt!.getTime()
      expect(elapsed).toBeGreaterThanOrEqual(1000)
      expect(elapsed).toBeLessThan(30_000)
      // Clusters that enforce memory with OverMemoryKill (setup.sh's fallback) say so in the reason.
      expect(oom!.status.state).toBe('oom')
      expect(oom!.status.reason).toMatch(
        /^OUT_OF_MEMORY: the job used more memory than Slurm gave it \(mem=100M\); ask for more with resources\.memory( \(OverMemoryKill\))? \(from sacct\)$/,
      )
      expect(gpu!.status).toMatchObject({ state: 'succeeded', exitCode: 0, tres: { 'gres/gpu': '1', node: '1' } })
      expect(await launcher.status(handles[0]!)).toMatchObject({ state: 'failed', exitCode: 3 })
    })

    it('a run restarted after the orchestrator was down past MinJobAge adopts the finished job from sacct', async () => {
      const dir = path.join(work(), 'restart')
      mkdirSync(dir, { recursive: true })
      const starts = path.join(dir, 'starts')
      const driver = path.join(dir, 'driver.mts')
      const rivers = createRequire(import.meta.url).resolve('@rivers-orchestrator/rivers')
      writeFileSync(
        driver,
        [
          `import { asset, defineProject, openWorkspace } from ${JSON.stringify(rivers)}`,
          `const job = asset({ key: 'restart/job', command: ['/bin/sh', '-c', 'echo started >> ${starts}; sleep 1; echo {} > "$RIVERS_OUTPUT"'], resources: { gpus: 1 }, launcher: { type: 'slurm', pollInterval: '200ms' } })`,
          `const ws = await openWorkspace(defineProject({ assets: [job] }), { storeDir: ${JSON.stringify(path.join(dir, '.rivers'))}, logLevel: 'silent' })`,
          'console.log(JSON.stringify(await ws.materialize()))',
          'await ws.close()',
        ].join('\n'),
      )
      const start = () =>
        spawn(process.execPath, ['--import', 'tsx', driver], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] })
      const first = start()
      let firstErr = ''
      first.stderr.on('data', (b: Buffer) => (firstErr += b.toString()))
      await wait(() => existsSync(starts) || first.exitCode !== null, 60_000, 'the first run to start its job')
      first.kill('SIGKILL') // the orchestrator dies; the job ends while nobody watches
      const id = /rivers:restart\/job (\d+)/.exec(probe('squeue', ['-h', '-a', '-t', 'all', '-o', '%j %i']).stdout)?.[1]
      const jobDir = path.dirname(
        probe('scontrol', ['show', 'job', '-o', id ?? '0']).stdout.match(/StdOut=(\S+)/)?.[1] ?? dir,
      )
      expect(id, `the job is in the queue (first run: ${firstErr})`).toBeDefined()
      await wait(() => !known(id!), 120_000, 'slurmctld to forget the job (MinJobAge)')
      rmSync(path.join(jobDir, 'exit.json'))
      const second = start()
      let out = ''
      second.stdout.on('data', (b: Buffer) => (out += b.toString()))
      let err = ''
      second.stderr.on('data', (b: Buffer) => (err += b.toString()))
      expect(await new Promise((r) => second.once('close', r)), err).toBe(0)
      const summary = JSON.parse(out.trim().split('\n').pop()!) as { status: string; materialized: string[] }
      expect([summary.status, summary.materialized]).toEqual(['success', ['restart/job']])
      expect(readFileSync(starts, 'utf8')).toBe('started\n') // submitted once: adopted, not run again
    })

    it('reports an out-of-memory job as such: the memory it asked for and the fix', async () => {
      const dir = path.join(work(), 'oom-ws')
      const hungry = asset({
        key: 'model/hungry',
        command: ['python3', '-c', 'a = bytearray(400 * 2**20); import time; time.sleep(5)'],
        resources: { memory: '100Mi' },
        launcher: { type: 'slurm', pollInterval: '200ms' },
      })
      const ws = await openWorkspace(defineProject({ assets: [hungry] }), {
        storeDir: path.join(dir, 'store'),
        logLevel: 'silent',
      })
      try {
        const summary = await ws.materialize()
        expect(summary.failed.map((f) => f.key)).toEqual(['model/hungry'])
        const error = summary.failed[0]!.error
        expect(error).toMatch(/\(slurm job \d+\) ran out of memory \(OUT_OF_MEMORY: /)
        expect(error).toContain('more memory than Slurm gave it (mem=100M); ask for more with resources.memory')
        expect(error).toContain('Fix: raise resources.memory')
        expect(error).not.toMatch(/exit code/)
      } finally {
        await ws.close()
      }
    })

    it("records a GPU job's allocated TRES (gres/gpu) in the record's job metadata", async () => {
      const dir = path.join(work(), 'tres-ws')
      const train = asset({
        key: 'model/gpu',
        command: ['/bin/sh', '-c', 'echo "{}" > "$RIVERS_OUTPUT"'],
        resources: { gpus: 2, cpus: 2 },
        launcher: { type: 'slurm', pollInterval: '200ms' },
      })
      const ws = await openWorkspace(defineProject({ assets: [train] }), {
        storeDir: path.join(dir, 'store'),
        logLevel: 'silent',
      })
      try {
        expect((await ws.materialize()).failed).toEqual([])
        const [record] = (await ws.show('model/gpu')).history
        expect(record!.metadata.job).toMatchObject({
          launcher: 'slurm',
          state: 'succeeded',
          tres: { 'gres/gpu': '2', cpu: '2', node: '1' },
        })
      } finally {
        await ws.close()
      }
    })

    it('follows a job whose node went down through the requeue Slurm does (--requeue, the default) to its end', async () => {
      const launcher = new SlurmLauncher({ pollIntervalMs: 200, sbatchArgs: ['--nodelist=n2'] })
      const dir = path.join(work(), 'node-fail-requeued')
      mkdirSync(dir, { recursive: true })
      // The first run waits to be lost (its pid in the marker); the run after the requeue ends at once.
      const marker = path.join(dir, 'first-run')
      const job = shellJob(dir, 'lost', `if [ -e ${marker} ]; then exit 0; fi; echo $$ > ${marker}; exec sleep 60`, {
        nodes: 1,
        gpusPerNode: 0,
      })
      const handle = await launcher.submit(job, jobContext(job))
      const seen: string[] = []
      const final = superviseJob(launcher, handle, {
        ...quiet(),
        onStatus: (s) => void seen.push(`${s.state}:${s.restarts ?? 0}`),
      })
      try {
        await wait(() => seen.includes('running:0') && aloneOnN2(handle.id), 60_000, 'the job to run alone on n2')
        expect(probe('scontrol', ['update', 'nodename=n2', 'state=down', 'reason=rivers-node-fail-test']).status).toBe(
          0,
        )
        await wait(() => seen.includes('pending:1'), 30_000, 'Slurm to requeue the job')
      } finally {
        probe('scontrol', ['update', 'nodename=n2', 'state=resume'])
      }
      // The node's slurmd is alive (only its state went down): the first run is still being killed.
      // Starting the requeued job before its step daemon is gone makes Slurm see the job twice and
      // drain the node (the nodes are on this host: its slurmstepd is a process here).
      const first = Number(readFileSync(marker, 'utf8'))
      await wait(
        () => !alive(first) && !probe('ps', ['-eo', 'args']).stdout.includes(`[${handle.id}.batch]`),
        30_000,
        'the first run and its slurmstepd to end',
      )
      // Slurm holds a requeued job back a while (BeginTime, 2 min): let it start in 5 s, once slurmd
      // has also forgotten the first run (its epilog).
      probe('scontrol', ['update', `JobId=${handle.id}`, 'StartTime=now+5'])
      const s = await final
      expect([s.state, s.restarts]).toEqual(['succeeded', 1])
      expect(seen).not.toContain('node_fail:0')
    })

    it('maps a job whose node went down to node_fail (Slurm requeues it when it may; Rivers says why not)', async () => {
      const launcher = new SlurmLauncher({ pollIntervalMs: 200, sbatchArgs: ['--no-requeue', '--nodelist=n2'] })
      const dir = path.join(work(), 'node-fail')
      mkdirSync(dir, { recursive: true })
      const job = shellJob(dir, 'lost', 'echo started; sleep 60', { nodes: 1, gpusPerNode: 0 })
      const handle = await launcher.submit(job, jobContext(job))
      const statuses: string[] = []
      const final = superviseJob(launcher, handle, { ...quiet(), onStatus: (s) => void statuses.push(s.state) })
      try {
        await wait(() => statuses.includes('running') && aloneOnN2(handle.id), 60_000, 'the job to run alone on n2')
        const down = probe('scontrol', ['update', 'nodename=n2', 'state=down', 'reason=rivers-node-fail-test'])
        expect(down.status, down.stderr).toBe(0)
        const s = await final
        expect(s.state).toBe('node_fail')
        expect(s.exitCode).toBeUndefined()
        expect(s.stderrTail).toMatch(/DUE TO NODE FAILURE/)
        // A --no-requeue job cannot be requeued: Rivers tried (as for a preemption) and says so.
        expect(s.reason).toMatch(/^NODE_FAIL: NodeDown; could not requeue it: /)
      } finally {
        probe('scontrol', ['update', 'nodename=n2', 'state=resume'])
        await wait(
          () => /^(idle|mix|alloc)/.test(probe('sinfo', ['-h', '-n', 'n2', '-o', '%t']).stdout.trim()),
          30_000,
          'node n2 to come back',
        )
      }
      expect(statuses.filter((x) => x === 'running').length).toBeGreaterThan(0)
    })
  })
}
