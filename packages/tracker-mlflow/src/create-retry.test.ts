/**
 * A `runs/create` whose answer is lost (the server made the run, the connection broke before the
 * answer came back) is retried without making a second run: the tracker looks for the run by its
 * Rivers ids before it sends the create again. The server is the real MLflow server of
 * RIVERS_TEST_MLFLOW_URL; between it and the tracker, a proxy on 127.0.0.1 drops the first answer
 * to a create, as a network failure would.
 */
import { createServer, request, type Server } from 'node:http'
import type { TrackedMaterialization } from '@rivers-orchestrator/rivers'
import { afterEach, describe, expect, it } from 'vitest'
import { MlflowClient } from './client.js'
import { mlflowUnavailable, TEST_MLFLOW_URL, uniqueName } from './testing.js'
import { MlflowTracker } from './tracker.js'

const available = mlflowUnavailable() === undefined
const CREATE = '/api/2.0/mlflow/runs/create'

/** A proxy to the MLflow server that forwards everything and loses the answer to the first create. */
async function lossyProxy(target: string): Promise<{ url: string; creates: () => number; server: Server }> {
  let creates = 0
  const upstream = new URL(target)
  const server = createServer((req, res) => {
    const isCreate = req.method === 'POST' && req.url?.startsWith(CREATE) === true
    if (isCreate) creates++
    const lose = isCreate && creates === 1
    const out = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (lose) {
          // The server did the create; its answer never reaches the client.
          answer.resume()
          answer.on('end', () => res.socket?.destroy())
          return
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    out.on('error', () => res.socket?.destroy())
    req.pipe(out)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, creates: () => creates, server }
}

let proxy: Awaited<ReturnType<typeof lossyProxy>> | undefined
afterEach(async () => {
  await new Promise<void>((resolve) => (proxy === undefined ? resolve() : proxy.server.close(() => resolve())))
  proxy = undefined
})

const materialization = (recordId: number): TrackedMaterialization => ({
  runId: `r-${uniqueName('create')}`,
  assetKey: 'model/train',
  recordId,
  params: { epochs: 2 },
  metrics: [{ name: 'accuracy', value: 0.9 }],
  metadata: {},
  dataVersion: '17ac24a7c55bfb6a038b5fb196d27e63',
  codeVersion: 'b93de105adc28f5d1f8fa6773400273c',
  startedAt: new Date('2026-01-01T00:00:00.000Z'),
  finishedAt: new Date('2026-01-01T00:00:02.000Z'),
})

describe.skipIf(!available)('a create whose answer is lost', () => {
  it('is sent again as it is by a plain create: MLflow then has two runs (why the tracker does not)', async () => {
    proxy = await lossyProxy(TEST_MLFLOW_URL!)
    const client = new MlflowClient({ trackingUri: proxy.url, retries: 2, backoffMs: 50 }, {})
    const experimentId = await client.ensureExperiment(uniqueName('lost-create-plain'))
    const tags = [{ key: 'rivers.record_id', value: '1' }]
    await client.createRun({ experimentId, tags })
    expect(proxy.creates()).toBe(2)
    expect(await client.searchRuns({ experimentIds: [experimentId] })).toHaveLength(2)
  })

  it('makes one MLflow run for one materialization, found by its Rivers ids, and logs it fully', async () => {
    proxy = await lossyProxy(TEST_MLFLOW_URL!)
    const experiment = uniqueName('lost-create')
    const tracker = new MlflowTracker({ trackingUri: proxy.url, experiment, retries: 2, backoffMs: 50, env: {} })
    const m = materialization(11)
    await tracker.materialized(m)
    await tracker.flush()
    // One create reached the server; the retry found its run instead of sending another.
    expect(proxy.creates()).toBe(1)
    const direct = new MlflowClient({ trackingUri: TEST_MLFLOW_URL! }, {})
    const experimentId = await direct.ensureExperiment(experiment)
    const runs = await direct.searchRuns({ experimentIds: [experimentId] })
    expect(runs).toHaveLength(1)
    expect(runs[0]!.info.run_id).toBe(tracker.loggedRun(11)?.mlflowRunId)
    expect(runs[0]!.info.status).toBe('FINISHED')
    expect(runs[0]!.data.params).toEqual([{ key: 'epochs', value: '2' }])
    expect(runs[0]!.data.tags).toEqual(expect.arrayContaining([{ key: 'rivers.run_id', value: m.runId }]))
  })
})
