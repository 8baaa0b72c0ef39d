/**
 * The Ray launcher against a real Ray head (`ray start --head` from PyPI, `.ci/ray/setup.sh`): the
 * launcher conformance suite, the resources Ray receives, GPU requests refused on a cluster without
 * GPUs, the time limit. Needs RIVERS_TEST_RAY_URL: skipped without it on a developer's machine,
 * failing without it in CI.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import {
  type ConformanceSetup,
  jobContext,
  launcherConformance,
  memoryLogger,
  shellJob,
  tempDir,
  waitFor,
} from '@rivers-orchestrator/conformance'
import { superviseJob } from '@rivers-orchestrator/rivers/plugin'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

import { RayLauncher } from './index.js'
import { rayUnavailable, testRayUrl } from './testing.js'

// Real Ray jobs on a loaded 2-core machine.
vi.setConfig({ testTimeout: 60_000 })

const why = rayUnavailable()

if (why !== undefined) {
  describe('real Ray', () => {
    if (process.env.CI === 'true') it('runs in CI', () => expect.fail(`CI=true but ${why}`))
    else it.skip(`skipped: ${why}`, () => undefined)
  })
} else {
  const url = testRayUrl()!
  const work = tempDir('rivers-ray-')
  const stats = { jobs: 0, startLatencyMs: [] as number[] }
  const make = () => new RayLauncher({ address: url, pollIntervalMs: 200, nodesCacheMs: 5_000 })

  // The suite's restart test runs a driver script that imports only the library: the driver
  // registers the Ray launcher through a preload, as `node --import
  // @rivers-orchestrator/launcher-ray/register` would. The preload imports register.ts in the main
  // thread only (tsx first, so that a .ts module loads): pino's logging worker thread runs the
  // preloads too, and compiling TypeScript there (a cold tsx cache, as on a fresh CI machine) while
  // the main thread waits on that worker deadlocks.
  const register = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'register.ts')).href
  const nodeOptions = process.env.NODE_OPTIONS
  beforeAll(() => {
    const preload = path.join(work(), 'register-ray.mjs')
    writeFileSync(
      preload,
      `import { isMainThread } from 'node:worker_threads'\nif (isMainThread) await import(${JSON.stringify(register)})\n`,
    )
    // tsx by its absolute path: some of the suite's processes start outside the repository.
    const tsx = pathToFileURL(realpathSync(createRequire(import.meta.url).resolve('tsx'))).href
    process.env.NODE_OPTIONS = `${nodeOptions ?? ''} --import ${tsx} --import ${pathToFileURL(preload).href}`.trim()
  })
  afterAll(() => {
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS
    else process.env.NODE_OPTIONS = nodeOptions
    const l = [...stats.startLatencyMs].sort((a, b) => a - b)
    console.log(
      `[ray] jobs run: ${stats.jobs}; submit -> running latency over ${l.length} jobs: median ${l[Math.floor(l.length / 2)]} ms, min ${l[0]} ms, max ${l[l.length - 1]} ms`,
    )
  })

  launcherConformance(
    'ray',
    (): ConformanceSetup => ({
      make,
      setting: { type: 'ray', address: url, pollInterval: 200 },
      runnable: { nodes: 1, gpusPerNode: 0, cpus: 1 },
      runnableResources: { cpus: 1 },
      unschedulable: [
        {
          resources: { gpus: 1 },
          mentions:
            /asks for 1 GPU, but the Ray cluster at http:\/\/127\.0\.0\.1:\d+ has no GPUs \(1 node: CPU 2, GPU 0, memory /,
        },
        {
          resources: { cpus: 64 },
          mentions: /asks for 64 CPUs, but the largest node of the Ray cluster at \S+ has 2 \(1 node: CPU 2, GPU 0/,
        },
        {
          resources: { memory: '64Ti' },
          mentions: /asks for 64Ti of memory, but the largest node of the Ray cluster at \S+ has [\d.]+Gi \(1 node/,
        },
        {
          resources: { nodes: 2, gpusPerNode: 0 },
          mentions: /cannot honour resources.nodes \(2\): a Ray job runs its entrypoint as one process on one node/,
        },
      ],
      jobTimeoutMs: 30_000,
      workDir: work,
      stats,
    }),
    120_000,
  )

  describe('Ray specifics (real head)', () => {
    const quiet = () => ({ signal: new AbortController().signal, log: memoryLogger().log })

    it('submits the asset resources as the entrypoint resources Ray schedules by', async () => {
      const launcher = make()
      const dir = work()
      const go = path.join(dir, 'go-resources')
      const usage = async (): Promise<Record<string, [number, number]>> => {
        const r = (await (await fetch(`${url}/api/cluster_status`)).json()) as {
          data: { clusterStatus: { loadMetricsReport: { usage: Record<string, [number, number]> } } }
        }
        return r.data.clusterStatus.loadMetricsReport.usage
      }
      const big = shellJob(dir, 'resources', `while [ ! -f ${go} ]; do sleep 0.05; done`, {
        nodes: 1,
        gpusPerNode: 0,
        cpus: 2,
        memoryBytes: 64 * 2 ** 20,
      })
      const small = shellJob(dir, 'resources-queued', 'echo ran', { nodes: 1, gpusPerNode: 0, cpus: 1 })
      const bigHandle = await launcher.submit(big, jobContext(big))
      try {
        await waitFor(launcher, bigHandle, (s) => s === 'running', 30_000)
        // Ray holds the entrypoint's CPUs and memory while it runs…
        for (const until = Date.now() + 10_000; (await usage()).CPU?.[0] !== 2 && Date.now() < until; )
          await new Promise((r) => setTimeout(r, 200))
        const held = await usage()
        expect(held.CPU).toEqual([2, 2])
        expect(held.memory?.[0]).toBe(64 * 2 ** 20)
        // …so a job asking for one more CPU waits for them.
        const smallHandle = await launcher.submit(small, jobContext(small))
        await new Promise((r) => setTimeout(r, 2_000))
        expect((await launcher.status(smallHandle)).state).toBe('pending')
        writeFileSync(go, '')
        expect((await superviseJob(launcher, bigHandle, quiet())).state).toBe('succeeded')
        expect((await superviseJob(launcher, smallHandle, quiet())).state).toBe('succeeded')
      } finally {
        writeFileSync(go, '')
      }
    })

    it('a second submission of the same attempt follows the first job instead of running it again', async () => {
      const launcher = make()
      const dir = work()
      const job = shellJob(dir, 'twice', `echo run >> ${path.join(dir, 'twice-runs')}`, { nodes: 1, gpusPerNode: 0 })
      const first = await launcher.submit(job, jobContext(job))
      const { log, lines } = memoryLogger()
      const second = await make().submit(job, jobContext(job, { log }))
      expect(second.id).toBe(first.id)
      expect(lines.map((l) => l.msg)).toContain(
        `ray job ${first.id} was already submitted for this attempt; following it`,
      )
      expect((await superviseJob(launcher, second, quiet())).state).toBe('succeeded')
      expect(readFileSync(path.join(dir, 'twice-runs'), 'utf8')).toBe('run\n')
    })

    it('refuses a GPU request before submitting, naming the asset and what the cluster has', async () => {
      const err = await make()
        .validate({ nodes: 1, gpusPerNode: 2, gpuType: 'A100' }, { assetKey: 'model/torch', kind: 'command' })
        .catch((e: unknown) => e as Error & { exitCode: number; code: string })
      expect(err).toBeInstanceOf(Error)
      expect([err!.code, err!.exitCode]).toEqual(['RIVERS_UNSCHEDULABLE', 2])
      expect(err!.message.replace(/memory [\d.]+\w+/, 'memory <M>').replace(/:\d+/, ':<port>')).toBe(
        "Asset 'model/torch' asks for 2 GPUs, but the Ray cluster at http://127.0.0.1:<port> has no GPUs (1 node: CPU 2, GPU 0, memory <M>): the ray launcher can never run it.\n" +
          'Fix: set resources.gpus to 0, add GPU nodes to the cluster (ray start --num-gpus=N), or set launcher.checkResources to false for an autoscaling cluster.',
      )
    })

    it('ends a job at the asset time limit as timeout', async () => {
      const launcher = make()
      const job = shellJob(work(), 'time-limit', 'echo started; sleep 30', {
        nodes: 1,
        gpusPerNode: 0,
        timeLimitMs: 1_000,
      })
      const handle = await launcher.submit(job, jobContext(job))
      const t0 = Date.now()
      const final = await superviseJob(launcher, handle, quiet())
      expect([final.state, final.exitCode]).toEqual(['timeout', 124])
      expect(final.reason).toMatch(/timeLimit/)
      expect(Date.now() - t0).toBeLessThan(20_000)
    })
  })
}
