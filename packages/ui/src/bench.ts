/**
 * The UI's benchmark rows (issue 15), in headless Chromium: first render of a generated 1k-asset
 * graph and of a 10k-asset / 30k-edge graph (navigation start to the first frame drawn), the asset
 * page of an asset with 1,000 runs of history, and Server-Sent-Event-to-screen latency (a run's
 * asset event, from the server's send to the frame that recoloured the node).
 *
 * Usage: npm run bench -w @rivers-orchestrator/ui   (needs Chromium: bash .ci/ui/setup.sh)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'

import { type AssetDef, asset, defineProject, openWorkspace, type Workspace } from '@rivers-orchestrator/rivers'
import type { Browser } from 'playwright-core'

import { ARTIFACTS, findChromium, launch } from './browser.fixture.js'
import { startUi, type UiServer } from './server.js'

/** One row of the report. */
export interface BenchRow {
  name: string
  size: string
  ms: number
  target: number
  detail: string
}

/**
 * A random DAG of `n` assets with about `perNode` deps each (fewer for the first ones), seeded.
 *
 * @example
 * const assets = generatedAssets(1000, 3)
 */
export function generatedAssets(n: number, perNode: number, seed = 42): AssetDef<any>[] {
  let s = seed
  const rand = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    return s / 0x7fffffff
  }
  const made: AssetDef<any>[] = []
  for (let i = 0; i < n; i++) {
    const deps: Record<string, AssetDef<any>> = {}
    for (let k = 0; k < Math.min(perNode, i); k++) {
      // Mostly recent nodes: deep graphs, as real pipelines are (depth in the hundreds at 10k).
      const j = Math.max(0, i - 1 - Math.floor(rand() * rand() * Math.min(i, 200)))
      deps[`d${j}`] = made[j]!
    }
    made.push(asset({ key: `g${Math.floor(i / 100)}/a${i}`, deps, group: `g${Math.floor(i / 1000)}` }, () => i))
  }
  return made
}

const quiet = () => new Writable({ write: (_c, _e, done) => done() })

/** Opens a workspace over a fresh store for `assets`. */
async function open(assets: AssetDef<any>[]): Promise<{ ws: Workspace; dispose(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rivers-ui-bench-'))
  const ws = await openWorkspace(defineProject({ assets }), {
    storeDir: path.join(dir, '.rivers'),
    projectDir: dir,
    logLevel: 'warn',
    logDestination: quiet(),
  })
  return {
    ws,
    async dispose() {
      await ws.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Navigation start to the graph's first frame, in a fresh page. */
async function graphRender(
  browser: Browser,
  ui: UiServer,
  screenshot?: string,
): Promise<{ ms: number; frameMs: number; bytes: number }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  let bytes = 0
  page.on('response', (r) => {
    if (r.url().endsWith('/api/graph')) void r.body().then((b) => (bytes = b.length))
  })
  await page.goto(`${ui.origin}/#/`)
  await page.waitForFunction('window.__riversGraphAt !== undefined', undefined, { timeout: 60_000 })
  const ms = (await page.evaluate('window.__riversGraphAt')) as number
  if (screenshot !== undefined) await page.screenshot({ path: screenshot })
  // Zoom frames: a wheel event and the frame it draws, ten times.
  const frameMs = (await page.evaluate(`(async () => {
    const c = document.querySelector('canvas')
    const t = performance.now()
    for (let i = 0; i < 10; i++) {
      c.dispatchEvent(new WheelEvent('wheel', { deltaY: i % 2 ? 120 : -120, clientX: 640, clientY: 400, cancelable: true }))
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
    }
    return (performance.now() - t) / 10
  })()`)) as number
  await page.close()
  return { ms, frameMs, bytes }
}

/**
 * Runs every row and returns them.
 *
 * @example
 * const rows = await runBench(executable)
 */
export async function runBench(executable: string): Promise<BenchRow[]> {
  const browser = await launch(executable)
  mkdirSync(fileURLToPath(ARTIFACTS), { recursive: true })
  const rows: BenchRow[] = []
  try {
    for (const n of [1000, 10_000]) {
      const p = await open(generatedAssets(n, 3))
      const ui = await startUi({ workspace: p.ws })
      try {
        // The browser's own first-page costs are not the UI's: load the app once on a page without the graph.
        const first = await browser.newPage()
        await first.goto(`${ui.origin}/#/runs`)
        await first.waitForSelector('h1')
        await first.close()
        const cold = await graphRender(
          browser,
          ui,
          n === 10_000 ? `${fileURLToPath(ARTIFACTS)}graph-10k.png` : undefined,
        )
        const warms = [await graphRender(browser, ui), await graphRender(browser, ui), await graphRender(browser, ui)]
        const warm = warms.sort((a, b) => a.ms - b.ms)[1]!
        const edges = (await p.ws.lineage(['*'])).edges.length
        rows.push({
          name: 'graph first render (cold server: statuses + layout)',
          size: `${n.toLocaleString()} assets, ${edges.toLocaleString()} edges`,
          ms: cold.ms,
          target: n === 1000 ? 1000 : 3000,
          detail: `JSON ${(cold.bytes / 1024).toFixed(0)} KiB; zoom step ${cold.frameMs.toFixed(1)} ms (two frames; 33 ms at 60 Hz)`,
        })
        rows.push({
          name: 'graph first render (layout cached; median of 3)',
          size: `${n.toLocaleString()} assets, ${edges.toLocaleString()} edges`,
          ms: warm.ms,
          target: n === 1000 ? 1000 : 3000,
          detail: `zoom step ${warm.frameMs.toFixed(1)} ms`,
        })
      } finally {
        await ui.close()
        await p.dispose()
      }
    }

    // An asset with 1,000 runs of history, each with a metric.
    let v = 0
    const raw = asset({ key: 'raw' }, () => 1)
    const model = asset({ key: 'model', deps: { raw } }, (_, ctx) => {
      ctx.addMetric('loss', 1 / ++v)
      ctx.addMetadata({ rows: v })
      return v
    })
    const p = await open([raw, model])
    const ui = await startUi({ workspace: p.ws })
    try {
      await p.ws.materialize({ select: ['raw'] })
      for (let i = 0; i < 1000; i++) await p.ws.materialize({ select: ['model'], force: true })
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await page.goto(`${ui.origin}/#/asset/model`)
      await page.waitForFunction('window.__riversAssetMs !== undefined', undefined, { timeout: 60_000 })
      const inPage = (await page.evaluate('window.__riversAssetMs')) as number
      const fetchMs = (await page.evaluate('window.__riversAssetFetchMs')) as number
      const total = (await page.evaluate('performance.now()')) as number
      const records = await page.locator('table tr').count()
      rows.push({
        name: 'asset page, 1,000 runs of history (fetch + draw)',
        size: `1,000 records (${records - 1} rows drawn first), a 1,000-point metric chart`,
        ms: inPage,
        target: 500,
        detail: `API ${fetchMs.toFixed(0)} ms + drawing ${(inPage - fetchMs).toFixed(0)} ms; navigation start to drawn ${total.toFixed(0)} ms`,
      })
      await page.goto(`${ui.origin}/?token=${ui.token}#/`)
      await page.waitForFunction('window.__riversGraphAt !== undefined')
      for (let i = 0; i < 20; i++) {
        const { runId } = (await (
          await fetch(`${ui.origin}/api/materialize`, {
            method: 'POST',
            headers: { authorization: `Bearer ${ui.token}` },
            body: JSON.stringify({ key: 'model', force: true }),
          })
        ).json()) as { runId: string }
        while (((await (await fetch(`${ui.origin}/api/runs/${runId}`)).json()) as { cancellable: boolean }).cancellable)
          await new Promise((r) => setTimeout(r, 20))
      }
      const lat = ((await page.evaluate('window.__riversLatencies')) as number[]).sort((a, b) => a - b)
      rows.push({
        name: 'SSE event to screen (asset event -> node recoloured)',
        size: `${lat.length} events over 20 runs`,
        ms: lat[Math.floor(lat.length * 0.95)] ?? Number.NaN,
        target: 500,
        detail: `p95; median ${lat[Math.floor(lat.length / 2)]} ms, max ${lat.at(-1)} ms`,
      })
      await page.close()
    } finally {
      await ui.close()
      await p.dispose()
    }
  } finally {
    await browser.close()
  }
  return rows
}

/**
 * The rows as a Markdown table.
 *
 * @example
 * console.log(formatRows(rows))
 */
export function formatRows(rows: readonly BenchRow[]): string {
  const lines = ['| row | size | time | target | within | notes |', '|---|---|---:|---:|---|---|']
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${r.size} | ${r.ms.toFixed(0)} ms | ≤ ${r.target} ms | ${r.ms <= r.target ? 'yes' : 'NO'} | ${r.detail} |`,
    )
  return lines.join('\n')
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const executable = findChromium()
  if (executable === undefined) {
    console.error('Chromium is missing. Fix: bash .ci/ui/setup.sh (apt-get install chromium), or set CHROMIUM_PATH.')
    process.exit(2)
  }
  const rows = await runBench(executable)
  const table = formatRows(rows)
  console.log(table)
  const out = fileURLToPath(ARTIFACTS)
  mkdirSync(out, { recursive: true })
  writeFileSync(path.join(out, 'bench.md'), `${table}\n`)
}
