/**
 * Fills the store of a generated project with one consistent "everything materialized and fresh"
 * state, much faster than running it: one record per asset written through the store's own API, with
 * the code versions and config hashes the engine computes, sources recorded at their observed
 * versions, and every consumer recording the data versions its deps have. Status must then report
 * every asset fresh, and the benchmark checks that it does.
 */
import { hashStrings } from '@rivers-orchestrator/native'
import { openWorkspace, type Project } from '@rivers-orchestrator/rivers'

/**
 * Writes the records; resolves to the number written.
 * @example await populateStore(generatedProject(100_000), '.work/store')
 */
export async function populateStore(project: Project, storeDir: string, projectDir: string): Promise<number> {
  const ws = await openWorkspace(project, { storeDir, projectDir, logLevel: 'silent' })
  try {
    await ws.observe()
    const st = ws.state
    const n = st.size
    const data: Buffer[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const a = st.asset(i)
      data[i] = Buffer.from(a.isSource ? st.dataVersion[i]! : hashStrings('data-version', [`data-${a.key}`]), 'hex')
    }
    const runId = 'populate-0'
    ws.store.beginRun({ id: runId, selection: ['*'], force: false })
    const at = new Date()
    for (let i = 0; i < n; i++) {
      const a = st.asset(i)
      ws.store.recordMaterialization({
        runId,
        key: a.key,
        ...(a.isSource ? { kind: 'observation' as const } : {}),
        codeVersion: Buffer.from(st.code[i]!, 'hex'),
        configHash: Buffer.from(st.configHash[i]!, 'hex'),
        dataVersion: data[i]!,
        inputs: a.deps.map((d) => ({ key: d.key, dataVersion: data[st.ids.get(d.key)!]! })),
        startedAt: at,
        finishedAt: at,
      })
    }
    ws.store.finishRun(runId, 'success', { populated: n })
    return n
  } finally {
    ws.close()
  }
}
