/**
 * Whether a request can ever be scheduled on a cluster's nodes, from what they can allocate and
 * their labels (the settings' `nodeSelector`, and `gpuType` as a node label): what `validate` refuses
 * before the run. Taints are not compared (a toleration may be what makes a node usable).
 */
import type { V1Node } from '@kubernetes/client-node'
import { formatBytes } from '@rivers-orchestrator/rivers'
import type { ResourceRequest } from '@rivers-orchestrator/rivers/plugin'

import { unschedulable } from './errors.js'
import { parseQuantity } from './quantity.js'
import type { KubernetesLauncherOptions } from './settings.js'

/**
 * Throws `RIVERS_UNSCHEDULABLE` (naming the asset, what it asks and what the nodes have) when no
 * `request.nodes` schedulable nodes could each take one pod of the request.
 *
 * @example
 * checkFit({ nodes: 1, gpusPerNode: 2 }, 'model', await client.nodes(), client.server, options)
 */
export function checkFit(
  request: ResourceRequest,
  key: string,
  nodes: readonly V1Node[],
  server: string,
  options: KubernetesLauncherOptions,
): void {
  const gpu = options.gpuResource ?? 'nvidia.com/gpu'
  const typeLabel = options.gpuTypeLabel ?? 'nvidia.com/gpu.product'
  const schedulable = nodes.filter((n) => n.spec?.unschedulable !== true)
  const cluster = `the cluster at ${server} (${schedulable.length} schedulable node${schedulable.length === 1 ? '' : 's'})`
  const selector: Record<string, string> = { ...options.nodeSelector }
  if (request.gpuType !== undefined && request.gpusPerNode > 0) selector[typeLabel] = request.gpuType
  const labelled = schedulable.filter((n) => Object.entries(selector).every(([k, v]) => n.metadata?.labels?.[k] === v))
  if (labelled.length === 0 && Object.keys(selector).length > 0) {
    const types = [...new Set(schedulable.map((n) => n.metadata?.labels?.[typeLabel]).filter((t) => t !== undefined))]
    const wanted = Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')
    throw unschedulable(
      key,
      request.gpuType !== undefined && request.gpusPerNode > 0
        ? `asks for GPU type '${request.gpuType}'`
        : `is to run on nodes labelled ${wanted}`,
      `no node of ${cluster} has the labels ${wanted}${types.length === 0 ? ` (no node has ${typeLabel})` : ` (GPU types: ${types.map((t) => `'${t}'`).join(', ')})`}`,
      types.length === 0
        ? 'check launcher.nodeSelector and launcher.gpuTypeLabel, or remove resources.gpuType'
        : 'use one of those types as resources.gpuType, or check launcher.nodeSelector',
    )
  }
  const has = (n: V1Node, resource: string): number => parseQuantity(n.status?.allocatable?.[resource]) ?? 0
  const most = (resource: string): number => labelled.reduce((m, n) => Math.max(m, has(n, resource)), 0)
  if (request.gpusPerNode > most(gpu))
    throw unschedulable(
      key,
      `asks for ${request.gpusPerNode} GPU${request.gpusPerNode === 1 ? '' : 's'} (${gpu})`,
      most(gpu) === 0 ? `no node of ${cluster} has ${gpu}` : `the largest node of ${cluster} has ${most(gpu)}`,
      most(gpu) === 0
        ? 'set resources.gpus to 0, install the GPU device plugin, or set launcher.checkResources to false for a cluster whose GPU nodes appear on demand'
        : `ask for at most ${most(gpu)} GPUs`,
    )
  if (request.cpus !== undefined && request.cpus > most('cpu'))
    throw unschedulable(
      key,
      `asks for ${request.cpus} CPUs`,
      `the largest node of ${cluster} can allocate ${most('cpu')}`,
      `lower resources.cpus to at most ${most('cpu')}`,
    )
  if (request.memoryBytes !== undefined && request.memoryBytes > most('memory'))
    throw unschedulable(
      key,
      `asks for ${formatBytes(request.memoryBytes)} of memory`,
      `the largest node of ${cluster} can allocate ${formatBytes(most('memory'))}`,
      `lower resources.memory to at most '${Math.floor(most('memory') / 2 ** 20)}Mi'`,
    )
  const fits = labelled.filter(
    (n) =>
      has(n, gpu) >= request.gpusPerNode &&
      (request.cpus === undefined || has(n, 'cpu') >= request.cpus) &&
      (request.memoryBytes === undefined || has(n, 'memory') >= request.memoryBytes),
  )
  if (fits.length < request.nodes)
    throw unschedulable(
      key,
      request.nodes > 1 ? `asks for ${request.nodes} nodes` : 'asks for its GPUs, CPUs and memory on one node',
      fits.length === 0
        ? `no node of ${cluster} has all of them at once`
        : `only ${fits.length} node${fits.length === 1 ? '' : 's'} of ${cluster} can take one of its pods (one pod per node)`,
      request.nodes > 1
        ? `lower resources.nodes to at most ${fits.length}, or add nodes`
        : 'ask for less of one of them',
    )
}
