/**
 * The Kubernetes launcher against recorded API responses: a replay server on 127.0.0.1 serves Job,
 * Pod, PodList, NodeList and Status objects written from the API reference of batch/v1 and core/v1
 * (`test/fixtures/`), and records the requests the launcher makes. No real API server runs here or in
 * CI: these tests check the Job the launcher creates and how it reads what the cluster answers.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { jobContext, memoryLogger, shellJob } from '@rivers-orchestrator/conformance'
import { type JobSpec, type ResourceRequest, superviseJob } from '@rivers-orchestrator/rivers/plugin'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { jobName, KubernetesLauncher, RANKS, WRAPPER } from './index.js'
import { fixture, notFound, ReplayServer } from './testing/replay.js'

const NS = 'ml'
const IMAGE = 'ghcr.io/acme/train:1.2'
const JOBS = `/apis/batch/v1/namespaces/${NS}/jobs`
const PODS = `/api/v1/namespaces/${NS}/pods`
let api: ReplayServer
let dir: string

beforeEach(async () => {
  api = await ReplayServer.start()
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-k8s-'))
})
afterEach(() => api.close())

const make = (extra: ConstructorParameters<typeof KubernetesLauncher>[0] = {}) =>
  new KubernetesLauncher({ namespace: NS, image: IMAGE, pollIntervalMs: 5, ...extra }, api.kubeConfig(NS))

/** A job, its Job's name, and the fixtures' tokens for it. */
function prepared(name: string, request: ResourceRequest = { nodes: 1, gpusPerNode: 0 }) {
  const job: JobSpec = shellJob(dir, name, 'python3 train.py', request)
  const k8sName = jobName(job.runId, job.assetKey, 1, job.jobDir)
  const vars = { JOB: k8sName, NAMESPACE: NS, IMAGE }
  const f = (file: string) => ({ body: fixture(file, vars) })
  api.on('POST', JOBS, f('job-created.json'))
  return { job, name: k8sName, f, pod: `${k8sName}-x7k2p` }
}

async function supervise(launcher: KubernetesLauncher, job: JobSpec, signal = new AbortController().signal) {
  const handle = await launcher.submit(job, jobContext(job))
  const { log, lines } = memoryLogger()
  const final = await superviseJob(launcher, handle, { signal, log, stopWaitMs: 5_000 })
  return { handle, final, lines }
}

describe('Kubernetes launcher (recorded API responses)', () => {
  it('creates the Job it should: name, labels, resources, GPU limits and type selector, env, volumes, deadline', async () => {
    const request = {
      nodes: 1,
      gpusPerNode: 2,
      gpuType: 'NVIDIA-A100-SXM4-80GB',
      cpus: 8,
      memoryBytes: 32 * 2 ** 30,
      timeLimitMs: 90_500,
    }
    const { job, name, f } = prepared('train', request)
    api.on('GET', `${JOBS}/${name}`, f('job-complete.json'))
    api.on('GET', PODS, f('pods-succeeded.json'))
    api.on('GET', `${PODS}/${name}-x7k2p/log`, { body: '' })
    const launcher = make({
      nodeSelector: { pool: 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      serviceAccountName: 'rivers',
      imagePullSecrets: ['regcred'],
      volumes: [{ mountPath: dir, claimName: 'rivers-shared' }],
      env: { HF_HOME: '/shared/hf', RIVERS_RUN_ID: 'overridden' },
      ttlMs: 3_600_000,
    })
    await supervise(launcher, job)
    const body = api.requests.find((r) => r.method === 'POST')!.body as any
    expect(body.metadata.name).toBe(name)
    expect(name.length).toBeLessThanOrEqual(63)
    expect(body.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'rivers',
      'rivers-orchestrator.io/run': 'conformance',
      'rivers-orchestrator.io/asset': 'conformance.train',
      'rivers-orchestrator.io/attempt': '1',
    })
    expect(body.metadata.annotations['rivers-orchestrator.io/asset']).toBe('conformance/train')
    expect(body.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 91, ttlSecondsAfterFinished: 3600 })
    const pod = body.spec.template.spec
    expect(pod.restartPolicy).toBe('Never')
    expect(pod.nodeSelector).toEqual({ pool: 'gpu', 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' })
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }])
    expect(pod.serviceAccountName).toBe('rivers')
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }])
    expect(pod.volumes).toEqual([{ name: 'rivers-shared-0', persistentVolumeClaim: { claimName: 'rivers-shared' } }])
    const c = pod.containers[0]
    expect(c.image).toBe(IMAGE)
    expect(c.volumeMounts).toEqual([{ name: 'rivers-shared-0', mountPath: dir }])
    expect(c.command).toEqual(['/bin/sh', '-c', WRAPPER, job.stderrPath, ...job.command])
    expect(c.workingDir).toBe(job.cwd)
    expect(c.resources).toEqual({
      requests: { cpu: '8', memory: '32768Mi' },
      limits: { cpu: '8', memory: '32768Mi', 'nvidia.com/gpu': '2' },
    })
    const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]))
    expect(env.HF_HOME).toBe('/shared/hf')
    expect(env.RIVERS_RUN_ID).toBe(job.env.RIVERS_RUN_ID) // the job protocol wins over the settings
    expect(env.RIVERS_OUTPUT).toBe(job.env.RIVERS_OUTPUT)
    // The protocol clients are copied into the job folder (on the shared volume), where the pod sees them.
    expect(env.RIVERS_CLIENTS).toBe(path.join(job.jobDir, 'clients'))
    expect(readFileSync(path.join(env.RIVERS_CLIENTS, 'rivers_job.py'), 'utf8')).toContain('def write_output_json')
    expect(env.MASTER_ADDR).toBe('127.0.0.1') // 2 GPUs in one pod: a rendezvous for torchrun
    expect(Number(env.MASTER_PORT)).toBeGreaterThanOrEqual(15000)
  })

  it('streams the pod log into the run log while it runs (only new bytes), then succeeds: create → poll → logs', async () => {
    const { job, name, f, pod } = prepared('stream')
    api.on(
      'GET',
      `${JOBS}/${name}`,
      f('job-created.json'),
      f('job-active.json'),
      f('job-active.json'),
      f('job-active.json'),
      f('job-complete.json'),
    )
    api.on(
      'GET',
      PODS,
      f('pods-none.json'),
      f('pods-running.json'),
      f('pods-running.json'),
      f('pods-running.json'),
      f('pods-succeeded.json'),
    )
    api.on('GET', `${PODS}/${pod}/log`, f('log-1.txt'), f('log-2.txt'), f('log-3.txt'))
    const states: string[] = []
    const handle = await make().submit(job, jobContext(job))
    const { log, lines } = memoryLogger()
    const final = await superviseJob(make(), handle, {
      signal: new AbortController().signal,
      log,
      onStatus: (s) => states.push(s.state),
    })
    expect(final).toMatchObject({ state: 'succeeded', exitCode: 0, nodes: 'gpu-node-1' })
    expect(states).toEqual(['pending', 'running', 'succeeded'])
    const out = lines.filter((l) => l.stream === 'stdout').map((l) => l.msg)
    expect(out).toEqual(['step 1/3 loading', 'step 2/3 training', 'epoch 1 loss=0.42', 'step 3/3 done'])
    expect(readFileSync(job.stdoutPath, 'utf8')).toBe(
      'step 1/3 loading\nstep 2/3 training\nepoch 1 loss=0.42\nstep 3/3 done\n',
    )
    expect(api.sequence()).toEqual([
      `POST ${JOBS}`,
      `GET ${JOBS}/${name}`,
      `GET ${PODS}`,
      `GET ${JOBS}/${name}`,
      `GET ${PODS}`,
      `GET ${PODS}/${pod}/log`,
      `GET ${JOBS}/${name}`,
      `GET ${PODS}`,
      `GET ${PODS}/${pod}/log`,
      `GET ${JOBS}/${name}`,
      `GET ${PODS}`,
      `GET ${PODS}/${pod}/log`,
      `GET ${JOBS}/${name}`,
      `GET ${PODS}`,
      `GET ${PODS}/${pod}/log`,
    ])
    const pods = api.requests.find((r) => r.path === PODS)!
    expect(pods.query.labelSelector).toBe(`job-name=${name}`)
    // Only what is new is asked for: with timestamps, from the second of the last line taken on.
    const logReads = api.requests.filter((r) => r.path.endsWith('/log')).map((r) => r.query)
    expect(logReads[0]!.sinceTime).toBeUndefined()
    expect(logReads).toMatchObject([
      { container: 'job', timestamps: 'true' },
      { container: 'job', timestamps: 'true', sinceTime: '2026-12-06T09:00:02Z' },
      { container: 'job', timestamps: 'true', sinceTime: '2026-12-06T09:00:02Z' },
      { container: 'job', timestamps: 'true', sinceTime: '2026-12-06T09:00:04Z' },
    ])
  })

  it('reports a failed container with its exit code', async () => {
    const { job, name, f, pod } = prepared('fail')
    api.on('GET', `${JOBS}/${name}`, f('job-failed.json'))
    api.on('GET', PODS, f('pods-failed-exit3.json'))
    api.on('GET', `${PODS}/${pod}/log`, { body: '2026-12-06T09:00:05.2Z about to fail\n' })
    const { final, lines } = await supervise(make(), job)
    expect(final).toMatchObject({ state: 'failed', exitCode: 3, reason: 'Error: the container exited with code 3' })
    expect(lines.some((l) => l.msg === 'about to fail')).toBe(true)
  })

  it('maps OOMKilled to out of memory, naming the limit', async () => {
    const { job, name, f, pod } = prepared('oom', { nodes: 1, gpusPerNode: 0, memoryBytes: 64 * 2 ** 20 })
    api.on('GET', `${JOBS}/${name}`, f('job-failed.json'))
    api.on('GET', PODS, f('pods-oomkilled.json'))
    api.on('GET', `${PODS}/${pod}/log`, { body: '' })
    const { final } = await supervise(make(), job)
    expect(final).toMatchObject({ state: 'oom', exitCode: 137 })
    expect(final.reason).toBe('OOMKilled: the container went over its memory limit (64Mi) (exit 137)')
  })

  it('fails a Job whose image cannot be pulled, naming the image, and deletes it', async () => {
    const { job, name, f } = prepared('pull')
    api.on(
      'GET',
      `${JOBS}/${name}`,
      f('job-active.json'),
      f('job-active.json'),
      notFound(`jobs.batch "${name}" not found`),
    )
    api.on('GET', PODS, f('pods-imagepullbackoff.json'))
    api.on('DELETE', `${JOBS}/${name}`, f('status-deleted.json'))
    const { final } = await supervise(make(), job)
    expect(final.state).toBe('failed')
    expect(final.stoppedBy).toBe('never_starts')
    expect(final.reason).toBe(
      `the image '${IMAGE}' could not be pulled (ImagePullBackOff: Back-off pulling image "${IMAGE}"); check launcher.image and launcher.imagePullSecrets`,
    )
    const del = api.requests.find((r) => r.method === 'DELETE')!
    expect(del.query.propagationPolicy).toBe('Background')
  })

  it('fails a GPU request the scheduler says no node can take, with its message; waits while GPUs are only busy', async () => {
    const gpus = { nodes: 1, gpusPerNode: 4 }
    const { job, name, f } = prepared('gpu', gpus)
    api.on('GET', `${JOBS}/${name}`, f('job-active.json'), f('job-active.json'), notFound('gone'))
    api.on('GET', PODS, f('pods-unschedulable-gpu.json'))
    api.on('DELETE', `${JOBS}/${name}`, f('status-deleted.json'))
    const { final } = await supervise(make(), job)
    expect(final.state).toBe('failed')
    expect(final.reason).toMatch(
      /^Unschedulable: 0\/3 nodes are available: .*2 Insufficient nvidia\.com\/gpu\. preemption: .*Preemption is not helpful/,
    )
    // Busy GPUs (preemption could help later) are a queue, not a failure.
    const busy = prepared('busy', gpus)
    api.on('GET', `${JOBS}/${busy.name}`, busy.f('job-active.json'))
    api.on('GET', PODS, busy.f('pods-unschedulable-busy.json'))
    const launcher = make()
    const handle = await launcher.submit(busy.job, jobContext(busy.job))
    const status = await launcher.status(handle)
    expect(status).toMatchObject({ state: 'pending', reason: expect.stringMatching(/Insufficient nvidia.com\/gpu/) })
    expect(status.neverStarts).toBeUndefined()
    // An autoscaling cluster waits even when no node fits now.
    api.on('GET', PODS, busy.f('pods-unschedulable-gpu.json'))
    expect((await make({ waitUnschedulable: true }).status(handle)).neverStarts).toBeUndefined()
  })

  it('refuses before the run what no node has, from the node list; lets the scheduler decide without the right to list nodes', async () => {
    api.on('GET', '/api/v1/nodes', { body: fixture('nodes-gpu.json') })
    const launcher = make()
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
      make({ nodeSelector: { pool: 'gpu' } }).validate({ nodes: 1, gpusPerNode: 0 }, target),
    ).rejects.toThrow(/is to run on nodes labelled pool=gpu, but no node of the cluster/)
    await launcher.validate({ nodes: 1, gpusPerNode: 1, cpus: 2, memoryBytes: 2 ** 30 }, target)
    api.on('GET', '/api/v1/nodes', { status: 403, body: fixture('status-forbidden-nodes.json') })
    await make().validate({ nodes: 1, gpusPerNode: 8 }, target)
    await expect(
      new KubernetesLauncher({ namespace: NS }, api.kubeConfig()).validate({ nodes: 1, gpusPerNode: 0 }, target),
    ).rejects.toThrow(/image is missing \(asset 'model' runs as a Kubernetes Job/)
  })

  it('takes the namespace from the kubeconfig context, and refuses without one, naming the asset and the setting', async () => {
    const kc = api.kubeConfig('from-context')
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
      new KubernetesLauncher({ image: IMAGE, kubeconfig: path.join(dir, 'missing.yaml') }).validate(
        { nodes: 1, gpusPerNode: 0 },
        { assetKey: 'model', kind: 'command' },
      ),
    ).rejects.toThrow(
      /The kubernetes launcher is not usable \(needed by 'model'\): the API server at \(.*missing.yaml\) cannot be configured: ENOENT/,
    )
  })

  it('maps DeadlineExceeded to timeout and a preempted pod to preempted', async () => {
    const { job, name, f, pod } = prepared('deadline')
    api.on('GET', `${JOBS}/${name}`, f('job-deadline.json'))
    api.on('GET', PODS, f('pods-none.json'))
    expect((await supervise(make(), job)).final).toMatchObject({
      state: 'timeout',
      reason: expect.stringMatching(/^DeadlineExceeded/),
    })
    api.on('GET', `${JOBS}/${name}`, f('job-failed.json'))
    api.on('GET', PODS, f('pods-evicted.json'))
    api.on('GET', `${PODS}/${pod}/log`, { body: '' })
    const status = await make().status(
      (await make().reattach({
        launcher: 'kubernetes',
        id: name,
        jobDir: job.jobDir,
        stdoutPath: job.stdoutPath,
        stderrPath: job.stderrPath,
        submittedAt: '',
      }))!.handle,
    )
    expect(status).toMatchObject({
      state: 'preempted',
      reason: 'PreemptionByScheduler: Preempted in order to admit critical pod',
    })
  })

  it('cancels by deleting the Job (propagation Background), and reports it cancelled', async () => {
    const { job, name, f, pod } = prepared('cancel')
    let deleted = false
    api.on('GET', `${JOBS}/${name}`, () => (deleted ? notFound('gone') : f('job-active.json')))
    api.on('GET', PODS, f('pods-running.json'))
    api.on('GET', `${PODS}/${pod}/log`, { body: '2026-12-06T09:00:02Z started\n' })
    api.on('DELETE', `${JOBS}/${name}`, () => {
      deleted = true
      return f('status-deleted.json')
    })
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('run cancelled')), 50)
    const { final } = await supervise(make(), job, controller.signal)
    expect(final).toMatchObject({ state: 'cancelled', stoppedBy: 'cancelled' })
    const del = api.requests.filter((r) => r.method === 'DELETE')
    expect(del.map((r) => [r.path, r.query.propagationPolicy])).toEqual([[`${JOBS}/${name}`, 'Background']])
    expect(api.sequence().slice(-2)).toEqual([`DELETE ${JOBS}/${name}`, `GET ${JOBS}/${name}`])
  })

  it('runs a multi-node job as an Indexed Job with a headless Service, ranks from the completion index; a failed rank fails it', async () => {
    const request = { nodes: 2, gpusPerNode: 4, cpus: 16 }
    const job: JobSpec = shellJob(dir, 'ddp', 'torchrun train.py', request)
    const name = jobName(job.runId, job.assetKey, 1, job.jobDir, 59)
    const f = (file: string) => ({ body: fixture(file, { JOB: name, NAMESPACE: NS, IMAGE }) })
    api.on('POST', JOBS, f('job-created.json'))
    api.on('POST', `/api/v1/namespaces/${NS}/services`, { status: 201, ...f('service-created.json') })
    api.on('GET', `${JOBS}/${name}`, f('job-active.json'), f('job-active.json'), f('job-failed.json'))
    api.on(
      'GET',
      PODS,
      f('pods-indexed-running.json'),
      f('pods-indexed-running.json'),
      f('pods-indexed-rank1-failed.json'),
    )
    api.on('GET', `${PODS}/${name}-0-q2w8r/log`, { body: '2026-12-06T09:00:02.000031Z rank 0 ready\n' })
    const { final, lines } = await supervise(make(), job)
    expect(final).toMatchObject({ state: 'failed', exitCode: 2, nodes: 'gpu-node-2' })
    expect(lines.some((l) => l.msg === 'rank 0 ready')).toBe(true) // rank 0's log
    expect(name.length).toBeLessThanOrEqual(59) // pod hostnames add -<index>
    expect(api.sequence().slice(0, 3)).toEqual([
      `POST ${JOBS}`,
      `POST /api/v1/namespaces/${NS}/services`,
      `GET ${JOBS}/${name}`,
    ])
    const body = api.requests.find((r) => r.path === JOBS)!.body as any
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
    const svc = api.requests.find((r) => r.path.endsWith('/services'))!.body as any
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

  it('reattaches by Job name after a restart, also from a provisional handle; an unknown Job is not reattached', async () => {
    const { job, name, f } = prepared('reattach')
    api.on('GET', `${JOBS}/${name}`, f('job-active.json'))
    api.on('GET', PODS, f('pods-running.json'))
    api.on('GET', `${PODS}/${name}-x7k2p/log`, { body: '2026-12-06T09:00:02Z before restart\n' })
    const handle = await make().submit(job, jobContext(job))
    const persisted = JSON.parse(JSON.stringify(handle))
    const found = await make().reattach(persisted)
    expect([found?.handle.id, found?.status.state]).toEqual([name, 'running'])
    const provisional = await make().reattach({ ...persisted, id: '' })
    expect(provisional?.handle.id).toBe(name)
    expect(await make().reattach({ ...persisted, id: 'rivers-unknown' })).toBeUndefined()
    expect(await make().reattach({ ...persisted, launcher: 'slurm' })).toBeUndefined()
    // Created again for the same attempt (AlreadyExists): followed, not refused.
    api.on('POST', JOBS, { status: 409, body: fixture('status-already-exists.json', { JOB: name }) })
    expect((await make().submit(job, jobContext(job))).id).toBe(name)
  })
})
