import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { afterAll, describe, expect, it, vi } from 'vitest'

// Jobs are real processes (and Slurm jobs): allow for a loaded machine.
vi.setConfig({ testTimeout: 60_000 })

import {
  type ConformanceSetup,
  jobContext,
  launcherConformance,
  memoryLogger,
  shellJob,
  tempDir,
} from '@rivers-orchestrator/conformance'

import { asset, defineProject } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { batchScript, sbatchOptions, shellQuote, slurmArgv, slurmTime } from './slurm-script.js'
import {
  mapSlurmState,
  parseExitCode,
  parseGres,
  parseScontrol,
  parseSinfo,
  parseSlurmDuration,
} from './slurm-parse.js'
import { SlurmLauncher } from './slurm.js'
import { superviseJob } from './supervise.js'
import type { JobSpec, ResourceRequest } from './types.js'

describe('Slurm command construction (no Slurm needed)', () => {
  const job = {
    assetKey: 'model/torch',
    stdoutPath: '/jobs/r1/stdout.log',
    stderrPath: '/jobs/r1/stderr.log',
    cwd: '/work dir',
  }

  it('turns a one-node request into #SBATCH options', () => {
    expect(
      sbatchOptions(
        { nodes: 1, gpusPerNode: 2, gpuType: 'a100', cpus: 8, memoryBytes: 16 * 2 ** 30, timeLimitMs: 90 * 60_000 },
        { partition: 'gpu', account: 'ml', qos: 'high', sbatchArgs: ['--constraint=ib'] },
        job,
      ),
    ).toEqual([
      '--job-name=rivers:model/torch',
      '--output=/jobs/r1/stdout.log',
      '--error=/jobs/r1/stderr.log',
      '--chdir=/work dir',
      '--requeue',
      '--open-mode=append',
      '--nodes=1',
      '--gres=gpu:a100:2',
      '--cpus-per-task=8',
      '--mem=16384M',
      '--time=0-01:30:00',
      '--partition=gpu',
      '--account=ml',
      '--qos=high',
      '--constraint=ib',
    ])
  })

  it('uses --gpus-per-node and one task per node for multi-node jobs; rounds memory and time up', () => {
    const o = sbatchOptions({ nodes: 4, gpusPerNode: 8, memoryBytes: 1_000_000_001, timeLimitMs: 1500 }, {}, job)
    expect(o.slice(6)).toEqual([
      '--nodes=4',
      '--ntasks-per-node=1',
      '--gpus-per-node=8',
      '--mem=954M',
      '--time=0-00:00:02',
    ])
    expect(sbatchOptions({ nodes: 1, gpusPerNode: 0 }, {}, job).slice(4)).toEqual([
      '--requeue',
      '--open-mode=append',
      '--nodes=1',
    ])
    expect([slurmTime(86_400_000 + 3_600_000), slurmTime(59_000), slurmTime(1)]).toEqual([
      '1-01:00:00',
      '0-00:00:59',
      '0-00:00:01',
    ])
  })

  it('writes a batch script that exports the protocol, runs srun on several nodes and keeps the exit status', () => {
    const spec: JobSpec = {
      runId: 'r1',
      assetKey: 'model/torch',
      command: ['python3', 'train.py', "--name=it's"],
      env: { RIVERS_RUN_ID: 'r1', RIVERS_CLIENTS: '/opt/rivers/clients', WANDB_MODE: 'offline' },
      cwd: '/work',
      request: { nodes: 2, gpusPerNode: 1 },
      jobDir: '/jobs/r1/model/torch/attempt-1',
      stdoutPath: '/jobs/r1/model/torch/attempt-1/stdout.log',
      stderrPath: '/jobs/r1/model/torch/attempt-1/stderr.log',
    }
    expect(batchScript(spec, { partition: 'debug', setup: ['module load cuda/12.4'] })).toMatchInlineSnapshot(`
      "#!/bin/bash
      #SBATCH --job-name=rivers:model/torch
      #SBATCH --output=/jobs/r1/model/torch/attempt-1/stdout.log
      #SBATCH --error=/jobs/r1/model/torch/attempt-1/stderr.log
      #SBATCH --chdir=/work
      #SBATCH --requeue
      #SBATCH --open-mode=append
      #SBATCH --nodes=2
      #SBATCH --ntasks-per-node=1
      #SBATCH --gpus-per-node=1
      #SBATCH --partition=debug
      # Written by Rivers for asset 'model/torch' (run r1).
      export RIVERS_CLIENTS=/opt/rivers/clients
      export RIVERS_RUN_ID=r1
      export WANDB_MODE=offline
      export PYTHONPATH="$RIVERS_CLIENTS\${PYTHONPATH:+:$PYTHONPATH}"
      cd /work || exit 1
      module load cuda/12.4
      rivers_sampler=
      rivers_every=\${RIVERS_GPU_SAMPLE_SECONDS:-5}
      rivers_gpus=\${SLURM_JOB_GPUS:-\${CUDA_VISIBLE_DEVICES:-}}
      if [ -n "\${RIVERS_MESSAGES:-}" ] && [ -n "$rivers_gpus" ] && [ "$rivers_gpus" != "-1" ] && [ "$rivers_every" != 0 ] && command -v nvidia-smi >/dev/null 2>&1; then
        (
          trap 'kill "$rivers_sleep" 2>/dev/null; exit 0' TERM
          rivers_step=0
          while :; do
            nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits -i "$rivers_gpus" 2>/dev/null | awk -F', *' -v step="$rivers_step" ' $1 ~ /^[0-9.]+$/ && $2 ~ /^[0-9.]+$/ { u += $1; m += $2; n++ } END { if (n > 0) printf "{\\"type\\":\\"metric\\",\\"name\\":\\"gpu_util\\",\\"value\\":%g,\\"step\\":%d}\\n{\\"type\\":\\"metric\\",\\"name\\":\\"gpu_mem_mb\\",\\"value\\":%g,\\"step\\":%d}\\n", u / n, step, m, step } ' >> "$RIVERS_MESSAGES"
            rivers_step=$((rivers_step + 1))
            sleep "$rivers_every" & rivers_sleep=$!
            wait "$rivers_sleep"
          done
        ) &
        rivers_sampler=$!
      fi
      # Rendezvous for torchrun / torch.distributed / DeepSpeed (every task meets here).
      rivers_first=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
      rivers_addr=$(scontrol show node "$rivers_first" -o 2>/dev/null | sed -n 's/.* NodeAddr=\\([^ ]*\\).*/\\1/p')
      export MASTER_ADDR="\${rivers_addr:-$rivers_first}"
      export MASTER_PORT=$((15000 + SLURM_JOB_ID % 15000))
      export WORLD_SIZE="$SLURM_NTASKS" NNODES="$SLURM_JOB_NUM_NODES"
      srun --kill-on-bad-exit=1 /bin/sh -c 'export RANK="$SLURM_PROCID" LOCAL_RANK="$SLURM_LOCALID" NODE_RANK="$SLURM_NODEID" WORLD_SIZE="$SLURM_NTASKS"; exec "$@"' rivers-task python3 train.py '--name=it'\\''s'
      code=$?
      [ -n "$rivers_sampler" ] && { kill "$rivers_sampler" 2>/dev/null; wait "$rivers_sampler" 2>/dev/null; }
      printf '{"code":%d}\\n' "$code" > /jobs/r1/model/torch/attempt-1/exit.json
      exit "$code"
      "
    `)
    expect(batchScript({ ...spec, request: { nodes: 1, gpusPerNode: 1 } }, {})).toContain('\npython3 train.py ')
  })

  it('runs Slurm commands over SSH as one quoted remote command, never prompting', () => {
    expect(slurmArgv(['sbatch', '--parsable'], undefined)).toEqual(['sbatch', '--parsable'])
    expect(
      slurmArgv(['scontrol', 'show', 'job', '-o', '42'], {
        host: 'login1',
        user: 'ana',
        port: 2222,
        identityFile: '~/.ssh/hpc',
        options: ['-o', 'ConnectTimeout=10'],
      }),
    ).toEqual([
      'ssh',
      '-o',
      'BatchMode=yes',
      '-p',
      '2222',
      '-i',
      '~/.ssh/hpc',
      '-o',
      'ConnectTimeout=10',
      'ana@login1',
      '--',
      'scontrol show job -o 42',
    ])
    expect(slurmArgv(['squeue', '-o', '%T %r'], { host: 'h' }).at(-1)).toBe(`squeue -o '%T %r'`)
    expect([shellQuote('a b'), shellQuote("it's"), shellQuote('plain-1.0/x')]).toEqual([
      "'a b'",
      `'it'\\''s'`,
      'plain-1.0/x',
    ])
  })

  it('maps every Slurm state onto Rivers states', () => {
    const table = Object.fromEntries(
      [
        'PENDING',
        'RUNNING',
        'COMPLETED',
        'FAILED',
        'CANCELLED',
        'CANCELLED by 0',
        'TIMEOUT',
        'OUT_OF_MEMORY',
        'NODE_FAIL',
        'PREEMPTED',
        'COMPLETING',
        'CONFIGURING',
        'BOOT_FAIL',
        'DEADLINE',
        'REQUEUED',
        'SPECIAL_EXIT',
      ].map((s) => [s, mapSlurmState(s)]),
    )
    expect(table).toEqual({
      PENDING: 'pending',
      RUNNING: 'running',
      COMPLETED: 'succeeded',
      FAILED: 'failed',
      CANCELLED: 'cancelled',
      'CANCELLED by 0': 'cancelled',
      TIMEOUT: 'timeout',
      OUT_OF_MEMORY: 'oom',
      NODE_FAIL: 'node_fail',
      PREEMPTED: 'preempted',
      COMPLETING: 'running',
      CONFIGURING: 'pending',
      BOOT_FAIL: 'node_fail',
      DEADLINE: 'timeout',
      REQUEUED: 'pending',
      SPECIAL_EXIT: 'failed',
    })
  })

  it('reads scontrol, sinfo, GRES strings, durations and exit codes', () => {
    const f = parseScontrol(
      'JobId=42 JobName=rivers:model/torch x UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=3:0 StartTime=2026-11-26T13:28:53 NodeList=n[1-2] TresPerNode=gres:gpu:fake:2\n',
    )
    expect([f.JobId, f.JobName, f.JobState, f.Reason, f.ExitCode, f.NodeList, f.TresPerNode]).toEqual([
      '42',
      'rivers:model/torch x',
      'FAILED',
      'NonZeroExitCode',
      '3:0',
      'n[1-2]',
      'gres:gpu:fake:2',
    ])
    expect(
      parseSinfo(
        'n1|4|4000|gpu:fake:2|debug*|1:00:00|idle\nn2|64|512000|gpu:a100:4(S:0-1),gpu:v100:2|gpu|2-00:00:00|mix*\n',
      ),
    ).toEqual([
      {
        name: 'n1',
        cpus: 4,
        memoryMiB: 4000,
        gpus: { fake: 2 },
        partition: 'debug',
        isDefault: true,
        timeLimitMs: 3_600_000,
        state: 'idle',
      },
      {
        name: 'n2',
        cpus: 64,
        memoryMiB: 512000,
        gpus: { a100: 4, v100: 2 },
        partition: 'gpu',
        isDefault: false,
        timeLimitMs: 172_800_000,
        state: 'mix',
      },
    ])
    expect([parseGres('gpu:2'), parseGres('(null)'), parseGres('gpu:a100:1,mps:100')]).toEqual([
      { '': 2 },
      {},
      { a100: 1 },
    ])
    expect(['30', '5:30', '1:00:00', '1-12', 'infinite'].map(parseSlurmDuration)).toEqual([
      1_800_000,
      330_000,
      3_600_000,
      129_600_000,
      Infinity,
    ])
    expect(['0:0', '3:0', '0:9', 'x'].map(parseExitCode)).toEqual([0, 3, 137, undefined])
  })
})

const slurmUp = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 10_000 })
const slurmWorks = slurmUp.status === 0 && slurmUp.stdout.trim() !== ''
const why =
  slurmUp.error !== undefined
    ? `sinfo could not start (${slurmUp.error.message})`
    : `sinfo exited with ${slurmUp.status}: ${(slurmUp.stderr ?? '').trim()}`

if (!slurmWorks) {
  describe('real Slurm', () => {
    if (process.env.CI === 'true') {
      it('runs in CI', () => {
        throw new Error(
          `CI=true but Slurm is not running (${why}). Start the test cluster first: sudo .ci/slurm/setup.sh`,
        )
      })
    } else {
      it.skip(`skipped: Slurm is not running (${why}); start it with: sudo .ci/slurm/setup.sh`, () => undefined)
    }
  })
} else {
  const work = tempDir('rivers-slurm-')
  const stats = { jobs: 0, startLatencyMs: [] as number[] }
  const make = () => new SlurmLauncher({ pollIntervalMs: 200, sinfoCacheMs: 5_000 })
  afterAll(() => {
    const l = [...stats.startLatencyMs].sort((a, b) => a - b)
    const median = l[Math.floor(l.length / 2)]
    console.log(
      `[slurm] jobs run: ${stats.jobs}; submit -> start latency over ${l.length} jobs: median ${median} ms, min ${l[0]} ms, max ${l[l.length - 1]} ms`,
    )
  })

  launcherConformance(
    'slurm',
    (): ConformanceSetup => ({
      make,
      setting: { type: 'slurm', pollInterval: 200 },
      runnable: { nodes: 1, gpusPerNode: 1 },
      runnableResources: { gpus: 1 },
      unschedulable: [
        { resources: { gpus: 3 }, mentions: /asks for 3 GPUs, but the largest node of partition 'debug' has 2/ },
        {
          resources: { gpus: 1, gpuType: 'a100' },
          mentions: /asks for GPU type 'a100', but partition 'debug' has GPU types 'fake'/,
        },
        {
          resources: { nodes: 3, gpusPerNode: 1 },
          mentions: /asks for 3 nodes with 1 GPU each, but partition 'debug' has 2 such nodes/,
        },
        {
          resources: { timeLimit: '2h' },
          mentions: /asks for a time limit of 2h, but partition 'debug' allows at most 1h/,
        },
        {
          resources: { memory: '8Gi' },
          mentions: /asks for 8Gi of memory, but the largest node of partition 'debug' has 3\.91Gi/,
        },
      ],
      jobTimeoutMs: 30_000,
      workDir: work,
      stats,
    }),
    180_000,
  )

  describe('Slurm specifics (real cluster)', () => {
    const quiet = () => ({ signal: new AbortController().signal, log: memoryLogger().log })

    it('runs a multi-node job with srun on every node, each with its own GPUs', async () => {
      const launcher = make()
      const dir = path.join(work(), 'multi')
      mkdirSync(dir, { recursive: true })
      const request: ResourceRequest = { nodes: 2, gpusPerNode: 1 }
      await launcher.validate(request, { assetKey: 'multi', kind: 'command' })
      const ranks = shellJob(
        dir,
        'ranks',
        'echo "rank=$SLURM_PROCID node=$SLURMD_NODENAME gpus=$CUDA_VISIBLE_DEVICES"',
        request,
      )
      const handle = await launcher.submit(ranks, jobContext(ranks))
      stats.jobs++
      const final = await superviseJob(launcher, handle, quiet())
      expect(final.state).toBe('succeeded')
      expect(final.nodes).toBe('n[1-2]')
      const lines = readFileSync(handle.stdoutPath, 'utf8').trim().split('\n').sort()
      expect(lines).toEqual(['rank=0 node=n1 gpus=0', 'rank=1 node=n2 gpus=0'])
    }, 60_000)

    it('queues GPU jobs in Slurm when the GRES run out, and starts them when GPUs free up', async () => {
      const launcher = make()
      const dir = path.join(work(), 'gres-queue')
      mkdirSync(dir, { recursive: true })
      // Each job takes both GPUs of a node; the cluster has two nodes: at most two run at once.
      const whole: ResourceRequest = { nodes: 1, gpusPerNode: 2 }
      const jobs = await Promise.all(
        [0, 1, 2].map((i) => {
          const job = shellJob(
            dir,
            `q${i}`,
            `echo "$(date +%s%N) $SLURMD_NODENAME $CUDA_VISIBLE_DEVICES" > ${dir}/t${i}; sleep 2; echo "$(date +%s%N)" >> ${dir}/t${i}`,
            whole,
          )
          return launcher.submit(job, jobContext(job))
        }),
      )
      stats.jobs += 3
      const pendingReasons: string[] = []
      const finals = await Promise.all(
        jobs.map((h) =>
          superviseJob(launcher, h, {
            ...quiet(),
            onStatus: (st) =>
              void (st.state === 'pending' && st.reason !== undefined && pendingReasons.push(st.reason)),
          }),
        ),
      )
      expect(finals.map((f) => f.state)).toEqual(['succeeded', 'succeeded', 'succeeded'])
      // One of them waited in Slurm's queue for GPUs (other tests may share the cluster: Resources or Priority).
      expect(pendingReasons.some((r) => /Resources|Priority/.test(r))).toBe(true)
      const spans = [0, 1, 2].map((i) => {
        const [start, end] = readFileSync(path.join(dir, `t${i}`), 'utf8')
          .trim()
          .split('\n')
        const [t0, node, gpus] = start!.split(' ')
        return {
          node: node!,
          gpus: gpus!,
          start: Number(BigInt(t0!) / 1_000_000n),
          end: Number(BigInt(end!) / 1_000_000n),
        }
      })
      expect(spans.map((x) => x.gpus)).toEqual(['0,1', '0,1', '0,1'])
      // Never three at once, and never two on the same node's GPUs at once.
      const overlap = (a: (typeof spans)[number], b: (typeof spans)[number]): boolean =>
        a.start < b.end && b.start < a.end
      expect(overlap(spans[0]!, spans[1]!) && overlap(spans[1]!, spans[2]!) && overlap(spans[0]!, spans[2]!)).toBe(
        false,
      )
      for (const [a, b] of [
        [0, 1],
        [1, 2],
        [0, 2],
      ] as const)
        if (spans[a]!.node === spans[b]!.node) expect(overlap(spans[a]!, spans[b]!)).toBe(false)
    }, 90_000)

    it('cancels a pending job that can never start, instead of waiting forever', async () => {
      const launcher = make()
      const dir = path.join(work(), 'never')
      mkdirSync(dir, { recursive: true })
      // Bypasses validate (which would refuse it): 2 hours in a 1-hour partition pends forever.
      const tooLong = shellJob(dir, 'too-long', 'true', { nodes: 1, gpusPerNode: 0, timeLimitMs: 2 * 3_600_000 })
      const handle = await launcher.submit(tooLong, jobContext(tooLong))
      stats.jobs++
      const final = await superviseJob(launcher, handle, quiet())
      expect([final.state, final.stoppedBy]).toEqual(['cancelled', 'never_starts'])
    }, 60_000)

    it('maps the exit status of a job Slurm has forgotten from its folder', async () => {
      const launcher = make()
      const dir = path.join(work(), 'forgotten')
      mkdirSync(dir, { recursive: true })
      writeFileSync(path.join(dir, 'exit.json'), '{"code":0}\n')
      const handle = {
        launcher: 'slurm',
        id: '99999999',
        jobDir: dir,
        stdoutPath: path.join(dir, 'o'),
        stderrPath: path.join(dir, 'e'),
        submittedAt: new Date().toISOString(),
      }
      expect((await launcher.status(handle)).state).toBe('succeeded')
      expect(await launcher.reattach({ ...handle, jobDir: path.join(dir, 'none') })).toBeUndefined()
    })

    it('samples GPU utilisation and memory on the node into gpu_util and gpu_mem_mb (fake nvidia-smi)', async () => {
      const dir = path.join(work(), 'telemetry')
      const bin = path.join(dir, 'bin')
      mkdirSync(bin, { recursive: true })
      writeFileSync(
        path.join(bin, 'nvidia-smi'),
        `#!/bin/sh\necho "$*" >> ${JSON.stringify(path.join(dir, 'calls'))}\nfor i in $(echo "$4" | tr , ' '); do echo "$(( (i + 1) * 10 )), 512"; done\n`,
        { mode: 0o755 },
      )
      vi.stubEnv('PATH', `${bin}${path.delimiter}${process.env.PATH ?? ''}`)
      vi.stubEnv('RIVERS_GPU_SAMPLE_SECONDS', '0.3')
      const job = asset({
        key: 'gpu/sampled',
        command: ['/bin/sh', '-c', 'sleep 1.5; echo "{}" > "$RIVERS_OUTPUT"'],
        resources: { gpus: 1 },
        launcher: { type: 'slurm', pollInterval: '200ms' },
      })
      const ws = await openWorkspace(defineProject({ assets: [job] }), {
        storeDir: path.join(dir, 'store'),
        logLevel: 'silent',
      })
      try {
        expect((await ws.materialize()).failed).toEqual([])
        const [record] = (await ws.show('gpu/sampled')).history
        const util = record!.metrics.filter((m) => m.name === 'gpu_util')
        expect(util.length).toBeGreaterThanOrEqual(2)
        // The node's GPU (SLURM_JOB_GPUS) is the one sampled: utilisation 10·(index+1).
        const index = /-i (\d+)/.exec(readFileSync(path.join(dir, 'calls'), 'utf8'))![1]!
        expect(util.every((m) => m.value === (Number(index) + 1) * 10)).toBe(true)
        expect(record!.metrics.filter((m) => m.name === 'gpu_mem_mb').every((m) => m.value === 512)).toBe(true)
      } finally {
        vi.unstubAllEnvs()
        await ws.close()
      }
      stats.jobs++
    })

    it('refuses, before the run, a function asset whose worker command is unusable (it runs as a job now)', async () => {
      const fn = asset({ key: 'fn/gpu', resources: { gpus: 1 }, launcher: 'slurm' }, () => 1)
      const ws = await openWorkspace(defineProject({ assets: [fn] }), {
        storeDir: path.join(work(), 'fn-store'),
        logLevel: 'silent',
      })
      vi.stubEnv('RIVERS_WORKER_COMMAND', 'node assets.mjs')
      try {
        await expect(ws.materialize()).rejects.toThrow(
          /Asset 'fn\/gpu': RIVERS_WORKER_COMMAND is "node assets.mjs", not a JSON array/,
        )
      } finally {
        vi.unstubAllEnvs()
        await ws.close()
      }
      expect(existsSync(path.join(work(), 'fn-store', 'jobs'))).toBe(false)
    })
  })
}
