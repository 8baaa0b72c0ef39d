import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { afterEach, describe, expect, it, vi } from 'vitest'

// Jobs are real processes (and Slurm jobs): allow for a loaded machine.
vi.setConfig({ testTimeout: 60_000 })

import {
  jobContext,
  launcherConformance,
  memoryLogger,
  shellJob,
  tempDir,
  waitFor,
} from '@rivers-orchestrator/conformance'

import { asset, defineProject } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { SqliteStore } from '../store/sqlite-store.js'
import { jobEnded } from './errors.js'
import { detectGpus, parseGpuOverride, parseNvidiaSmi } from './gpu-inventory.js'
import { GpuLocks } from './gpu-locks.js'
import { LocalLauncher } from './local.js'
import { groupAlive } from './process-info.js'
import { resetLaunchers } from './registry.js'
import { superviseJob } from './supervise.js'
import type { JobHandle, ResourceRequest } from './types.js'

const work = tempDir('rivers-local-')

/** A fake `nvidia-smi` first on PATH that reports `n` GPUs. */
function fakeNvidiaSmi(dir: string, n: number, name = 'NVIDIA H100 80GB HBM3'): NodeJS.ProcessEnv {
  const bin = path.join(dir, `bin-${n}`)
  mkdirSync(bin, { recursive: true })
  const lines = Array.from({ length: n }, (_, i) => `${i}, GPU-0000000${i}-fake, ${name}, 81559`).join('\\n')
  writeFileSync(path.join(bin, 'nvidia-smi'), `#!/bin/sh\nprintf '${lines}\\n'\n`)
  chmodSync(path.join(bin, 'nvidia-smi'), 0o755)
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` }
  delete env.RIVERS_GPUS
  delete env.CUDA_VISIBLE_DEVICES
  return env
}

const oneGpu: ResourceRequest = { nodes: 1, gpusPerNode: 1 }

afterEach(() => resetLaunchers())

launcherConformance(
  'local',
  () => {
    const dir = work()
    const env = fakeNvidiaSmi(dir, 2)
    const lockDir = path.join(dir, 'locks')
    return {
      make: () => new LocalLauncher({ env, lockDir, killGraceMs: 1000, pollIntervalMs: 50 }),
      setting: { type: 'local', gpus: '2', lockDir, pollInterval: 50 },
      functionSetting: { type: 'local', gpus: '2', lockDir, pollInterval: 50, functions: 'worker' },
      runnable: oneGpu,
      runnableResources: { gpus: 1 },
      unschedulable: [
        {
          resources: { gpus: 3 },
          mentions: /asks for 3 GPUs, but this machine has only 2 \(the launcher's gpus setting=2\)/,
        },
        { resources: { nodes: 2, gpusPerNode: 1 }, mentions: /cannot honour resources\.nodes/ },
        { resources: { cpus: 100_000 }, mentions: /asks for 100000 CPUs, but this machine has \d+/ },
        { resources: { memory: '64Pi' }, mentions: /asks for 64Pi of memory, but this machine has/ },
      ],
      jobTimeoutMs: 10_000,
      workDir: () => path.join(dir),
    }
  },
  120_000,
)

describe('GPU inventory', () => {
  it('reads nvidia-smi, honours RIVERS_GPUS and an already-set CUDA_VISIBLE_DEVICES', async () => {
    const env = fakeNvidiaSmi(work(), 4)
    const all = await detectGpus({ env })
    expect(all.source).toBe('nvidia-smi')
    expect(all.gpus).toEqual(
      [0, 1, 2, 3].map((i) => ({ index: String(i), name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 })),
    )
    expect((await detectGpus({ env: { ...env, RIVERS_GPUS: '1,3' } })).gpus.map((g) => g.index)).toEqual(['1', '3'])
    expect((await detectGpus({ env: { ...env, RIVERS_GPUS: '2' } })).gpus.map((g) => g.index)).toEqual(['0', '1'])
    expect((await detectGpus({ env: { ...env, RIVERS_GPUS: 'none' } })).gpus).toEqual([])
    const limited = await detectGpus({ env: { ...env, CUDA_VISIBLE_DEVICES: '2,3' } })
    expect([limited.gpus.map((g) => g.index), limited.source]).toEqual([
      ['2', '3'],
      'nvidia-smi, limited by CUDA_VISIBLE_DEVICES="2,3"',
    ])
    expect(
      (await detectGpus({ env: { ...env, CUDA_VISIBLE_DEVICES: 'GPU-00000001' } })).gpus.map((g) => g.index),
    ).toEqual(['1'])
    expect((await detectGpus({ env: { ...env, CUDA_VISIBLE_DEVICES: '' } })).gpus).toEqual([])
    expect(await detectGpus({ env: { PATH: '/nonexistent' } })).toEqual({ gpus: [], source: 'no nvidia-smi found' })
    await expect(detectGpus({ env: { ...env, RIVERS_GPUS: 'lots' } })).rejects.toThrow(
      /RIVERS_GPUS="lots" is not a GPU list\.\nFix: use 'none'/,
    )
  })

  it('parses nvidia-smi lines with or without UUIDs and units', () => {
    expect(parseNvidiaSmi('0, NVIDIA A100-SXM4-40GB, 40960 MiB\n1, GPU-abc, Tesla T4, 15360\n')).toEqual([
      { index: '0', name: 'NVIDIA A100-SXM4-40GB', memoryMiB: 40960 },
      { index: '1', uuid: 'GPU-abc', name: 'Tesla T4', memoryMiB: 15360 },
    ])
    expect([
      parseGpuOverride('0, 2'),
      parseGpuOverride('3,'),
      parseGpuOverride('1'),
      parseGpuOverride(''),
      parseGpuOverride('x'),
      parseGpuOverride(','),
    ]).toEqual([['0', '2'], ['3'], ['0'], undefined, undefined, undefined])
  })
})

describe('local GPU slot pool', () => {
  /** Starts `n` jobs of `request` at once; each records the GPUs it got and when it ran. */
  async function runJobs(launcher: LocalLauncher, n: number, request: ResourceRequest, body = 'sleep 0.4') {
    const dir = path.join(work(), `pool-${Math.random().toString(36).slice(2)}`)
    mkdirSync(dir)
    const queued: string[] = []
    const results = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const job = shellJob(
          dir,
          `j${i}`,
          `echo "start $(date +%s%N) $CUDA_VISIBLE_DEVICES $CUDA_DEVICE_ORDER" > rec-${i}; ${body}; echo "end $(date +%s%N)" >> rec-${i}`,
          request,
        )
        const ctx = jobContext(job)
        const handle = await launcher.submit(job, ctx)
        if (ctx.waits.length > 0) queued.push(`j${i}`)
        const final = await superviseJob(launcher, handle, {
          signal: new AbortController().signal,
          log: memoryLogger().log,
        })
        const [start, end] = readFileSync(path.join(dir, `rec-${i}`), 'utf8')
          .trim()
          .split('\n')
        const [, t0, gpus, order] = start!.split(' ')
        return {
          i,
          state: final.state,
          gpus: gpus === undefined ? [] : gpus.split(','),
          order,
          start: Number(BigInt(t0!) / 1000000n),
          end: Number(BigInt(end!.split(' ')[1]!) / 1000000n),
        }
      }),
    )
    return { results, queued }
  }

  it('never lets two running jobs share a GPU; jobs queue FIFO and start when a slot frees', async () => {
    const launcher = new LocalLauncher({
      env: fakeNvidiaSmi(work(), 2),
      lockDir: path.join(work(), 'locks-a'),
      pollIntervalMs: 50,
    })
    const { results, queued } = await runJobs(launcher, 5, oneGpu)
    expect(results.every((r) => r.state === 'succeeded')).toBe(true)
    expect(
      results.every((r) => r.gpus.length === 1 && ['0', '1'].includes(r.gpus[0]!) && r.order === 'PCI_BUS_ID'),
    ).toBe(true)
    for (const a of results) {
      for (const b of results) {
        if (a.i < b.i && a.gpus[0] === b.gpus[0])
          expect(a.end <= b.start || b.end <= a.start, `jobs ${a.i} and ${b.i} overlapped on GPU ${a.gpus[0]}`).toBe(
            true,
          )
      }
    }
    // At most two at once, and the three that queued started only after an earlier job ended.
    const times = results
      .flatMap((r) => [
        { t: r.start, d: 1 },
        { t: r.end, d: -1 },
      ])
      .sort((x, y) => x.t - y.t || x.d - y.d)
    let running = 0
    let peak = 0
    for (const e of times) peak = Math.max(peak, (running += e.d))
    expect(peak).toBe(2)
    expect(queued).toEqual(['j2', 'j3', 'j4'])
    const firstEnd = Math.min(...results.slice(0, 2).map((r) => r.end))
    for (const r of results.slice(2)) expect(r.start).toBeGreaterThanOrEqual(firstEnd)
    expect((await launcher.pool()).busyGpus).toEqual([])
  })

  it('a 2-GPU job at the head of the queue is not overtaken by 1-GPU jobs (no starvation)', async () => {
    const launcher = new LocalLauncher({ env: fakeNvidiaSmi(work(), 2), pollIntervalMs: 50 })
    const dir = path.join(work(), 'fifo')
    mkdirSync(dir)
    const order: string[] = []
    const submit = (name: string, gpus: number, body: string) => {
      const job = shellJob(dir, name, `echo ${name} >> ${dir}/order; ${body}`, { nodes: 1, gpusPerNode: gpus })
      return launcher
        .submit(job, jobContext(job))
        .then((h) => superviseJob(launcher, h, { signal: new AbortController().signal, log: memoryLogger().log }))
    }
    const a = submit('a', 1, 'sleep 0.3')
    await new Promise((r) => setTimeout(r, 50))
    const big = submit('big', 2, 'sleep 0.1')
    await new Promise((r) => setTimeout(r, 50))
    const c = submit('c', 1, 'sleep 0.1')
    await Promise.all([a, big, c])
    order.push(...readFileSync(path.join(dir, 'order'), 'utf8').trim().split('\n'))
    expect(order).toEqual(['a', 'big', 'c'])
  })

  it('a crashing job (SIGKILL of the command, or of its whole process group) frees its slot', async () => {
    const launcher = new LocalLauncher({
      env: fakeNvidiaSmi(work(), 1),
      lockDir: path.join(work(), 'locks-crash'),
      pollIntervalMs: 50,
    })
    const dir = path.join(work(), 'crash')
    mkdirSync(dir)
    const signal = new AbortController().signal
    const log = memoryLogger().log
    // The command kills itself.
    const submit = (name: string, script: string) => {
      const job = shellJob(dir, name, script, oneGpu)
      return launcher.submit(job, jobContext(job, { signal }))
    }
    const h1 = await submit('self-kill', 'echo dying; kill -9 $$')
    const f1 = await superviseJob(launcher, h1, { signal, log })
    expect([f1.state, f1.exitCode]).toEqual(['failed', 137])
    // Someone kills the job's process group (wrapper included): no exit status left by the job.
    const h2 = await submit('group-kill', 'sleep 30')
    await waitFor(launcher, h2, (s) => s === 'running', 5000)
    process.kill(-(h2 as JobHandle & { pid: number }).pid, 'SIGKILL')
    const f2 = await superviseJob(launcher, h2, { signal, log })
    expect([f2.state, f2.reason]).toEqual(['failed', 'killed by SIGKILL'])
    // The GPU is free again: the next job starts without waiting.
    const next = shellJob(dir, 'next', 'echo $CUDA_VISIBLE_DEVICES', oneGpu)
    const nextCtx = jobContext(next, { signal })
    const h3 = await launcher.submit(next, nextCtx)
    expect((await superviseJob(launcher, h3, { signal, log })).state).toBe('succeeded')
    expect(nextCtx.waits).toEqual([])
    expect(readFileSync(path.join(dir, 'next', 'stdout.log'), 'utf8').trim()).toBe('0')
  })

  it('cancelling a queued job removes it from the queue; a cancelled running job frees its slot', async () => {
    const launcher = new LocalLauncher({ env: fakeNvidiaSmi(work(), 1), pollIntervalMs: 50, killGraceMs: 500 })
    const dir = path.join(work(), 'cancel-queue')
    mkdirSync(dir)
    const log = memoryLogger().log
    const running = new AbortController()
    const holder = shellJob(dir, 'holder', 'trap "" TERM; sleep 30', oneGpu)
    const h1 = await launcher.submit(holder, jobContext(holder, { signal: running.signal }))
    const queued = new AbortController()
    const queuedJob = shellJob(dir, 'queued', 'echo never', oneGpu)
    const waiting = launcher.submit(queuedJob, jobContext(queuedJob, { signal: queued.signal }))
    await new Promise((r) => setTimeout(r, 100))
    expect((await launcher.pool()).waiting).toBe(1)
    queued.abort(new Error('run cancelled'))
    await expect(waiting).rejects.toThrow('run cancelled')
    expect((await launcher.pool()).waiting).toBe(0)
    expect(existsSync(path.join(dir, 'queued', 'exit.json'))).toBe(false)
    // The holder ignores SIGTERM: it is killed after the grace period, and its slot comes back.
    const done = superviseJob(launcher, h1, { signal: running.signal, log })
    await waitFor(launcher, h1, (s) => s === 'running', 5000)
    running.abort(new Error('run cancelled'))
    expect((await done).state).toBe('cancelled')
    // Its slot comes back only once every process of the job (the TERM-ignoring sleep too) is gone.
    const after = shellJob(dir, 'after', 'true', oneGpu)
    const h3 = await launcher.submit(after, jobContext(after))
    expect(groupAlive((h1 as JobHandle & { pid: number }).pid)).toBe(false)
    expect((await superviseJob(launcher, h3, { signal: new AbortController().signal, log })).state).toBe('succeeded')
  })

  it('enforces timeLimit (state timeout)', async () => {
    const launcher = new LocalLauncher({ env: fakeNvidiaSmi(work(), 1), pollIntervalMs: 50, killGraceMs: 500 })
    const dir = path.join(work(), 'time-limit')
    mkdirSync(dir)
    const slow = shellJob(dir, 'slow', 'sleep 30', { ...oneGpu, timeLimitMs: 300 })
    const h = await launcher.submit(slow, jobContext(slow))
    const final = await superviseJob(launcher, h, { signal: new AbortController().signal, log: memoryLogger().log })
    expect(final.state).toBe('timeout')
    expect(final.reason).toBe('stopped at its time limit of 300ms')
  })

  it('shares GPUs with other processes through lock files, and breaks locks of dead processes', async () => {
    const dir = work()
    const lockDir = path.join(dir, 'shared-locks')
    const env = fakeNvidiaSmi(dir, 1)
    // Another live "process" (a second launcher with its own locks object) holds GPU 0.
    const other = new GpuLocks(lockDir)
    expect(other.tryLock('0', 'another process')).toBe(true)
    const launcher = new LocalLauncher({ env, lockDir, pollIntervalMs: 50 })
    const jobDir = path.join(dir, 'cross')
    mkdirSync(jobDir)
    const waits = shellJob(jobDir, 'waits', 'true', oneGpu)
    const waitsCtx = jobContext(waits)
    const started = launcher.submit(waits, waitsCtx)
    await new Promise((r) => setTimeout(r, 400))
    expect(waitsCtx.waits.at(-1)).toMatch(/1 held by other processes \(GPU 0: pid \d+\)/)
    other.unlock('0')
    const h = await started
    expect(
      (await superviseJob(launcher, h, { signal: new AbortController().signal, log: memoryLogger().log })).state,
    ).toBe('succeeded')
    // A lock left by a dead process (pid 999999 is not alive) is stale: it is broken.
    writeFileSync(
      path.join(lockDir, 'gpu-0.lock'),
      JSON.stringify({
        pid: 999_999,
        host: (await import('node:os')).hostname(),
        token: 'dead',
        owner: 'crashed',
        at: '',
      }),
    )
    const breaks = shellJob(jobDir, 'breaks', 'true', oneGpu)
    const h2 = await launcher.submit(breaks, jobContext(breaks))
    expect(
      (await superviseJob(launcher, h2, { signal: new AbortController().signal, log: memoryLogger().log })).state,
    ).toBe('succeeded')
    expect(existsSync(path.join(lockDir, 'gpu-0.lock'))).toBe(false)
  })
})

describe('assets through the local launcher', () => {
  it('a function asset with gpus holds its slots and sees them in ctx.gpus; two such assets run one after the other', async () => {
    const dir = work()
    const spans: { key: string; gpus: string[]; start: number; end: number }[] = []
    const train = (key: string) =>
      asset(
        { key, resources: { gpus: 1 }, launcher: { type: 'local', gpus: '1', lockDir: path.join(dir, 'fn-locks') } },
        async (_i, ctx) => {
          const start = Date.now()
          await new Promise((r) => setTimeout(r, 200))
          spans.push({ key, gpus: (ctx.gpus ?? []).map((g) => g.index), start, end: Date.now() })
          return 1
        },
      )
    const ws = await openWorkspace(defineProject({ assets: [train('a'), train('b')], concurrency: 2 }), {
      storeDir: path.join(dir, 'fn-store'),
      logLevel: 'silent',
    })
    try {
      const summary = await ws.materialize()
      expect(summary.failed).toEqual([])
      expect(spans.map((s) => s.gpus)).toEqual([['0'], ['0']])
      const [x, y] = spans.sort((p, q) => p.start - q.start)
      expect(y!.start).toBeGreaterThanOrEqual(x!.end)
      expect((await ws.show('a')).history[0]!.metadata).toMatchObject({ gpus: [{ index: '0' }] })
    } finally {
      await ws.close()
    }
  })

  it('a job whose asset times out is stopped, and the attempt fails with the timeout', async () => {
    const dir = work()
    const slow = asset({
      key: 'slow',
      command: ['sleep', '30'],
      timeout: '300ms',
      launcher: { type: 'local', gpus: 'none', killGrace: '200ms' },
    })
    const store = SqliteStore.open(path.join(dir, 'timeout-store'))
    const ws = await openWorkspace(defineProject({ assets: [slow] }), {
      storeDir: path.join(dir, 'timeout-store'),
      store,
      logLevel: 'silent',
    })
    try {
      const summary = await ws.materialize()
      expect(summary.failed[0]?.error).toMatch(/timed out after 300 ms/)
      await new Promise((r) => setTimeout(r, 500))
      const [job] = await store.listJobs({ key: 'slow' })
      expect(job?.state).toBe('timeout')
    } finally {
      await ws.close()
    }
  })
})

describe('messages users read', () => {
  it('launcher errors name the asset, the limit and the fix', async () => {
    const local = new LocalLauncher({
      gpus: [{ index: '0', name: 'NVIDIA A100-SXM4-40GB', memoryMiB: 40960 }],
      capacity: { cpus: 8, memoryBytes: 64 * 2 ** 30 },
    })
    const target = { assetKey: 'model/torch', kind: 'command' } as const
    const message = (r: ResourceRequest) =>
      local.validate(r, target).then(
        () => 'accepted',
        (e: Error) => e.message,
      )
    expect(await message({ nodes: 1, gpusPerNode: 2 })).toMatchInlineSnapshot(`
      "Asset 'model/torch' asks for 2 GPUs, but this machine has only 1 (the launcher options): the local launcher can never run it.
      Fix: lower resources.gpus to at most 1, or use launcher: 'slurm'."
    `)
    expect(await message({ nodes: 1, gpusPerNode: 1, gpuType: 'h100' })).toMatchInlineSnapshot(`
      "Asset 'model/torch' asks for GPU type 'h100', but this machine's GPUs are 'NVIDIA A100-SXM4-40GB' (the launcher options): the local launcher can never run it.
      Fix: use a gpuType matching one of them, or remove gpuType."
    `)
    expect(await message({ nodes: 4, gpusPerNode: 1 })).toMatchInlineSnapshot(`
      "Asset 'model/torch': the local launcher cannot honour resources.nodes: nodes: 4 asks for a multi-node job, and the local launcher runs jobs on this machine only.
      Fix: use launcher: 'slurm' (or another cluster launcher) for multi-node jobs, or remove nodes."
    `)
    expect(await message({ nodes: 1, gpusPerNode: 1, gpuType: 'a100', cpus: 8, memoryBytes: 64 * 2 ** 30 })).toBe(
      'accepted',
    )
    expect(
      jobEnded(
        'model/torch',
        'slurm',
        '4242',
        'oom',
        137,
        'OUT_OF_MEMORY',
        'Traceback (most recent call last):\n  torch.OutOfMemoryError: CUDA out of memory',
        '/p/.rivers/jobs/r1/model/torch/attempt-1',
      ).message,
    ).toMatchInlineSnapshot(`
      "The job of asset 'model/torch' (slurm job 4242) ran out of memory with exit code 137 (OUT_OF_MEMORY).
      Last lines of its stderr:
        | Traceback (most recent call last):
        |   torch.OutOfMemoryError: CUDA out of memory
      Its files: /p/.rivers/jobs/r1/model/torch/attempt-1
      Fix: raise resources.memory, or make the job use less."
    `)
  })
})
