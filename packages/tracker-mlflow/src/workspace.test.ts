/**
 * `MlflowTracker` given to `openWorkspace`, on a real MLflow server (RIVERS_TEST_MLFLOW_URL): the
 * engine tells it of each partition of a partitioned asset, and each becomes its own MLflow run,
 * tagged with its partition, its output uploaded from the store's storage folder; a model asset
 * (spec `model`) registers its versions in MLflow's registry, whose alias follows the Rivers
 * registry's promotions and rollbacks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { asset, defineProject, openWorkspace, staticPartitions } from '@rivers-orchestrator/rivers'
import { Writable } from 'node:stream'
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

  it('mirrors the Rivers model registry: a version per new data version, the alias moved by promote and rollback', {
    timeout: 90_000,
  }, async () => {
    const name = uniqueName('churn')
    const features = asset({ key: 'features/churn' }, () => [[0.1, 0.2]])
    const model = asset(
      {
        key: 'model/churn',
        deps: { features },
        config: z.object({ quality: z.number().default(0.9) }),
        model: { name, gate: { accuracy: { notBelowCurrent: true } } },
      },
      async (_deps: unknown, ctx) => {
        ctx.addMetric('accuracy', ctx.config.quality)
        const notes = path.join(dir, 'notes.txt')
        writeFileSync(notes, `quality ${ctx.config.quality}`)
        await ctx.attach(notes)
        return { weights: [ctx.config.quality] }
      },
    )
    const storeDir = path.join(dir, '.rivers')
    const experiment = uniqueName('models')
    const tracker = new MlflowTracker({
      trackingUri: TEST_MLFLOW_URL!,
      project: experiment,
      storageDir: path.join(storeDir, 'storage'),
      env: {},
    })
    const warnings: string[] = []
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        warnings.push(String(chunk))
        done()
      },
    })
    const ws = await openWorkspace(defineProject({ assets: [model] }), {
      storeDir,
      trackers: [tracker],
      logLevel: 'warn',
      logDestination,
    })
    try {
      await ws.materialize()
      await ws.materialize({ config: { 'model/churn': { quality: 0.95 } } })
      await tracker.flush()
      const versions = await tracker.registry.versions(name)
      expect(versions.map((v) => v.version)).toEqual(['1', '2'])
      const dataOf = (v: (typeof versions)[number]) => v.tags?.find((t) => t.key === 'rivers.data_version')?.value
      const rivers = (await ws.models.model('model/churn')).versions
      expect(versions.map(dataOf)).toEqual(rivers.map((v) => v.dataVersion))
      // Each version names what it was built from, as the Rivers record does.
      const [featuresRecord] = (await ws.show('features/churn')).history
      for (const v of versions)
        expect(v.tags).toContainEqual({ key: 'rivers.input.features/churn', value: featuresRecord!.dataVersion })
      // The file the asset attached went up with each run, beside the output.
      const experimentId = await tracker.client.getExperimentByName(experiment)
      const runs = await tracker.client.searchRuns({ experimentIds: [experimentId!] })
      expect(runs).toHaveLength(2)
      for (const r of runs) {
        const [file] = await tracker.client.listArtifacts(r.info.run_id, 'attachments')
        expect(file?.path).toBe('attachments/notes.txt')
        const body = await tracker.client.downloadArtifact(r.info.artifact_uri, file!.path)
        expect(body.toString()).toMatch(/^quality 0\.9/)
      }

      await ws.models.promote('model/churn', { alias: 'champion', version: 1 })
      expect((await tracker.registry.versionByAlias(name, 'champion'))?.version).toBe('1')
      await ws.models.promote('model/churn', { alias: 'champion' })
      expect((await tracker.registry.versionByAlias(name, 'champion'))?.version).toBe('2')
      await ws.models.rollback('model/churn', { alias: 'champion', reason: 'back' })
      expect((await tracker.registry.versionByAlias(name, 'champion'))?.version).toBe('1')
      expect(warnings.join('')).not.toMatch(/tracker mlflow failed/)
    } finally {
      await ws.close()
    }
  })
})
