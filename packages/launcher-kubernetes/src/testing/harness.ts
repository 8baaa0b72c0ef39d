/**
 * For this package's tests: a replay API server per test (`replay.ts`), a temporary folder, and the
 * helpers the recorded-response tests share.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { jobContext, memoryLogger, shellJob } from '@rivers-orchestrator/conformance'
import { type JobSpec, type ResourceRequest, superviseJob } from '@rivers-orchestrator/rivers/plugin'
import { afterEach, beforeEach } from 'vitest'

import { KubernetesLauncher, type KubernetesLauncherOptions } from '../index.js'
import { jobName } from '../manifest.js'
import { fixture, type Reply, ReplayServer } from './replay.js'

/** The namespace, image and API paths the recorded-response tests use. */
export const NS = 'ml'
export const IMAGE = 'ghcr.io/acme/train:1.2'
export const JOBS = `/apis/batch/v1/namespaces/${NS}/jobs`
export const PODS = `/api/v1/namespaces/${NS}/pods`

/** What `replayHarness` gives each test. */
export interface Harness {
  api: ReplayServer
  dir: string
  /** A launcher on the replay server (namespace `ml`, polling every 5 ms). */
  make(extra?: KubernetesLauncherOptions): KubernetesLauncher
  /** A job, its Job's name, a fixture loader with its tokens filled in, its pod's name; POST of Jobs answered. */
  prepared(
    name: string,
    request?: ResourceRequest,
  ): { job: JobSpec; name: string; f: (file: string) => Reply; pod: string }
  /** Submits and supervises a job to its end. */
  supervise(
    launcher: KubernetesLauncher,
    job: JobSpec,
    signal?: AbortSignal,
  ): Promise<{ final: Awaited<ReturnType<typeof superviseJob>>; lines: Record<string, unknown>[] }>
}

/**
 * Registers a fresh replay server and folder before each test of the file.
 *
 * @example
 * const h = replayHarness()
 * // in a test: const { job, name, f } = h.prepared('train')
 */
export function replayHarness(): Harness {
  const h = {} as Harness
  beforeEach(async () => {
    h.api = await ReplayServer.start()
    h.dir = mkdtempSync(path.join(tmpdir(), 'rivers-k8s-'))
  })
  afterEach(() => h.api.close())
  h.make = (extra = {}) =>
    new KubernetesLauncher({ namespace: NS, image: IMAGE, pollIntervalMs: 5, ...extra }, h.api.kubeConfig(NS))
  h.prepared = (name, request = { nodes: 1, gpusPerNode: 0 }) => {
    const job = shellJob(h.dir, name, 'python3 train.py', request)
    const k8sName = jobName(job.runId, job.assetKey, 1, job.jobDir, request.nodes > 1 ? 59 : 63)
    const f = (file: string): Reply => ({ body: fixture(file, { JOB: k8sName, NAMESPACE: NS, IMAGE }) })
    h.api.on('POST', JOBS, f('job-created.json'))
    return { job, name: k8sName, f, pod: `${k8sName}-x7k2p` }
  }
  h.supervise = async (launcher, job, signal = new AbortController().signal) => {
    const handle = await launcher.submit(job, jobContext(job))
    const { log, lines } = memoryLogger()
    const final = await superviseJob(launcher, handle, { signal, log, stopWaitMs: 5_000 })
    return { final, lines }
  }
  return h
}
