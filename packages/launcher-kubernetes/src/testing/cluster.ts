/**
 * For this package's tests: a scenario-driven replay of a one-node cluster on 127.0.0.1, so that the
 * launcher conformance suite runs against the Kubernetes launcher without a real API server. It
 * answers the calls the launcher makes with the recorded objects of `test/fixtures/` (Job, PodList,
 * NodeList, Status), moved through their states by a real process: creating a Job starts its
 * container's command here (`/bin/sh`, the container's env on top of this process's, its working
 * folder), the pod log is that process's stdout, the Job's conditions and the container's exit code
 * follow the process, deleting the Job kills it. What it does not do: pull images, schedule, enforce
 * resources or deadlines, evict; those are covered by the recorded-response tests (`replay.test.ts`).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { cpus, totalmem } from 'node:os'

import type { V1Job } from '@kubernetes/client-node'

import { fixture, notFound, type RecordedRequest, type Reply, ReplayServer } from './replay.js'

interface FakePod {
  job: V1Job
  process: ChildProcess
  /** The container's output lines with the time each was written (as the kubelet keeps them). */
  lines: { ts: string; text: string }[]
  partial: string
  exitCode?: number
  startedAt: string
  finishedAt?: string
}

/**
 * A fake one-node cluster whose Jobs run as local processes.
 *
 * @example
 * const cluster = await FakeCluster.start('rivers-test')
 * const kc = cluster.api.kubeConfig('rivers-test') // for new KubernetesLauncher({ image: 'local' }, kc)
 */
export class FakeCluster {
  readonly api: ReplayServer
  readonly namespace: string
  readonly pods = new Map<string, FakePod>()

  private constructor(api: ReplayServer, namespace: string) {
    this.api = api
    this.namespace = namespace
    const jobs = `/apis/batch/v1/namespaces/${namespace}/jobs`
    api.on('POST', jobs, (req) => this.create(req))
    api.on('GET', `/api/v1/namespaces/${namespace}/pods`, (req) => this.podList(req))
    api.on('GET', '/api/v1/nodes', () => ({ body: this.nodes() }))
  }

  /**
   * Starts the fake cluster's API server.
   *
   * @example
   * const cluster = await FakeCluster.start()
   */
  static async start(namespace = 'rivers-test'): Promise<FakeCluster> {
    return new FakeCluster(await ReplayServer.start(), namespace)
  }

  /**
   * Kills what still runs and stops the server.
   *
   * @example
   * await cluster.close()
   */
  async close(): Promise<void> {
    for (const pod of this.pods.values()) kill(pod)
    await this.api.close()
  }

  private vars(name: string, image: string): Record<string, string> {
    return { JOB: name, NAMESPACE: this.namespace, IMAGE: image }
  }

  private create(req: RecordedRequest): Reply {
    const job = req.body as V1Job
    const name = job.metadata!.name!
    const container = job.spec!.template.spec!.containers[0]!
    if (this.pods.has(name)) return { status: 409, body: fixture('status-already-exists.json', this.vars(name, '')) }
    const env: NodeJS.ProcessEnv = { ...process.env }
    for (const e of container.env ?? []) env[e.name] = e.value ?? ''
    const [cmd, ...args] = [...(container.command ?? []), ...(container.args ?? [])]
    const child = spawn(cmd!, args, {
      cwd: container.workingDir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const pod: FakePod = { job, process: child, lines: [], partial: '', startedAt: new Date().toISOString() }
    const write = (b: Buffer) => {
      const parts = (pod.partial + b.toString()).split('\n')
      pod.partial = parts.pop()!
      for (const text of parts) pod.lines.push({ ts: new Date().toISOString(), text })
    }
    child.stdout!.on('data', write)
    child.stderr!.on('data', write)
    child.on('error', (e) => {
      write(Buffer.from(`exec failed: ${e.message}\n`))
      pod.exitCode = 127
      pod.finishedAt = new Date().toISOString()
    })
    child.on('close', (code, signal) => {
      if (pod.partial !== '') write(Buffer.from('\n'))
      pod.exitCode = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)
      pod.finishedAt = new Date().toISOString()
    })
    this.pods.set(name, pod)
    const jobPath = `/apis/batch/v1/namespaces/${this.namespace}/jobs/${name}`
    this.api.on('GET', jobPath, () => this.jobObject(name))
    this.api.on('DELETE', jobPath, () => this.delete(name))
    this.api.on('GET', `/api/v1/namespaces/${this.namespace}/pods/${name}-x7k2p/log`, (req) => this.log(name, req))
    return {
      status: 201,
      body: this.withSpec(fixture('job-created.json', this.vars(name, container.image!)) as V1Job, job),
    }
  }

  private withSpec(recorded: V1Job, job: V1Job): V1Job {
    recorded.metadata = {
      ...recorded.metadata,
      labels: job.metadata?.labels ?? {},
      annotations: job.metadata?.annotations ?? {},
    }
    return recorded
  }

  private jobObject(name: string): Reply {
    const pod = this.pods.get(name)
    if (pod === undefined) return notFound(`jobs.batch "${name}" not found`)
    const image = pod.job.spec!.template.spec!.containers[0]!.image!
    const file =
      pod.exitCode === undefined ? 'job-active.json' : pod.exitCode === 0 ? 'job-complete.json' : 'job-failed.json'
    return { body: this.withSpec(fixture(file, this.vars(name, image)) as V1Job, pod.job) }
  }

  private podList(req: RecordedRequest): Reply {
    const name = /^job-name=(.+)$/.exec(req.query.labelSelector ?? '')?.[1]
    const pod = name === undefined ? undefined : this.pods.get(name)
    if (pod === undefined) return { body: fixture('pods-none.json') }
    const image = pod.job.spec!.template.spec!.containers[0]!.image!
    const file =
      pod.exitCode === undefined
        ? 'pods-running.json'
        : pod.exitCode === 0
          ? 'pods-succeeded.json'
          : 'pods-failed-exit3.json'
    const list = fixture(file, this.vars(name!, image)) as { items: Record<string, any>[] }
    const status = list.items[0]!.status
    const state = status.containerStatuses[0].state
    if (state.running !== undefined) state.running.startedAt = pod.startedAt
    if (state.terminated !== undefined)
      Object.assign(state.terminated, { exitCode: pod.exitCode, startedAt: pod.startedAt, finishedAt: pod.finishedAt })
    return { body: list }
  }

  /** The pod's log as the API serves it: lines since `sinceTime` (a second), with their times when asked. */
  private log(name: string, req: RecordedRequest): Reply {
    const since = req.query.sinceTime === undefined ? 0 : Date.parse(req.query.sinceTime)
    const lines = (this.pods.get(name)?.lines ?? []).filter((l) => Date.parse(l.ts) >= since)
    const stamped = req.query.timestamps === 'true'
    return { body: lines.map((l) => `${stamped ? `${l.ts} ` : ''}${l.text}\n`).join('') }
  }

  private delete(name: string): Reply {
    const pod = this.pods.get(name)
    if (pod === undefined) return notFound(`jobs.batch "${name}" not found`)
    kill(pod)
    this.pods.delete(name)
    return { body: fixture('status-deleted.json', this.vars(name, '')) }
  }

  private nodes(): unknown {
    const list = fixture('nodes-cpu-only.json') as {
      items: { status: { allocatable: Record<string, string>; capacity: Record<string, string> } }[]
    }
    const allocatable = { cpu: String(cpus().length), memory: String(totalmem()), pods: '110' }
    list.items[0]!.status.allocatable = allocatable
    list.items[0]!.status.capacity = allocatable
    return list
  }
}

function kill(pod: FakePod): void {
  if (pod.exitCode !== undefined || pod.process.pid === undefined) return
  try {
    process.kill(-pod.process.pid, 'SIGKILL')
  } catch {
    // already gone
  }
}
