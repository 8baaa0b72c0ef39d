/**
 * `MlflowTracker` given to `openWorkspace`, on a real MLflow server (RIVERS_TEST_MLFLOW_URL): the
 * engine tells it of each partition of a partitioned asset, and each becomes its own MLflow run,
 * tagged with its partition, its output uploaded from the store's storage folder.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { asset, defineProject, openWorkspace, staticPartitions } from '@rivers-orchestrator/rivers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { mlflowUnavailable, TEST_MLFLOW_URL, uniqueName } from './testing.js'
import { MlflowTracker } from './tracker.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-mlflow-ws-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe.skipIf(mlflowUnavailable() !== undefined)('MlflowTracker in a workspace', () => {
  it('logs one run per partition, tagged with it', { timeout: 60_000 }, async () => {
    const regional = asset(
      {
        key: 'model/regional',
        partitions: staticPartitions(['eu', 'us']),
        config: z.object({ depth: z.number().default(4) }),
      },
      (_deps, ctx) => {
        ctx.addMetric('rmse', ctx.partition!.key === 'eu' ? 1.5 : 2.5)
        return { region: ctx.partition!.key }
      },
    )
    const project = uniqueName('regions')
    const storeDir = path.join(dir, '.rivers')
    const tracker = new MlflowTracker({
      trackingUri: TEST_MLFLOW_URL!,
      project,
      storageDir: path.join(storeDir, 'storage'),
      env: {},
    })
    const ws = await openWorkspace(defineProject({ assets: [regional] }), {
      storeDir,
      trackers: [tracker],
      logLevel: 'silent',
    })
    let runId: string
    try {
      const summary = await ws.materialize({ partitions: ['eu', 'us'] })
      expect(summary.status).toBe('success')
      runId = summary.runId
    } finally {
      await ws.close()
    }
    const experimentId = await tracker.client.getExperimentByName(project)
    const runs = await tracker.client.searchRuns({
      experimentIds: [experimentId!],
      orderBy: ['attributes.run_name ASC'],
    })
    expect(
      runs.map((r) => {
        const tags = Object.fromEntries(r.data.tags!.map((t) => [t.key, t.value]))
        return [r.info.run_name, tags['rivers.partition'], tags['rivers.run_id'], r.data.metrics?.[0]?.value]
      }),
    ).toEqual([
      ['model/regional[eu]', 'eu', runId, 1.5],
      ['model/regional[us]', 'us', runId, 2.5],
    ])
    for (const r of runs) {
      const [file] = await tracker.client.listArtifacts(r.info.run_id, 'output')
      const body = await tracker.client.downloadArtifact(r.info.artifact_uri, file!.path)
      const partition = r.data.tags!.find((t) => t.key === 'rivers.partition')!.value
      expect(JSON.parse(body.toString())).toEqual({ region: partition })
    }
  })
})
