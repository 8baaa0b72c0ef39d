/**
 * The Kubernetes launcher against recorded API responses (see `replay.test.ts`): what it refuses
 * before the run from the cluster's node list and the kubeconfig, and multi-node jobs as Indexed
 * Jobs with a headless Service.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { KubernetesLauncher, RANKS, WRAPPER } from './index.js'
import { IMAGE, JOBS, NS, PODS, replayHarness } from './testing/harness.js'
import { fixture } from './testing/replay.js'

const h = replayHarness()

describe('Kubernetes launcher (recorded API responses): refusals, kubeconfig, multi-node', () => {
  it('refuses before the run what no node has, from the node list; lets the scheduler decide without the right to list nodes', async () => {
    h.api.on('GET', '/api/v1/nodes', { body: fixture('nodes-gpu.json') })
    const launcher = h.make()
    const target = { assetKey: 'model', kind: 'command' as const }
    await launcher.validate({ nodes: 1, gpusPerNode: 2, cpus: 16, memoryBytes: 2 ** 37 }, target)
    await expect(launcher.validate({ nodes: 1, gpusPerNode: 4 }, target)).rejects.toThrow(
      /Asset 'model' asks for 4 GPUs \(nvidia.com\/gpu\), but the largest node of the cluster at http:\/\/127.0.0.1:\d+ \(2 schedulable nodes\) has 2/,
    )
    await expect(launcher.validate({ nodes: 1, gpusPerNode: 0, cpus: 64 }, target)).rejects.toThrow(
      /asks for 64 CPUs, .* can allocate 31.5/,
    )
    await expect(launcher.validate({ nodes: 2, gpusPerNode: 1 }, target)).rejects.toThrow(
      /asks for 2 nodes, but only 1 node of the cluster at \S+ \(2 schedulable nodes\) can take one of its pods \(one pod per node\)/,
    )
    await launcher.validate({ nodes: 2, gpusPerNode: 0, cpus: 2 }, target)
    await launcher.validate({ nodes: 1, gpusPerNode: 1, gpuType: 'NVIDIA-A100-SXM4-80GB' }, target)
    await expect(launcher.validate({ nodes: 1, gpusPerNode: 1, gpuType: 'H100' }, target)).rejects.toThrow(
      /asks for GPU type 'H100', but no node of the cluster .* has the labels nvidia.com\/gpu.product=H100 \(GPU types: 'NVIDIA-A100-SXM4-80GB'\)/,
    )
    await expect(
      h.make({ nodeSelector: { pool: 'gpu' } }).validate({ nodes: 1, gpusPerNode: 0 }, target),
    ).rejects.toThrow(/is to run on nodes labelled pool=gpu, but no node of the cluster/)
    await launcher.validate({ nodes: 1, gpusPerNode: 1, cpus: 2, memoryBytes: 2 ** 30 }, target)
    h.api.on('GET', '/api/v1/nodes', { status: 403, body: fixture('status-forbidden-nodes.json') })
    await h.make().validate({ nodes: 1, gpusPerNode: 8 }, target)
    await expect(
      new KubernetesLauncher({ namespace: NS }, h.api.kubeConfig()).validate({ nodes: 1, gpusPerNode: 0 }, target),
    ).rejects.toThrow(/image is missing \(asset 'model' runs as a Kubernetes Job/)
  })

  it('takes the namespace from the kubeconfig context, and refuses without one, naming the asset and the setting', async () => {
    const kc = h.api.kubeConfig('from-context')
    expect(new KubernetesLauncher({ image: IMAGE }, kc).client().namespace).toBe('from-context')
    kc.loadFromString(
      JSON.stringify({
        ...JSON.parse(kc.exportConfig()),
        contexts: [{ name: 'replay', context: { cluster: 'replay', user: 'replay' } }],
      }),
    )
    await expect(
      new KubernetesLauncher({ image: IMAGE, checkResources: false }, kc).validate(
        { nodes: 1, gpusPerNode: 0 },
        { assetKey: 'model', kind: 'command' },
      ),
    ).rejects.toThrow(
      "Kubernetes launcher settings: namespace is missing (needed by 'model'), and the context of the default kubeconfig names none.\nFix: set launcher.namespace",
    )
    await expect(
      new KubernetesLauncher({ image: IMAGE, kubeconfig: path.join(h.dir, 'missing.yaml') }).validate(
        { nodes: 1, gpusPerNode: 0 },
        { assetKey: 'model', kind: 'command' },
      ),
    ).rejects.toThrow(
      /The kubernetes launcher is not usable \(needed by 'model'\): the API server at \(.*missing.yaml\) cannot be configured: ENOENT/,
    )
  })

  it('runs a multi-node job as an Indexed Job with a headless Service, ranks from the completion index; a failed rank fails it', async () => {
    const request = { nodes: 2, gpusPerNode: 4, cpus: 16 }
    const { job, name, f } = h.prepared('ddp', request)
    h.api.on('POST', `/api/v1/namespaces/${NS}/services`, { status: 201, ...f('service-created.json') })
    h.api.on('GET', `${JOBS}/${name}`, f('job-active.json'), f('job-active.json'), f('job-failed.json'))
    h.api.on(
      'GET',
      PODS,
      f('pods-indexed-running.json'),
      f('pods-indexed-running.json'),
      f('pods-indexed-rank1-failed.json'),
    )
    h.api.on('GET', `${PODS}/${name}-0-q2w8r/log`, { body: '2026-12-06T09:00:02.000031Z rank 0 ready\n' })
    const { final, lines } = await h.supervise(h.make(), job)
    expect(final).toMatchObject({ state: 'failed', exitCode: 2, nodes: 'gpu-node-2' })
    expect(lines.some((l) => l.msg === 'rank 0 ready')).toBe(true) // rank 0's log
    expect(name.length).toBeLessThanOrEqual(59) // pod hostnames add -<index>
    expect(h.api.sequence().slice(0, 3)).toEqual([
      `POST ${JOBS}`,
      `POST /api/v1/namespaces/${NS}/services`,
      `GET ${JOBS}/${name}`,
    ])
    const body = h.api.requests.find((r) => r.path === JOBS)!.body as any
    expect(body.spec).toMatchObject({ completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimit: 0 })
    const pod = body.spec.template.spec
    expect(pod.subdomain).toBe(name)
    expect(body.spec.template.metadata.labels['rivers-orchestrator.io/job']).toBe(name)
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: { matchLabels: { 'rivers-orchestrator.io/job': name } }, topologyKey: 'kubernetes.io/hostname' },
    ])
    const c = pod.containers[0]
    expect(c.command.slice(0, 3)).toEqual(['/bin/sh', '-c', RANKS + WRAPPER])
    expect(c.resources.limits['nvidia.com/gpu']).toBe('4')
    const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]))
    expect([env.MASTER_ADDR, env.WORLD_SIZE, env.NNODES]).toEqual([`${name}-0.${name}`, '2', '2'])
    expect(Number(env.MASTER_PORT)).toBeGreaterThanOrEqual(15000)
    const svc = h.api.requests.find((r) => r.path.endsWith('/services'))!.body as any
    expect(svc.spec).toEqual({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { 'rivers-orchestrator.io/job': name },
    })
    // Owned by the Job (its uid from the create answer): deleted with it.
    expect(svc.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name,
        uid: '5f0d3c1e-8a2b-4c61-9d0e-2b7a1c3e4f50',
        blockOwnerDeletion: true,
      },
    ])
  })

  it('runs the ranks as a shell would: RANK and NODE_RANK from JOB_COMPLETION_INDEX', () => {
    const out = execFileSync('/bin/sh', ['-c', RANKS + 'echo "$RANK $NODE_RANK $LOCAL_RANK"'], {
      env: { ...process.env, JOB_COMPLETION_INDEX: '1' },
    }).toString()
    expect(out).toBe('1 1 0\n')
  })
})
