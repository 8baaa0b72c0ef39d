/**
 * Fills the store of a generated project with one consistent "everything materialized and fresh"
 * state, much faster than running it: one record per asset written through the store's own API, with
 * the code versions and config hashes the engine computes, sources recorded at their observed
 * versions, and every consumer recording the data versions its deps have. Status must then report
 * every asset fresh, and the benchmark checks that it does.
 */
import { hashStrings } from '@rivers-orchestrator/native'
import { openWorkspace, type Project } from '@rivers-orchestrator/rivers'
import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'

/**
 * Writes the records; resolves to the number written.
 * @example await populateStore(generatedProject(100_000), '.work/store')
 */
export async function populateStore(project: Project, storeDir: string, projectDir: string): Promise<number> {
  const store = SqliteStore.open(storeDir)
  const ws = await openWorkspace(project, { storeDir, projectDir, store, logLevel: 'silent' })
  try {
    const versions = await ws.versions()
    const index = new Map(versions.map((v, i) => [v.key, i]))
    const n = versions.length
    const data: Buffer[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const a = project.assets[i]!
      data[i] = Buffer.from(
        a.isSource ? versions[i]!.dataVersion : hashStrings('data-version', [`data-${a.key}`]),
        'hex',
      )
    }
    const runId = 'populate-0'
    await store.beginRun({ id: runId, selection: ['*'], force: false })
    const at = new Date()
    for (let i = 0; i < n; i++) {
      const a = project.assets[i]!
      await store.recordMaterialization({
        runId,
        key: a.key,
        ...(a.isSource ? { kind: 'observation' as const } : {}),
        codeVersion: Buffer.from(versions[i]!.codeVersion, 'hex'),
        configHash: Buffer.from(versions[i]!.configHash, 'hex'),
        dataVersion: data[i]!,
        inputs: a.deps.map((d) => ({ key: d.key, dataVersion: data[index.get(d.key)!]! })),
        startedAt: at,
        finishedAt: at,
      })
    }
    await store.finishRun(runId, 'success', { populated: n })
    return n
  } finally {
    await ws.close()
  }
}
