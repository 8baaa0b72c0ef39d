/**
 * The real `assets` binary on a project that imports this package and sets `launcher: { type:
 * 'kubernetes', kubeconfig, image }`, against the replayed one-node cluster (`testing/cluster.ts`;
 * no real API server runs here or in CI): a command asset and a TypeScript function asset each
 * materialized as a Job, the Job labelled with the run and asset, the job's print in the run log.
 */
import { readFileSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { afterAll, expect, it } from 'vitest'

import { makeProject, removeProjects } from '../../cli/test/e2e/project.js'
import { FakeCluster } from './testing/cluster.js'

const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const cluster = await FakeCluster.start('rivers-e2e')

afterAll(async () => {
  await cluster.close()
  await removeProjects()
})

it('materializes a command asset and a function asset as Kubernetes Jobs from a project that imports the package', {
  timeout: 120_000,
}, async () => {
  const p = makeProject({
    'rivers.config.ts': [
      "import '@rivers-orchestrator/launcher-kubernetes'",
      "import { asset, defineProject } from '@rivers-orchestrator/rivers'",
      "const numbers = asset({ key: 'numbers' }, () => [1, 2, 3])",
      "const total = asset({ key: 'total', deps: { numbers }, command: ['python3', 'job.py'], resources: { cpus: 1, memory: '64Mi' } })",
      "const doubled = asset({ key: 'doubled', deps: { total }, resources: { cpus: 1 } }, ({ total }, ctx) => { ctx.addMetadata({ pid: process.pid }); return total * 2 })",
      "export default defineProject({ launcher: { type: 'kubernetes', kubeconfig: 'kubeconfig.json', image: 'ghcr.io/acme/train:1.2', pollInterval: '100ms' }, assets: [numbers, total, doubled] })",
    ].join('\n'),
    'job.py': [
      'import rivers_job as rj',
      'nums = rj.read_input_json("numbers")',
      'print("pod sees", len(nums), "numbers", flush=True)',
      'rj.metric("total", sum(nums))',
      'rj.write_output_json(sum(nums))',
    ].join('\n'),
  })
  cluster.api.kubeConfigFile(p.dir, 'rivers-e2e')
  symlinkSync(PACKAGE, path.join(p.dir, 'node_modules', '@rivers-orchestrator', 'launcher-kubernetes'), 'dir')
  const r = await p.run(['materialize', '--json'])
  expect(r.code, r.stderr).toBe(0)
  const summary = r.json<{ runId: string; materialized: string[] }>()
  expect(summary.materialized).toEqual(['numbers', 'total', 'doubled'])
  const store = SqliteStore.open(path.join(p.dir, '.rivers'))
  try {
    const jobs = await store.listJobs({ runId: summary.runId })
    expect(jobs.map((j) => [j.key, j.launcher, j.state, j.exitCode]).sort()).toEqual([
      ['doubled', 'kubernetes', 'succeeded', 0],
      ['total', 'kubernetes', 'succeeded', 0],
    ])
    const created = cluster.api.requests.filter((q) => q.method === 'POST').map((q) => q.body as any)
    expect(created.map((b) => b.metadata.labels['rivers-orchestrator.io/asset'])).toEqual(['total', 'doubled'])
    expect(created[0].spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '1', memory: '64Mi' },
      limits: { cpu: '1', memory: '64Mi' },
    })
    // The function asset's Job runs the worker entry point.
    expect(created[1].spec.template.spec.containers[0].command.join(' ')).toMatch(/worker run .*--asset doubled/)
    expect((await store.currentRecord('total'))?.metrics).toEqual([{ name: 'total', value: 6 }])
    const doubled = await store.currentRecord('doubled')
    expect((doubled?.metadata as { pid?: number } | undefined)?.pid).toEqual(expect.any(Number))
    expect(JSON.parse(readFileSync(path.join(p.dir, '.rivers', 'storage', doubled!.storagePath!), 'utf8'))).toBe(12)
    const log = readFileSync(path.join(p.dir, '.rivers', 'logs', `${summary.runId}.ndjson`), 'utf8')
    expect(log).toContain('pod sees 3 numbers')
  } finally {
    await store.close()
  }
})
