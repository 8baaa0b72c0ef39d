/**
 * The Kubernetes launcher against recorded API responses: a replay server on 127.0.0.1 serves Job,
 * Pod, PodList, NodeList and Status objects written from the API reference of batch/v1 and core/v1
 * (`test/fixtures/`), and records the requests the launcher makes. No real API server runs here or in
 * CI: these tests check the Job the launcher creates and how it reads what the cluster answers.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'

import { jobContext, memoryLogger } from '@rivers-orchestrator/conformance'
import { superviseJob } from '@rivers-orchestrator/rivers/plugin'
import { describe, expect, it } from 'vitest'

import { WRAPPER } from './index.js'
import { IMAGE, JOBS, PODS, replayHarness } from './testing/harness.js'
import { fixture, notFound } from './testing/replay.js'

const h = replayHarness()

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
    const { job, name, f } = h.prepared('train', request)
    h.api.on('GET', `${JOBS}/${name}`, f('job-complete.json'))
    h.api.on('GET', PODS, f('pods-succeeded.json'))
    h.api.on('GET', `${PODS}/${name}-x7k2p/log`, { body: '' })
    const launcher = h.make({
      nodeSelector: { pool: 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      serviceAccountName: 'rivers',
      imagePullSecrets: ['regcred'],
      volumes: [{ mountPath: h.dir, claimName: 'rivers-shared' }],
      env: { HF_HOME: '/shared/hf', RIVERS_RUN_ID: 'overridden' },
      ttlMs: 3_600_000,
    })
    await h.supervise(launcher, job)
    const body = h.api.requests.find((r) => r.method === 'POST')!.body as any
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
    expect(c.volumeMounts).toEqual([{ name: 'rivers-shared-0', mountPath: h.dir }])
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
    const { job, name, f, pod } = h.prepared('stream')
    h.api.on(
      'GET',
      `${JOBS}/${name}`,
      f('job-created.json'),
      f('job-active.json'),
      f('job-active.json'),
      f('job-active.json'),
      f('job-complete.json'),
    )
    h.api.on(
      'GET',
      PODS,
      f('pods-none.json'),
      f('pods-running.json'),
      f('pods-running.json'),
      f('pods-running.json'),
      f('pods-succeeded.json'),
    )
    h.api.on('GET', `${PODS}/${pod}/log`, f('log-1.txt'), f('log-2.txt'), f('log-3.txt'))
    const states: string[] = []
    const handle = await h.make().submit(job, jobContext(job))
    const { log, lines } = memoryLogger()
    const final = await superviseJob(h.make(), handle, {
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
    expect(h.api.sequence()).toEqual([
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
    const pods = h.api.requests.find((r) => r.path === PODS)!
    expect(pods.query.labelSelector).toBe(`job-name=${name}`)
    // Only what is new is asked for: with timestamps, from the second of the last line taken on.
    const logReads = h.api.requests.filter((r) => r.path.endsWith('/log')).map((r) => r.query)
    expect(logReads[0]!.sinceTime).toBeUndefined()
    expect(logReads).toMatchObject([
      { container: 'job', timestamps: 'true' },
      { container: 'job', timestamps: 'true', sinceTime: '2026-12-06T09:00:02Z' },
      { container: 'job', timestamps: 'true', sinceTime: '2026-12-06T09:00:02Z' },
      { container: 'job', timestamps: 'true', sinceTime: '2026-12-06T09:00:04Z' },
    ])
  })

  it('reports a failed container with its exit code', async () => {
    const { job, name, f, pod } = h.prepared('fail')
    h.api.on('GET', `${JOBS}/${name}`, f('job-failed.json'))
    h.api.on('GET', PODS, f('pods-failed-exit3.json'))
    h.api.on('GET', `${PODS}/${pod}/log`, { body: '2026-12-06T09:00:05.2Z about to fail\n' })
    const { final, lines } = await h.supervise(h.make(), job)
    expect(final).toMatchObject({ state: 'failed', exitCode: 3, reason: 'Error: the container exited with code 3' })
    expect(lines.some((l) => l.msg === 'about to fail')).toBe(true)
  })

  it('maps OOMKilled to out of memory, naming the limit', async () => {
    const { job, name, f, pod } = h.prepared('oom', { nodes: 1, gpusPerNode: 0, memoryBytes: 64 * 2 ** 20 })
    h.api.on('GET', `${JOBS}/${name}`, f('job-failed.json'))
    h.api.on('GET', PODS, f('pods-oomkilled.json'))
    h.api.on('GET', `${PODS}/${pod}/log`, { body: '' })
    const { final } = await h.supervise(h.make(), job)
    expect(final).toMatchObject({ state: 'oom', exitCode: 137 })
    expect(final.reason).toBe('OOMKilled: the container went over its memory limit (64Mi) (exit 137)')
  })

  it('fails a Job whose image cannot be pulled, naming the image, and deletes it', async () => {
    const { job, name, f } = h.prepared('pull')
    h.api.on(
      'GET',
      `${JOBS}/${name}`,
      f('job-active.json'),
      f('job-active.json'),
      notFound(`jobs.batch "${name}" not found`),
    )
    h.api.on('GET', PODS, f('pods-imagepullbackoff.json'))
    h.api.on('DELETE', `${JOBS}/${name}`, f('status-deleted.json'))
    const { final } = await h.supervise(h.make(), job)
    expect(final.state).toBe('failed')
    expect(final.stoppedBy).toBe('never_starts')
    expect(final.reason).toBe(
      `the image '${IMAGE}' could not be pulled (ImagePullBackOff: Back-off pulling image "${IMAGE}"); check launcher.image and launcher.imagePullSecrets`,
    )
    const del = h.api.requests.find((r) => r.method === 'DELETE')!
    expect(del.query.propagationPolicy).toBe('Background')
  })

  it('fails a GPU request the scheduler says no node can take, with its message; waits while GPUs are only busy', async () => {
    const gpus = { nodes: 1, gpusPerNode: 4 }
    const { job, name, f } = h.prepared('gpu', gpus)
    h.api.on('GET', `${JOBS}/${name}`, f('job-active.json'), f('job-active.json'), notFound('gone'))
    h.api.on('GET', PODS, f('pods-unschedulable-gpu.json'))
    h.api.on('DELETE', `${JOBS}/${name}`, f('status-deleted.json'))
    const { final } = await h.supervise(h.make(), job)
    expect(final.state).toBe('failed')
    expect(final.reason).toMatch(
      /^Unschedulable: 0\/3 nodes are available: .*2 Insufficient nvidia\.com\/gpu\. preemption: .*Preemption is not helpful/,
    )
    // Busy GPUs (preemption could help later) are a queue, not a failure.
    const busy = h.prepared('busy', gpus)
    h.api.on('GET', `${JOBS}/${busy.name}`, busy.f('job-active.json'))
    h.api.on('GET', PODS, busy.f('pods-unschedulable-busy.json'))
    const launcher = h.make()
    const handle = await launcher.submit(busy.job, jobContext(busy.job))
    const status = await launcher.status(handle)
    expect(status).toMatchObject({ state: 'pending', reason: expect.stringMatching(/Insufficient nvidia.com\/gpu/) })
    expect(status.neverStarts).toBeUndefined()
    // An autoscaling cluster waits even when no node fits now.
    h.api.on('GET', PODS, busy.f('pods-unschedulable-gpu.json'))
    expect((await h.make({ waitUnschedulable: true }).status(handle)).neverStarts).toBeUndefined()
  })

  it('maps DeadlineExceeded to timeout and a preempted pod to preempted', async () => {
    const { job, name, f, pod } = h.prepared('deadline')
    h.api.on('GET', `${JOBS}/${name}`, f('job-deadline.json'))
    h.api.on('GET', PODS, f('pods-none.json'))
    expect((await h.supervise(h.make(), job)).final).toMatchObject({
      state: 'timeout',
      reason: expect.stringMatching(/^DeadlineExceeded/),
    })
    h.api.on('GET', `${JOBS}/${name}`, f('job-failed.json'))
    h.api.on('GET', PODS, f('pods-evicted.json'))
    h.api.on('GET', `${PODS}/${pod}/log`, { body: '' })
    const status = await h.make().status(
      (await h.make().reattach({
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
    const { job, name, f, pod } = h.prepared('cancel')
    let deleted = false
    h.api.on('GET', `${JOBS}/${name}`, () => (deleted ? notFound('gone') : f('job-active.json')))
    h.api.on('GET', PODS, f('pods-running.json'))
    h.api.on('GET', `${PODS}/${pod}/log`, { body: '2026-12-06T09:00:02Z started\n' })
    h.api.on('DELETE', `${JOBS}/${name}`, () => {
      deleted = true
      return f('status-deleted.json')
    })
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('run cancelled')), 50)
    const { final } = await h.supervise(h.make(), job, controller.signal)
    expect(final).toMatchObject({ state: 'cancelled', stoppedBy: 'cancelled' })
    const del = h.api.requests.filter((r) => r.method === 'DELETE')
    expect(del.map((r) => [r.path, r.query.propagationPolicy])).toEqual([[`${JOBS}/${name}`, 'Background']])
    expect(h.api.sequence().slice(-2)).toEqual([`DELETE ${JOBS}/${name}`, `GET ${JOBS}/${name}`])
  })

  it('reattaches by Job name after a restart, also from a provisional handle; an unknown Job is not reattached', async () => {
    const { job, name, f } = h.prepared('reattach')
    h.api.on('GET', `${JOBS}/${name}`, f('job-active.json'))
    h.api.on('GET', PODS, f('pods-running.json'))
    h.api.on('GET', `${PODS}/${name}-x7k2p/log`, { body: '2026-12-06T09:00:02Z before restart\n' })
    const handle = await h.make().submit(job, jobContext(job))
    const persisted = JSON.parse(JSON.stringify(handle))
    const found = await h.make().reattach(persisted)
    expect([found?.handle.id, found?.status.state]).toEqual([name, 'running'])
    const provisional = await h.make().reattach({ ...persisted, id: '' })
    expect(provisional?.handle.id).toBe(name)
    expect(await h.make().reattach({ ...persisted, id: 'rivers-unknown' })).toBeUndefined()
    expect(await h.make().reattach({ ...persisted, launcher: 'slurm' })).toBeUndefined()
    // Created again for the same attempt (AlreadyExists): followed, not refused.
    h.api.on('POST', JOBS, { status: 409, body: fixture('status-already-exists.json', { JOB: name }) })
    expect((await h.make().submit(job, jobContext(job))).id).toBe(name)
  })
})
