/**
 * `MlflowTracker` against a real MLflow tracking server (RIVERS_TEST_MLFLOW_URL; `.ci/run` starts
 * one): the tracker conformance suite, and what it logs read back through MLflow's own REST API
 * (runs/search, params, metric history, tags, artifacts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { trackerConformance } from '@rivers-orchestrator/conformance'
import type { TrackedMaterialization } from '@rivers-orchestrator/rivers'
import { afterAll, describe, expect, it } from 'vitest'
import { MlflowClient } from './client.js'
import { mlflowUnavailable, TEST_MLFLOW_URL, uniqueName } from './testing.js'
import { MlflowTracker } from './tracker.js'

const available = mlflowUnavailable() === undefined
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

if (available)
  trackerConformance('MlflowTracker', async () => {
    const experiment = uniqueName('conformance')
    const tracker = new MlflowTracker({ trackingUri: TEST_MLFLOW_URL!, experiment, env: {} })
    let next = 1
    return {
      tracker,
      newRecordId: async () => next++,
      paramsOf: async (recordId) => {
        await tracker.flush()
        const logged = tracker.loggedRun(recordId)
        if (logged === undefined) throw new Error(`record ${recordId} was not logged`)
        const runs = await tracker.client.searchRuns({
          experimentIds: [logged.experimentId],
          filter: `tags.\`rivers.record_id\` = '${recordId}'`,
        })
        expect(runs.map((r) => r.info.run_id)).toEqual([logged.mlflowRunId])
        const tag = runs[0]!.data.tags?.find((t) => t.key === 'rivers.params')
        return tag === undefined ? null : JSON.parse(tag.value)
      },
    }
  })

const materialization = (extra: Partial<TrackedMaterialization> = {}): TrackedMaterialization => ({
  runId: 'r-mlflow-1',
  assetKey: 'model/train',
  recordId: 7,
  params: { epochs: 3, optimizer: { name: 'adam', lr: 0.01 }, token: '[redacted]' },
  metrics: [
    { name: 'loss', value: 0.9, step: 0 },
    { name: 'loss', value: 0.4, step: 1 },
    { name: 'accuracy', value: 0.93 },
  ],
  metadata: { rows: 120, framework: 'torch' },
  dataVersion: '17ac24a7c55bfb6a038b5fb196d27e63',
  codeVersion: 'b93de105adc28f5d1f8fa6773400273c',
  storagePath: 'model/train/@r1.json',
  startedAt: new Date('2026-01-01T00:00:00.000Z'),
  finishedAt: new Date('2026-01-01T00:00:02.000Z'),
  ...extra,
})

describe.skipIf(!available)('MlflowTracker on a real MLflow server', () => {
  it('logs one run per materialization: params, metrics with steps, tags and the output as an artifact', async () => {
    const storage = mkdtempSync(path.join(tmpdir(), 'rivers-mlflow-'))
    dirs.push(storage)
    mkdirSync(path.join(storage, 'model/train'), { recursive: true })
    writeFileSync(path.join(storage, 'model/train/@r1.json'), '{"weights":[0.5]}')
    const project = uniqueName('shop')
    const tracker = new MlflowTracker({
      trackingUri: TEST_MLFLOW_URL!,
      project,
      groupOf: (key) => (key.startsWith('model/') ? 'training' : undefined),
      storageDir: storage,
      env: {},
    })
    await tracker.materialized(
      materialization({
        partition: '2026-01-01',
        inputs: [
          { key: 'features/train', dataVersion: 'a1'.repeat(16) },
          { key: 'events/daily', dataVersion: 'b2'.repeat(16), partition: '2025-12-25...2025-12-31' },
        ],
      }),
    )
    await tracker.runFinished({
      runId: 'r-mlflow-1',
      status: 'success',
      durationMs: 2000,
      materialized: ['model/train'],
      failed: [],
      finishedAt: new Date(),
    })

    // Read back through MLflow's API only: the experiment is named after the project and the group.
    const client = new MlflowClient({ trackingUri: TEST_MLFLOW_URL! }, {})
    const experimentId = await client.getExperimentByName(`${project}/training`)
    expect(experimentId).toBeDefined()
    const runs = await client.searchRuns({ experimentIds: [experimentId!] })
    expect(runs.length).toBe(1)
    const run = runs[0]!
    expect(run.info).toMatchObject({
      run_name: 'model/train[2026-01-01]',
      status: 'FINISHED',
      start_time: Date.parse('2026-01-01T00:00:00.000Z'),
      end_time: Date.parse('2026-01-01T00:00:02.000Z'),
    })
    expect(Object.fromEntries(run.data.params!.map((p) => [p.key, p.value]))).toEqual({
      epochs: '3',
      'optimizer.name': 'adam',
      'optimizer.lr': '0.01',
      token: '[redacted]',
    })
    const tags = Object.fromEntries(run.data.tags!.map((t) => [t.key, t.value]))
    expect(tags).toMatchObject({
      'rivers.asset': 'model/train',
      'rivers.partition': '2026-01-01',
      'rivers.group': 'training',
      'rivers.run_id': 'r-mlflow-1',
      'rivers.record_id': '7',
      'rivers.code_version': 'b93de105adc28f5d1f8fa6773400273c',
      'rivers.data_version': '17ac24a7c55bfb6a038b5fb196d27e63',
      'rivers.storage_path': 'model/train/@r1.json',
      'rivers.metadata.rows': '120',
      'rivers.metadata.framework': 'torch',
      // Its lineage: each input's data version (the partitions read, for a partitioned input).
      'rivers.input.features/train': 'a1'.repeat(16),
      'rivers.input.events/daily:2025-12-25...2025-12-31': 'b2'.repeat(16),
    })
    expect(JSON.parse(tags['rivers.params']!)).toEqual(materialization().params)
    const loss = await client.metricHistory(run.info.run_id, 'loss')
    expect(loss.map((m) => [m.step, m.value]).sort()).toEqual([
      [0, 0.9],
      [1, 0.4],
    ])
    expect((await client.metricHistory(run.info.run_id, 'accuracy')).map((m) => [m.step, m.value])).toEqual([[0, 0.93]])
    expect(await client.listArtifacts(run.info.run_id, 'output')).toEqual([
      { path: 'output/@r1.json', is_dir: false, file_size: 17 },
    ])
    expect((await client.downloadArtifact(run.info.artifact_uri, 'output/@r1.json')).toString()).toBe(
      '{"weights":[0.5]}',
    )
  })

  it('tracks the assets its patterns name, by default those with params or metrics', async () => {
    const experiment = uniqueName('patterns')
    const only = new MlflowTracker({ trackingUri: TEST_MLFLOW_URL!, experiment, assets: ['model/*'], env: {} })
    expect(only.tracks('model/train')).toBe(true)
    expect(only.tracks('raw')).toBe(false)
    await only.materialized(materialization({ assetKey: 'raw', recordId: 1 }))
    await only.materialized(materialization({ assetKey: 'model/eval', recordId: 2 }))
    await only.flush()
    expect(only.loggedRun(1)).toBeUndefined()
    expect(only.loggedRun(2)?.assetKey).toBe('model/eval')

    const byDefault = new MlflowTracker({ trackingUri: TEST_MLFLOW_URL!, experiment, env: {} })
    expect(byDefault.tracks('raw', { params: undefined, metrics: [] })).toBe(false)
    expect(byDefault.tracks('raw', { params: undefined, metrics: [{ name: 'rows', value: 3 }] })).toBe(true)
    expect(byDefault.tracks('raw', { params: {}, metrics: [] })).toBe(true)
    // An output file that is gone is not uploaded; a tag says why.
    const gone = new MlflowTracker({ trackingUri: TEST_MLFLOW_URL!, experiment, storageDir: '/nonexistent', env: {} })
    await gone.materialized(materialization({ recordId: 3 }))
    await gone.flush()
    const run = await gone.client.getRun(gone.loggedRun(3)!.mlflowRunId)
    expect(run.data.tags?.find((t) => t.key === 'rivers.artifact_skipped')?.value).toBe(
      'no file at /nonexistent/model/train/@r1.json',
    )
    expect(await gone.client.listArtifacts(run.info.run_id)).toEqual([])
  })

  it('registers a model asset as a new model version when its data version changes, with its lineage', async () => {
    const storage = mkdtempSync(path.join(tmpdir(), 'rivers-mlflow-'))
    dirs.push(storage)
    mkdirSync(path.join(storage, 'model/train'), { recursive: true })
    writeFileSync(path.join(storage, 'model/train/@r1.json'), '{"weights":[0.5]}')
    const project = uniqueName('models')
    const tracker = new MlflowTracker({
      trackingUri: TEST_MLFLOW_URL!,
      project,
      models: ['model/*'],
      storageDir: storage,
      env: {},
    })
    // A model is tracked even without params or metrics.
    expect(tracker.tracks('model/train', { params: undefined, metrics: [] })).toBe(true)
    await tracker.materialized(materialization({ recordId: 1, dataVersion: 'a'.repeat(32) }))
    await tracker.materialized(materialization({ recordId: 2, dataVersion: 'a'.repeat(32) })) // same output
    await tracker.materialized(
      materialization({ recordId: 3, dataVersion: 'b'.repeat(32), storagePath: undefined, metrics: [] }),
    )
    await tracker.flush()
    const name = `${project}.model.train`
    expect([1, 2, 3].map((id) => tracker.loggedRun(id)?.modelVersion)).toEqual([
      { name, version: '1' },
      undefined,
      { name, version: '2' },
    ])
    const versions = await tracker.registry.versions(name)
    expect(versions.map((v) => [v.version, v.run_id, v.source])).toEqual([
      ['1', tracker.loggedRun(1)!.mlflowRunId, `runs:/${tracker.loggedRun(1)!.mlflowRunId}/output`],
      ['2', tracker.loggedRun(3)!.mlflowRunId, `runs:/${tracker.loggedRun(3)!.mlflowRunId}`],
    ])
    const tags = Object.fromEntries((await tracker.registry.getVersion(name, '1')).tags!.map((t) => [t.key, t.value]))
    expect(tags).toEqual({
      'rivers.asset': 'model/train',
      'rivers.data_version': 'a'.repeat(32),
      'rivers.code_version': 'b93de105adc28f5d1f8fa6773400273c',
      'rivers.run_id': 'r-mlflow-1',
      'rivers.record_id': '1',
      'rivers.metric.loss': '0.4',
      'rivers.metric.accuracy': '0.93',
    })
  })
})
