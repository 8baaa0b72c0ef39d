/**
 * The REST client against a real MLflow tracking server (RIVERS_TEST_MLFLOW_URL; `.ci/run` starts
 * one): experiments, runs, batches past MLflow's per-request limits, artifacts through the proxy,
 * each read back through MLflow's own API.
 */
import { describe, expect, it } from 'vitest'
import { MlflowClient, proxiedPath } from './client.js'
import { MlflowError } from './errors.js'
import { mlflowUnavailable, TEST_MLFLOW_URL, uniqueName } from './testing.js'

describe.skipIf(mlflowUnavailable() !== undefined)('MlflowClient on a real MLflow server', () => {
  const client = () => new MlflowClient({ trackingUri: TEST_MLFLOW_URL! }, {})

  it('finds or creates an experiment once, also when two clients create it at the same time', async () => {
    const name = uniqueName('client')
    expect(await client().getExperimentByName(name)).toBeUndefined()
    const [a, b] = await Promise.all([client().ensureExperiment(name), client().ensureExperiment(name)])
    expect(a).toBe(b)
    expect(await client().getExperimentByName(name)).toBe(a)
  })

  it('logs 2,500 metric points, 150 params and 120 tags in batches MLflow accepts, and reads them back', async () => {
    const c = client()
    const experimentId = await c.ensureExperiment(uniqueName('client'))
    const run = await c.createRun({ experimentId, runName: 'big', tags: [{ key: 'rivers.asset', value: 'big' }] })
    const requests = await c.logBatch(run.run_id, {
      metrics: Array.from({ length: 2500 }, (_, i) => ({
        key: 'loss',
        value: 1 / (i + 1),
        timestamp: 1000 + i,
        step: i,
      })),
      params: Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
      tags: Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: `v${i}` })),
    })
    expect(requests).toBe(3)
    await c.updateRun(run.run_id, 'FINISHED', 5000)

    const history = await c.metricHistory(run.run_id, 'loss')
    expect(history.length).toBe(2500)
    expect(history.map((h) => h.step).sort((x, y) => x - y)).toEqual(Array.from({ length: 2500 }, (_, i) => i))
    const got = await c.getRun(run.run_id)
    expect(got.info.status).toBe('FINISHED')
    expect(got.info.end_time).toBe(5000)
    expect(got.data.params?.length).toBe(150)
    expect(got.data.params?.find((p) => p.key === 'p149')?.value).toBe('149')
    const tags = new Map(got.data.tags?.map((t) => [t.key, t.value]))
    expect(tags.get('t119')).toBe('v119')
    expect(tags.get('rivers.asset')).toBe('big')
    // The latest value of the metric (the highest step).
    expect(got.data.metrics?.find((m) => m.key === 'loss')?.step).toBe(2499)

    const found = await c.searchRuns({ experimentIds: [experimentId], filter: "tags.`rivers.asset` = 'big'" })
    expect(found.map((r) => r.info.run_id)).toEqual([run.run_id])
  })

  it('uploads an artifact through the proxy; it is listed and reads back byte for byte', async () => {
    const c = client()
    const experimentId = await c.ensureExperiment(uniqueName('client'))
    const run = await c.createRun({ experimentId })
    expect(proxiedPath(run.artifact_uri)).toMatch(new RegExp(`^${experimentId}/${run.run_id}/artifacts$`))
    const body = Buffer.from(JSON.stringify({ weights: [0.1, 0.2], name: 'é' }))
    expect(await c.uploadArtifact(run.artifact_uri, 'output/@r1 model.json', body)).toBe(true)
    const files = await c.listArtifacts(run.run_id, 'output')
    expect(files).toEqual([{ path: 'output/@r1 model.json', is_dir: false, file_size: body.length }])
    expect(await c.downloadArtifact(run.artifact_uri, 'output/@r1 model.json')).toEqual(body)
    expect(await c.uploadArtifact('file:///srv/mlruns/1/x/artifacts', 'a.json', body)).toBe(false)
  })

  it("reports MLflow's own error code for a bad request", async () => {
    const e = await client()
      .getRun('0'.repeat(32))
      .catch((e: unknown) => e)
    expect(e).toBeInstanceOf(MlflowError)
    expect((e as MlflowError).errorCode).toBe('RESOURCE_DOES_NOT_EXIST')
    expect((e as MlflowError).status).toBe(404)
  })
})
