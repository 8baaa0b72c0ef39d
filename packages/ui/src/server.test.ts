import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { api, events } from './http.fixture.js'
import { holdSlow, openFixture, release } from './project.fixture.js'
import { startUi, type UiServer } from './server.js'

let fixture: Awaited<ReturnType<typeof openFixture>>
let ui: UiServer

beforeAll(async () => {
  fixture = await openFixture()
  ui = await startUi({ workspace: fixture.ws })
})
afterAll(async () => {
  release()
  await ui.close()
  await fixture.dispose()
})

/** Materializes through the API and waits for the run's end; returns its id. */
async function runToEnd(body: unknown): Promise<string> {
  const stream = events(`${ui.origin}/api/events`)
  try {
    await new Promise((r) => setTimeout(r, 50))
    const started = await api(ui, 'POST', '/api/materialize', { token: true, body })
    expect(started.status, JSON.stringify(started.body)).toBe(202)
    const { runId } = started.body as { runId: string }
    await stream.next((e) => e.event === 'run' && e.data.runId === runId && e.data.status !== 'running')
    return runId
  } finally {
    stream.close()
  }
}

describe('the UI server', () => {
  it('listens on 127.0.0.1 and prints a URL with its token', () => {
    expect(ui.host).toBe('127.0.0.1')
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/?token=${ui.token}`)
    expect(ui.token).toMatch(/^[0-9a-f]{32}$/)
  })

  it('serves the app', async () => {
    const res = await fetch(`${ui.origin}/`)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(await res.text()).toContain('<script type="module"')
    expect((await fetch(`${ui.origin}/../package.json`)).status).toBe(404)
  })

  it('GET /api/graph: keys, edges, layered layout, statuses and groups', async () => {
    const { status, body } = await api(ui, 'GET', '/api/graph')
    expect(status).toBe(200)
    const at = (k: string) => body.keys.indexOf(k)
    expect(body.keys.sort()).toEqual(['features', 'model', 'raw', 'regions', 'slow'])
    const g = (await api(ui, 'GET', '/api/graph')).body
    const i = (k: string) => g.keys.indexOf(k)
    expect(g.layer[i('raw')]).toBe(0)
    expect(g.layer[i('features')]).toBe(1)
    expect(g.layer[i('model')]).toBe(2)
    expect(g.edges.length).toBe(6)
    expect(g.groups[g.group[i('model')]]).toBe('ml')
    expect(g.hash).toBe(body.hash)
    expect(at('raw')).toBeGreaterThanOrEqual(0)
    expect(new Set(g.status)).toContain('missing')
  })

  it('GET /api/graph?collapse= folds a group into one node, its edges merged', async () => {
    const { body } = await api(ui, 'GET', '/api/graph?collapse=ml&select=model')
    expect(body.keys.sort()).toEqual(['group:ml', 'raw', 'regions', 'slow'])
    const i = (k: string) => body.keys.indexOf(k)
    expect(body.members[i('group:ml')]).toBe(2)
    expect(body.memberOf).toEqual({ features: 'group:ml', model: 'group:ml' })
    expect(body.edges.length).toBe(4)
    expect(body.layer[i('group:ml')]).toBe(1)
    expect(body.selected).toEqual([i('group:ml')])
    expect((await api(ui, 'GET', '/api/graph?collapse=*')).body.keys.sort()).toEqual([
      'group:ingest',
      'group:ml',
      'regions',
      'slow',
    ])
  })

  it('GET /api/graph?select= runs the selection language, and its errors are 400 with the caret', async () => {
    const { body } = await api(ui, 'GET', `/api/graph?select=${encodeURIComponent('+features')}`)
    expect(body.selected.map((i: number) => body.keys[i]).sort()).toEqual(['features', 'raw'])
    const bad = await api(ui, 'GET', `/api/graph?select=${encodeURIComponent('tag:tier=gold and (')}`)
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('^')
  })

  it('POST /api/materialize runs the selection; events, runs, run page, logs and asset page follow', async () => {
    const runId = await runToEnd({ select: ['+model'] })
    const runs = (await api(ui, 'GET', '/api/runs')).body.runs
    expect(runs[0]).toMatchObject({ runId, status: 'success', materialized: 3 })
    expect(runs[0].durationMs).toBeGreaterThanOrEqual(0)

    const run = (await api(ui, 'GET', `/api/runs/${runId}`)).body
    expect(run.timeline.map((t: { key: string }) => t.key)).toEqual(['raw', 'features', 'model'])
    expect(run.cancellable).toBe(false)

    const logs = (await api(ui, 'GET', `/api/runs/${runId}/logs`)).body
    expect(logs.records.some((r: { msg?: string }) => r.msg === 'trained 3 epochs')).toBe(true)

    const graph = (await api(ui, 'GET', '/api/graph')).body
    expect(graph.status[graph.keys.indexOf('model')]).toBe('fresh')

    await runToEnd({ key: 'model', force: true })
    const model = (await api(ui, 'GET', '/api/assets/model')).body
    expect(model.info.key).toBe('model')
    expect(model.status.status).toBe('fresh')
    expect(model.upstream).toEqual(['features'])
    expect(model.metrics.auc.map((p: { value: number }) => p.value)).toEqual(
      [0.85, 0.9].map((v) => expect.closeTo(v, 6)),
    )
    expect(model.history[0].config).toEqual({ epochs: 3 })
    expect(model.history[0].metadata).toMatchObject({ rows: 4 })
    expect((await api(ui, 'GET', '/api/assets/features')).body.downstream).toEqual(['model'])
  })

  it('GET /api/runs/ID/logs streams a live run over SSE; cancel stops it', async () => {
    holdSlow()
    const started = await api(ui, 'POST', '/api/materialize', { token: true, body: { key: 'slow', force: true } })
    expect(started.status).toBe(202)
    const { runId } = started.body
    const busy = await api(ui, 'POST', '/api/materialize', { token: true, body: { key: 'raw' } })
    expect(busy.status).toBe(409)
    expect(busy.body.error.message).toContain(runId)

    const log = events(`${ui.origin}/api/runs/${runId}/logs`)
    const t0 = Date.now()
    await log.next((e) => e.event === 'log' && e.data.msg === 'slow started')
    expect(Date.now() - t0).toBeLessThan(1000)
    expect((await api(ui, 'GET', `/api/runs/${runId}`)).body.cancellable).toBe(true)
    expect(
      (await api(ui, 'GET', '/api/graph')).body.status[(await api(ui, 'GET', '/api/graph')).body.keys.indexOf('slow')],
    ).toBe('running')

    const stream = events(`${ui.origin}/api/events`)
    const cancel = await api(ui, 'POST', `/api/runs/${runId}/cancel`, { token: true })
    expect(cancel.status).toBe(202)
    await stream.next((e) => e.event === 'run' && e.data.runId === runId && e.data.status === 'cancelled')
    await log.next((e) => e.event === 'end')
    stream.close()
    log.close()
  })

  it('POST /api/backfill runs a range of partitions in batches; the asset shows them as ranges', async () => {
    const stream = events(`${ui.origin}/api/events`)
    try {
      const graph = (await api(ui, 'GET', '/api/graph')).body
      expect(graph.partitions[graph.keys.indexOf('regions')]).toEqual([4, 0, 0, 4])
      const bad = await api(ui, 'POST', '/api/backfill', { token: true, body: { key: 'regions', from: 'eu' } })
      expect(bad.status).toBe(400)
      const started = await api(ui, 'POST', '/api/backfill', {
        token: true,
        body: { key: 'regions', from: 'eu', to: 'asia', batch: 2 },
      })
      expect(started.status, JSON.stringify(started.body)).toBe(202)
      const runs = new Set<string>()
      for (let i = 0; i < 2; i++) {
        const e = await stream.next((x) => x.event === 'run' && x.data.status === 'success' && !runs.has(x.data.runId))
        runs.add(e.data.runId)
      }
      expect(runs.has(started.body.runId)).toBe(true)
      const regions = (await api(ui, 'GET', '/api/assets/regions')).body
      expect(regions.partitionRuns.runs).toEqual([
        { from: 'eu', to: 'asia', count: 3, status: 'fresh' },
        { from: 'africa', to: 'africa', count: 1, status: 'missing' },
      ])
    } finally {
      stream.close()
    }
  })

  it('reports runs of other processes (seen in the store) on /api/events', async () => {
    const stream = events(`${ui.origin}/api/events`)
    try {
      await new Promise((r) => setTimeout(r, 1500)) // the first read of the store only learns what is there
      const summary = await fixture.ws.materialize({ select: ['raw'], force: true })
      const e = await stream.next((x) => x.event === 'run' && x.data.runId === summary.runId, 5000)
      expect(e.data.status).toBe('success')
      await stream.next((x) => x.event === 'graph', 5000)
    } finally {
      stream.close()
    }
  })

  it('answers unknown assets, runs and endpoints with 404 and a fix', async () => {
    const asset = await api(ui, 'GET', '/api/assets/modle')
    expect(asset.status).toBe(404)
    expect(asset.body.error.message).toContain('did you mean "model"')
    expect((await api(ui, 'GET', '/api/runs/nope')).status).toBe(404)
    expect((await api(ui, 'GET', '/api/nope')).body.error.code).toBe('RIVERS_UI_NOT_FOUND')
    const cancel = await api(ui, 'POST', '/api/runs/nope/cancel', { token: true })
    expect(cancel.status).toBe(409)
    const bad = await api(ui, 'POST', '/api/materialize', { token: true, body: { select: 'model' } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('Fix: send a JSON body')
  })

  it('GET /api/automation lists decisions (none in this store)', async () => {
    expect((await api(ui, 'GET', '/api/automation')).body).toEqual({ decisions: [] })
  })
})
