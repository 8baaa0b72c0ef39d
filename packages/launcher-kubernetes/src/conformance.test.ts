/**
 * The launcher conformance suite against the Kubernetes launcher, on a scenario-driven replay of a
 * one-node cluster (`testing/cluster.ts`): the API answers are the recorded objects of
 * `test/fixtures/`, moved through their states by the Job's command run as a local process. No real
 * API server runs here or in CI; what needs one (image pulls, scheduling, resource limits,
 * deadlines, eviction) is covered by the recorded-response tests instead.
 */
import { realpathSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { type ConformanceSetup, launcherConformance, tempDir } from '@rivers-orchestrator/conformance'
import { afterAll, beforeAll, vi } from 'vitest'

import { KubernetesLauncher } from './index.js'
import { FakeCluster } from './testing/cluster.js'

vi.setConfig({ testTimeout: 60_000 })

const work = tempDir('rivers-k8s-conformance-')
const cluster = await FakeCluster.start('rivers-test')
let kubeconfig = ''

// The suite's restart and function tests start processes that import only the library: they
// register the launcher through a preload, as `node --import @rivers-orchestrator/launcher-kubernetes/register`
// would (main thread only: pino's worker thread runs preloads too; see launcher-ray's ray.test.ts).
const register = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'register.ts')).href
const nodeOptions = process.env.NODE_OPTIONS
beforeAll(() => {
  const preload = path.join(work(), 'register-kubernetes.mjs')
  writeFileSync(
    preload,
    `import { isMainThread } from 'node:worker_threads'\nif (isMainThread) await import(${JSON.stringify(register)})\n`,
  )
  const tsx = pathToFileURL(realpathSync(createRequire(import.meta.url).resolve('tsx'))).href
  process.env.NODE_OPTIONS = `${nodeOptions ?? ''} --import ${tsx} --import ${pathToFileURL(preload).href}`.trim()
})
afterAll(async () => {
  if (nodeOptions === undefined) delete process.env.NODE_OPTIONS
  else process.env.NODE_OPTIONS = nodeOptions
  await cluster.close()
})

launcherConformance(
  'kubernetes (replayed cluster)',
  (): ConformanceSetup => {
    kubeconfig = cluster.api.kubeConfigFile(work())
    return {
      make: () =>
        new KubernetesLauncher(
          { image: 'local/rivers-test:1', pollIntervalMs: 50 },
          cluster.api.kubeConfig('rivers-test'),
        ),
      setting: { type: 'kubernetes', kubeconfig, image: 'local/rivers-test:1', pollInterval: 50 },
      runnable: { nodes: 1, gpusPerNode: 0, cpus: 1 },
      runnableResources: { cpus: 1 },
      unschedulable: [
        {
          resources: { gpus: 1 },
          mentions:
            /asks for 1 GPU \(nvidia.com\/gpu\), but no node of the cluster at http:\/\/127.0.0.1:\d+ \(1 schedulable node\) has nvidia.com\/gpu/,
        },
        {
          resources: { cpus: 4096 },
          mentions:
            /asks for 4096 CPUs, but the largest node of the cluster at \S+ \(1 schedulable node\) can allocate \d+/,
        },
        {
          resources: { memory: '64Ti' },
          mentions: /asks for 64Ti of memory, but the largest node of the cluster at \S+ .* can allocate [\d.]+Gi/,
        },
        {
          resources: { nodes: 2, gpusPerNode: 0 },
          mentions:
            /asks for 2 nodes, but only 1 node of the cluster at \S+ \(1 schedulable node\) can take one of its pods/,
        },
      ],
      jobTimeoutMs: 30_000,
      workDir: work,
    }
  },
  120_000,
)
