/**
 * The model registry mirror against a real MLflow server (RIVERS_TEST_MLFLOW_URL): a registered
 * model with versions made from tracked runs (source, run id, lineage tags), an alias promoted,
 * moved back (a rollback) and deleted, each read back through MLflow's API.
 */
import { describe, expect, it } from 'vitest'
import { MlflowClient } from './client.js'
import { MlflowRegistry } from './registry.js'
import { mlflowUnavailable, TEST_MLFLOW_URL, uniqueName } from './testing.js'

describe.skipIf(mlflowUnavailable() !== undefined)('MlflowRegistry on a real MLflow server', () => {
  it('registers versions with their run and lineage, promotes, rolls back and deletes an alias', async () => {
    const client = new MlflowClient({ trackingUri: TEST_MLFLOW_URL! }, {})
    const registry = new MlflowRegistry(client)
    const experimentId = await client.ensureExperiment(uniqueName('registry'))
    const name = uniqueName('logreg')
    expect(await registry.getModel(name)).toBeUndefined()

    const made = []
    for (const accuracy of [0.81, 0.86]) {
      const run = await client.createRun({ experimentId, runName: 'model/logreg' })
      await client.uploadArtifact(run.artifact_uri, 'output/model.json', Buffer.from('{}'))
      await client.updateRun(run.run_id, 'FINISHED')
      made.push(
        await registry.createVersion(name, {
          source: `runs:/${run.run_id}/output`,
          runId: run.run_id,
          tags: [
            { key: 'rivers.data_version', value: `dv-${accuracy}` },
            { key: 'rivers.metric.accuracy', value: String(accuracy) },
          ],
        }),
      )
    }
    expect(made.map((v) => v.version)).toEqual(['1', '2'])

    const versions = await registry.versions(name)
    expect(versions.map((v) => [v.version, v.run_id, v.source])).toEqual(
      made.map((v) => [v.version, v.run_id, `runs:/${v.run_id}/output`]),
    )
    const v2 = await registry.getVersion(name, '2')
    expect(Object.fromEntries(v2.tags!.map((t) => [t.key, t.value]))).toMatchObject({
      'rivers.data_version': 'dv-0.86',
      'rivers.metric.accuracy': '0.86',
    })

    await registry.setAlias(name, 'champion', '1')
    await registry.setAlias(name, 'challenger', '2')
    expect(await registry.aliases(name)).toEqual({ champion: '1', challenger: '2' })
    // Promote the challenger, then roll back to the previous champion.
    await registry.setAlias(name, 'champion', '2')
    expect((await registry.versionByAlias(name, 'champion'))?.version).toBe('2')
    await registry.setAlias(name, 'champion', '1')
    expect((await registry.versionByAlias(name, 'champion'))?.version).toBe('1')
    expect((await registry.getVersion(name, '1')).aliases).toEqual(['champion'])

    await registry.deleteAlias(name, 'challenger')
    expect(await registry.aliases(name)).toEqual({ champion: '1' })
    expect(await registry.versionByAlias(name, 'challenger')).toBeUndefined()
    expect(await registry.versionByAlias(uniqueName('no-such-model'), 'champion')).toBeUndefined()
    // The mirror of Rivers' aliases: what differs is set, what Rivers dropped is deleted.
    expect(await registry.syncAliases(name, { champion: '2', challenger: '1' })).toEqual({
      set: { champion: '2', challenger: '1' },
      deleted: [],
    })
    expect(await registry.syncAliases(name, { champion: '2' })).toEqual({ set: {}, deleted: ['challenger'] })
    expect(await registry.aliases(name)).toEqual({ champion: '2' })
    // Creating a model that exists is a no-op.
    await registry.ensureModel(name)
    expect((await registry.versions(name)).length).toBe(2)
  })
})
