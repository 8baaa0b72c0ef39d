/**
 * The few Kubernetes API calls the launcher makes, on `@kubernetes/client-node`: create, read and
 * delete a Job, list its pods, read a pod's log, list the nodes. The configuration is the kubeconfig
 * named in the settings (and its context), else the default one (`KUBECONFIG`, `~/.kube/config`, or
 * the in-cluster service account).
 */
import { Writable } from 'node:stream'

import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Log,
  type V1Job,
  type V1Node,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node'

/**
 * A kubeconfig loaded from a file (with a context), or the default one.
 *
 * @example
 * const kc = loadKubeConfig({ kubeconfig: '/home/me/.kube/config', context: 'gpu-cluster' })
 */
export function loadKubeConfig(options: { kubeconfig?: string; context?: string }): KubeConfig {
  const kc = new KubeConfig()
  if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig)
  else kc.loadFromDefault()
  if (options.context !== undefined) {
    if (kc.getContextObject(options.context) === null)
      throw new Error(
        `the kubeconfig has no context '${options.context}' (it has ${
          kc
            .getContexts()
            .map((c) => `'${c.name}'`)
            .join(', ') || 'none'
        })`,
      )
    kc.setCurrentContext(options.context)
  }
  return kc
}

/**
 * Whether an error is the API server's answer with this HTTP status.
 *
 * @example
 * const missing = isStatus(e, 404)
 */
export function isStatus(e: unknown, code: number): boolean {
  return e instanceof ApiException && e.code === code
}

/**
 * The API server's message in an error (the `Status` object's `message`), else the error's.
 *
 * @example
 * apiMessage(e) // 'HTTP 403: jobs.batch is forbidden: User "me" cannot create resource "jobs"'
 */
export function apiMessage(e: unknown): string {
  if (e instanceof ApiException) {
    let message = String(e.body)
    try {
      message = (JSON.parse(String(e.body)) as { message?: string }).message ?? message
    } catch {
      // not a Status object
    }
    return `HTTP ${e.code}: ${message}`
  }
  return e instanceof Error ? e.message : String(e)
}

/**
 * One namespace of one cluster.
 *
 * @example
 * const k = new KubeClient(loadKubeConfig({}), 'ml')
 * const job = await k.job('rivers-r1-model-a1-0badcafe00')
 */
export class KubeClient {
  readonly batch: BatchV1Api
  readonly core: CoreV1Api
  readonly namespace: string
  readonly server: string

  readonly #config: KubeConfig

  constructor(kc: KubeConfig, namespace: string) {
    this.#config = kc
    this.batch = kc.makeApiClient(BatchV1Api)
    this.core = kc.makeApiClient(CoreV1Api)
    this.namespace = namespace
    this.server = kc.getCurrentCluster()?.server ?? '(no cluster in the kubeconfig)'
  }

  /**
   * Creates a Job.
   *
   * @example
   * await k.create(jobManifest(job, 1, options))
   */
  create(body: V1Job): Promise<V1Job> {
    return this.batch.createNamespacedJob({ namespace: this.namespace, body })
  }

  /**
   * The Job of this name, or undefined when there is none.
   *
   * @example
   * const job = await k.job(name)
   */
  async job(name: string): Promise<V1Job | undefined> {
    try {
      return await this.batch.readNamespacedJob({ name, namespace: this.namespace })
    } catch (e) {
      if (isStatus(e, 404)) return undefined
      throw e
    }
  }

  /**
   * The pods of a Job, newest first.
   *
   * @example
   * const [pod] = await k.pods(name)
   */
  async pods(jobName: string): Promise<V1Pod[]> {
    const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: `job-name=${jobName}` })
    const time = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime()
    return [...list.items].sort((a, b) => time(b) - time(a))
  }

  /**
   * Creates a Service (the headless one a multi-node Job's pods find each other by).
   *
   * @example
   * await k.createService(headlessService(name, uid, labels))
   */
  createService(body: V1Service): Promise<V1Service> {
    return this.core.createNamespacedService({ namespace: this.namespace, body })
  }

  /**
   * A pod's log with a timestamp on every line, from `sinceTime` (RFC3339, a second) when given.
   * Read through `Log` (the generated API has no `sinceTime`).
   *
   * @example
   * const text = await k.log(podName, 'job', '2026-12-06T09:00:02Z')
   */
  async log(podName: string, container: string, sinceTime?: string): Promise<string> {
    const chunks: Buffer[] = []
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(Buffer.from(chunk))
        done()
      },
    })
    const finished = new Promise<void>((resolve, reject) => {
      sink.on('finish', resolve)
      sink.on('error', reject)
    })
    await new Log(this.#config).log(this.namespace, podName, container, sink, {
      follow: false,
      timestamps: true,
      ...(sinceTime === undefined ? {} : { sinceTime }),
    })
    await finished
    return Buffer.concat(chunks).toString('utf8')
  }

  /**
   * Deletes a Job and, in the background, its pods; false when there was none.
   *
   * @example
   * await k.delete(name)
   */
  async delete(name: string): Promise<boolean> {
    try {
      await this.batch.deleteNamespacedJob({ name, namespace: this.namespace, propagationPolicy: 'Background' })
      return true
    } catch (e) {
      if (isStatus(e, 404)) return false
      throw e
    }
  }

  /**
   * The cluster's nodes (needs `list nodes`, a cluster-wide permission).
   *
   * @example
   * const gpus = (await k.nodes()).map((n) => n.status?.allocatable?.['nvidia.com/gpu'])
   */
  async nodes(): Promise<V1Node[]> {
    return (await this.core.listNode({})).items
  }
}
