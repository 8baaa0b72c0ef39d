/**
 * The real `assets` binary with MLflow on (MLFLOW_TRACKING_URI): `assets materialize` on a temporary
 * project logs one MLflow run per tracked materialization, read back through MLflow's REST API; with
 * the server down the run still succeeds. The first needs RIVERS_TEST_MLFLOW_URL (`.ci/run` starts a
 * server): skipped without it on a developer's machine, failing without it in CI.
 */
import { createServer } from 'node:net'
import { afterAll, describe, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../../cli/test/e2e/project.js'
import type { MlflowModule } from '../../cli/src/tracker-select.js'
import { MlflowClient } from './client.js'
import { MlflowRegistry } from './registry.js'
import { mlflowUnavailable, TEST_MLFLOW_URL, uniqueName } from './testing.js'
import { MlflowTracker } from './tracker.js'

afterAll(removeProjects)

// The CLI loads this package by import and builds the tracker from its own settings type: they agree.
const _cliSees: MlflowModule = { MlflowTracker }

/** A project whose name is `name`: raw -> model/train (config, metrics per epoch, group `training`, a model) -> report. */
function projectSource(name: string): string {
  return `import { asset, defineProject, secret } from '@rivers-orchestrator/rivers'
import { z } from 'zod'

const raw = asset({ key: 'raw' }, () => [1, 2, 3])
const train = asset(
  {
    key: 'model/train',
    group: 'training',
    kinds: ['model'],
    deps: { raw },
    config: z.object({ epochs: z.number().default(3), lr: z.number().default(0.1), apiKey: secret(z.string()).default('k-123') }),
  },
  ({ raw }, ctx) => {
    for (let e = 0; e < ctx.config.epochs; e++) ctx.addMetric('loss', 1 / (e + 1), e)
    ctx.addMetric('accuracy', 0.9)
    return { weights: raw.map((x) => x * ctx.config.lr) }
  },
)
const report = asset({ key: 'report', deps: { train } }, ({ train }) => train.weights.length)
export default defineProject({ name: ${JSON.stringify(name)}, assets: [report] })
`
}

describe.skipIf(mlflowUnavailable() !== undefined)('assets materialize with MLflow on', () => {
  test('logs the tracked asset as an MLflow run with params, metrics, tags and its output', {
    timeout: 90_000,
  }, async () => {
    const name = uniqueName('e2e')
    const p = makeProject({ 'rivers.config.ts': projectSource(name) })
    const r = await p.run(['materialize', '--json', '--config', JSON.stringify({ 'model/train': { epochs: 4 } })], {
      env: { MLFLOW_TRACKING_URI: TEST_MLFLOW_URL },
    })
    expect(r.code, r.stderr).toBe(0)
    const summary = r.json()
    expect([...summary.materialized].sort()).toEqual(['model/train', 'raw', 'report'])
    expect(r.stderr).not.toContain('tracker mlflow failed')

    const client = new MlflowClient({ trackingUri: TEST_MLFLOW_URL! }, {})
    // Only model/train has params or metrics: one run, in the experiment of its group.
    expect(await client.getExperimentByName(name)).toBeUndefined()
    const experimentId = await client.getExperimentByName(`${name}/training`)
    const runs = await client.searchRuns({ experimentIds: [experimentId!] })
    expect(runs.map((run) => [run.info.run_name, run.info.status])).toEqual([['model/train', 'FINISHED']])
    const run = runs[0]!
    expect(Object.fromEntries(run.data.params!.map((x) => [x.key, x.value]))).toEqual({
      epochs: '4',
      lr: '0.1',
      apiKey: '[redacted]',
    })
    const tags = Object.fromEntries(run.data.tags!.map((t) => [t.key, t.value]))
    expect(tags['rivers.run_id']).toBe(summary.runId)
    expect(tags['rivers.asset']).toBe('model/train')
    expect(tags['rivers.data_version']).toMatch(/^[0-9a-f]{32}$/)
    const loss = await client.metricHistory(run.info.run_id, 'loss')
    expect(loss.map((m) => m.step).sort()).toEqual([0, 1, 2, 3])
    const files = await client.listArtifacts(run.info.run_id, 'output')
    expect(files.length).toBe(1)
    const output = await client.downloadArtifact(run.info.artifact_uri, files[0]!.path)
    expect(JSON.parse(output.toString())).toEqual({ weights: [0.1, 0.2, 0.30000000000000004] })

    // model/train has the kind `model`: a version of the registered model `<project>.model.train`.
    const registry = new MlflowRegistry(client)
    const versions = await registry.versions(`${name}.model.train`)
    expect(versions.map((v) => [v.version, v.run_id, v.source])).toEqual([
      ['1', run.info.run_id, `runs:/${run.info.run_id}/output`],
    ])
    // Built again with the same config: the same data version, no new model version.
    const again = await p.run(
      ['materialize', '--json', '--force', '--config', JSON.stringify({ 'model/train': { epochs: 4 } })],
      {
        env: { MLFLOW_TRACKING_URI: TEST_MLFLOW_URL },
      },
    )
    expect(again.code, again.stderr).toBe(0)
    expect((await client.searchRuns({ experimentIds: [experimentId!] })).length).toBe(2)
    expect((await registry.versions(`${name}.model.train`)).length).toBe(1)
  })
})

// No MLflow needed: the server here is a closed port.
describe('assets materialize with MLflow down', () => {
  test('a dead tracking server does not fail the run: one warning names what was not logged', {
    timeout: 90_000,
  }, async () => {
    const s = createServer()
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
    const dead = `http://127.0.0.1:${(s.address() as { port: number }).port}`
    await new Promise<void>((resolve) => s.close(() => resolve()))
    const p = makeProject({ 'rivers.config.ts': projectSource(uniqueName('e2e-dead')) })
    const r = await p.run(['materialize', '--json'], { env: { MLFLOW_TRACKING_URI: dead } })
    expect(r.code, r.stderr).toBe(0)
    expect(r.json().status).toBe('success')
    expect(r.stderr).toContain('tracker mlflow failed (run finished): 1 materialization was not logged to MLflow')
    expect(r.stderr).toContain('model/train: MLflow tracking server at')
    const status = await p.run(['status', '--json'], { env: { MLFLOW_TRACKING_URI: dead } })
    expect(status.json().assets.every((a: { status: string }) => a.status === 'fresh')).toBe(true)
  })

  test('a MLFLOW_TRACKING_URI that is not a server is a warning, and the command runs without MLflow', {
    timeout: 60_000,
  }, async () => {
    const p = makeProject({ 'rivers.config.ts': projectSource(uniqueName('e2e-file')) })
    const r = await p.run(['materialize', '--json'], { env: { MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' } })
    expect(r.code, r.stderr).toBe(0)
    expect(r.json().status).toBe('success')
    expect(r.stderr).toContain('warning: MLFLOW_TRACKING_URI is "file:///tmp/mlruns"')
    expect(r.stderr).toContain('this command runs without MLflow')
  })
})
