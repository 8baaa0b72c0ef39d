/**
 * The Kubernetes launcher's pure parts: Job names (DNS-1123, at most 63 characters, unique per run,
 * asset, attempt and folder), label values, resources, quantities, the settings.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { isRiversError } from '@rivers-orchestrator/rivers'

import {
  checkFit,
  jobName,
  kubernetesOptions,
  labelValue,
  mapKubernetesJob,
  parseQuantity,
  podResources,
} from './index.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

describe('Job names', () => {
  it('are DNS-1123 labels of at most 63 characters, whatever the run and asset', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 300 }),
        fc.integer({ min: 1, max: 10_000 }),
        (run, key, attempt) => {
          const name = jobName(run, key, attempt, `/jobs/${key}/${attempt}`)
          expect(name.length).toBeLessThanOrEqual(63)
          expect(name).toMatch(DNS_LABEL)
          expect(jobName(run, key, attempt, `/jobs/${key}/${attempt}`, 59).length).toBeLessThanOrEqual(59)
          expect(name.endsWith(`-a${attempt}-${name.slice(-10)}`)).toBe(true)
        },
      ),
    )
  })

  it('read as the run and asset, and differ for what was cut: partitions (job folders) and attempts', () => {
    const run = '01JEXAMPLE7RUN'
    expect(jobName(run, 'model/torch', 1, '/j/a')).toMatch(/^rivers-01jexample7r-model-torch-a1-[0-9a-f]{10}$/)
    const long = `features/${'very-long-segment/'.repeat(8)}table`
    const a = jobName(run, long, 1, '/jobs/p=2024-01-01')
    const b = jobName(run, long, 1, '/jobs/p=2024-01-02')
    expect(a).not.toBe(b)
    expect(a.slice(0, -10)).toBe(b.slice(0, -10)) // only the hash tells them apart
    expect(a.length).toBe(63)
    expect(jobName(run, long, 2, '/jobs/p=2024-01-01')).not.toBe(a)
    expect(jobName('', '', 1, '/x')).toMatch(/^rivers-a1-[0-9a-f]{10}$/)
  })

  it('label values keep to the label syntax', () => {
    expect(labelValue('model/torch')).toBe('model.torch')
    expect(labelValue(`/${'x'.repeat(100)}`)).toHaveLength(63)
    expect(labelValue('_a b_')).toBe('a_b')
  })
})

describe('resources and quantities', () => {
  it('maps cpus, memory and GPUs (limits of the configured resource)', () => {
    expect(podResources({ nodes: 1, gpusPerNode: 0 }, {})).toEqual({})
    expect(podResources({ nodes: 1, gpusPerNode: 0, cpus: 0.5, memoryBytes: 1_000_000_000 }, {})).toEqual({
      requests: { cpu: '0.5', memory: '1000000000' },
      limits: { cpu: '0.5', memory: '1000000000' },
    })
    expect(podResources({ nodes: 1, gpusPerNode: 1 }, { gpuResource: 'amd.com/gpu' })).toEqual({
      limits: { 'amd.com/gpu': '1' },
    })
  })

  it('parses the quantities nodes report', () => {
    expect(parseQuantity('3800m')).toBe(3.8)
    expect(parseQuantity('15896040Ki')).toBe(15896040 * 1024)
    expect(parseQuantity('16Gi')).toBe(2 ** 34)
    expect(parseQuantity('1e3')).toBe(1000)
    expect(parseQuantity('2')).toBe(2)
    expect(parseQuantity('lots')).toBeUndefined()
  })
})

describe('fit on nodes', () => {
  it('refuses a request no single node holds all of, though each part fits some node', () => {
    const node = (name: string, cpu: string, memory: string) => ({
      metadata: { name },
      status: { allocatable: { cpu, memory } },
    })
    const nodes = [node('wide', '32', '4Gi'), node('deep', '4', '64Gi')]
    const fit = (request: Parameters<typeof checkFit>[0]) => () =>
      checkFit(request, 'etl', nodes, 'https://k8s:6443', {})
    expect(fit({ nodes: 1, gpusPerNode: 0, cpus: 16, memoryBytes: 2 ** 30 })).not.toThrow()
    expect(fit({ nodes: 1, gpusPerNode: 0, cpus: 16, memoryBytes: 32 * 2 ** 30 })).toThrow(
      "Asset 'etl' asks for its GPUs, CPUs and memory on one node, but no node of the cluster at https://k8s:6443 (2 schedulable nodes) has all of them at once",
    )
    expect(fit({ nodes: 2, gpusPerNode: 0, cpus: 2, memoryBytes: 2 ** 30 })).not.toThrow()
    expect(fit({ nodes: 3, gpusPerNode: 0, cpus: 2 })).toThrow(/asks for 3 nodes, but only 2 nodes of the cluster/)
  })
})

describe('states', () => {
  it('a node that went away is node_fail; a pending pod without news says so', () => {
    const gone = mapKubernetesJob(
      { status: { conditions: [{ type: 'Failed', status: 'True', reason: 'PodFailurePolicy' }] } },
      {
        status: {
          phase: 'Failed',
          conditions: [
            {
              type: 'DisruptionTarget',
              status: 'True',
              reason: 'DeletionByTaintManager',
              message: 'Taint manager: deleting due to NoExecute taint',
            },
          ],
        },
      },
    )
    expect(gone).toMatchObject({
      state: 'node_fail',
      reason: 'DeletionByTaintManager: Taint manager: deleting due to NoExecute taint',
    })
    expect(mapKubernetesJob({ status: {} }, undefined)).toEqual({ state: 'pending', reason: 'the Job has no pod yet' })
  })

  it('a first pull error waits for the retry unless the image is not there or not allowed', () => {
    const pulling = (message: string) =>
      mapKubernetesJob(
        { status: {} },
        {
          spec: { containers: [{ name: 'job', image: 'ghcr.io/acme/x:1' }] },
          status: {
            phase: 'Pending',
            containerStatuses: [
              {
                name: 'job',
                image: 'ghcr.io/acme/x:1',
                imageID: '',
                ready: false,
                restartCount: 0,
                state: { waiting: { reason: 'ErrImagePull', message } },
              },
            ],
          },
        },
      )
    expect(pulling('failed to pull: dial tcp 10.0.0.2:443: i/o timeout')).toMatchObject({
      state: 'pending',
      reason: expect.stringMatching(/^ErrImagePull: /),
    })
    expect(pulling('failed to pull: dial tcp 10.0.0.2:443: i/o timeout').neverStarts).toBeUndefined()
    expect(pulling('rpc error: ghcr.io/acme/x:1: not found')).toMatchObject({
      neverStarts: true,
      reason: expect.stringMatching(/^the image 'ghcr.io\/acme\/x:1' could not be pulled \(ErrImagePull: /),
    })
  })
})

describe('settings', () => {
  it('become options (durations, paths)', () => {
    expect(
      kubernetesOptions(
        {
          type: 'kubernetes',
          namespace: 'ml',
          image: 'busybox:1.36',
          kubeconfig: 'kc.yaml',
          ttl: '1h',
          pollInterval: '250ms',
          volumes: [{ mountPath: '/shared', hostPath: '/srv/shared' }],
        },
        '/project',
      ),
    ).toEqual({
      namespace: 'ml',
      image: 'busybox:1.36',
      kubeconfig: '/project/kc.yaml',
      ttlMs: 3_600_000,
      pollIntervalMs: 250,
      volumes: [{ mountPath: '/shared', hostPath: '/srv/shared' }],
    })
  })

  it('are refused field by field, naming the field and the fix', () => {
    const refused = (s: Record<string, unknown>): string => {
      try {
        kubernetesOptions({ type: 'kubernetes', ...s })
      } catch (e) {
        expect(isRiversError(e)).toBe(true)
        return (e as Error).message
      }
      throw new Error(`accepted ${JSON.stringify(s)}`)
    }
    expect(refused({ imag: 'x' })).toMatch(
      /^Kubernetes launcher settings: imag is not a known field\.\nFix: use only namespace, image/,
    )
    expect(refused({ image: '' })).toMatch(/image must be a non-empty string/)
    expect(refused({ volumes: [{ mountPath: '/s' }] })).toMatch(
      /volumes\[0\] needs exactly one of claimName and hostPath/,
    )
    expect(refused({ volumes: [{ mountPath: 'rel', claimName: 'c' }] })).toMatch(
      /volumes\[0\].mountPath must be an absolute path/,
    )
    expect(refused({ ttl: 'soon' })).toMatch(/ttl "soon" is not a duration/)
    expect(refused({ nodeSelector: { gpu: 1 } })).toMatch(/nodeSelector must be an object of strings/)
    expect(refused({ imagePullPolicy: 'Sometimes' })).toMatch(/imagePullPolicy is "Sometimes"/)
  })
})
