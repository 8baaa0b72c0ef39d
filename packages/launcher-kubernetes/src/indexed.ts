/**
 * Multi-node jobs as one Job: an **Indexed Job** with `completions = parallelism = nodes`, one pod
 * per node (a required pod anti-affinity on the node's hostname), found by each other through a
 * headless Service named as the Job (pod `<job>-<index>` is `<job>-<index>.<job>` in DNS). Every pod
 * gets the rendezvous Slurm's tasks get: `MASTER_ADDR` (pod 0), `MASTER_PORT` (derived from the
 * Job's name), `WORLD_SIZE` and `NNODES` (the nodes), and `RANK`/`NODE_RANK` from the completion
 * index, `LOCAL_RANK=0` (one task per node; torchrun starts a worker per GPU). The asset's `env`
 * wins for `MASTER_ADDR` and `MASTER_PORT`.
 */
import { createHash } from 'node:crypto'

import type { V1Job, V1PodSpec, V1Service } from '@kubernetes/client-node'

import { LABEL_PREFIX } from './labels.js'

const PORT_BASE = 15000
const PORT_SPAN = 15000

/** Characters an Indexed Job's name leaves for `-<index>` in its pods' hostnames (up to 999 nodes). */
export const INDEX_ROOM = 4

/** Shell that sets a pod's ranks from its completion index (before the common wrapper). */
export const RANKS = 'export RANK="$JOB_COMPLETION_INDEX" NODE_RANK="$JOB_COMPLETION_INDEX" LOCAL_RANK=0; '

/**
 * The `MASTER_PORT` of a Job: 15000..29999, derived from its name.
 *
 * @example
 * masterPort('rivers-r1-model-a1-0badcafe00') // e.g. 23871
 */
export function masterPort(name: string): number {
  const n = Number.parseInt(createHash('sha256').update(name).digest('hex').slice(0, 8), 16)
  return PORT_BASE + (n % PORT_SPAN)
}

/**
 * The rendezvous variables every pod of a multi-node Job gets (the ranks come from `RANKS`).
 *
 * @example
 * indexedRendezvous(2, 'rivers-r1-train-a1-0badcafe00', {})
 * // { MASTER_ADDR: 'rivers-r1-train-a1-0badcafe00-0.rivers-r1-train-a1-0badcafe00', MASTER_PORT: '…', WORLD_SIZE: '2', NNODES: '2' }
 */
export function indexedRendezvous(
  nodes: number,
  name: string,
  env: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {}
  if (env.MASTER_ADDR === undefined) out.MASTER_ADDR = `${name}-0.${name}`
  if (env.MASTER_PORT === undefined) out.MASTER_PORT = String(masterPort(name))
  out.WORLD_SIZE = String(nodes)
  out.NNODES = String(nodes)
  return out
}

/**
 * Makes a Job's spec an Indexed Job over `nodes` nodes (in place).
 *
 * @example
 * makeIndexed(body.spec!, body.spec!.template.spec!, name, 2)
 */
export function makeIndexed(spec: NonNullable<V1Job['spec']>, pod: V1PodSpec, name: string, nodes: number): void {
  spec.completionMode = 'Indexed'
  spec.completions = nodes
  spec.parallelism = nodes
  pod.subdomain = name
  pod.affinity = {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: { [`${LABEL_PREFIX}/job`]: name } }, topologyKey: 'kubernetes.io/hostname' },
      ],
    },
  }
}

/**
 * The headless Service of a multi-node Job, owned by it (deleted with it).
 *
 * @example
 * await client.createService(headlessService(name, created.metadata!.uid!, labels))
 */
export function headlessService(name: string, jobUid: string, labels: Record<string, string>): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      labels,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: jobUid, blockOwnerDeletion: true }],
    },
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { [`${LABEL_PREFIX}/job`]: name } },
  }
}
