/**
 * The app in a real browser (headless Chromium, issue 15): each page loads without console errors;
 * screenshots of the graph, an asset page with a metric chart and a live run go to artifacts/; a
 * click on "Materialize" starts a run whose log lines appear within 1 s; the token is enforced.
 * Skipped without Chromium locally; in CI (`CI` set) a missing Chromium fails (.ci/ui/setup.sh installs it).
 */
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { ARTIFACTS, findChromium, launch } from './browser.fixture.js'
import { api } from './http.fixture.js'
import { holdSlow, openFixture, release } from './project.fixture.js'
import { startUi, type UiServer } from './server.js'

const executable = findChromium()
if (executable === undefined && process.env.CI)
  throw new Error('Chromium is missing: CI must install it (bash .ci/ui/setup.sh, or apt-get install -y chromium)')
const shots = fileURLToPath(ARTIFACTS)

let fixture: Awaited<ReturnType<typeof openFixture>>
let ui: UiServer
let browser: Browser

/** A page that records console errors and page errors. */
async function open(path: string, withToken = true): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(`${ui.origin}/${withToken ? `?token=${ui.token}` : ''}${path}`)
  return { page, errors }
}

describe.skipIf(executable === undefined)('the app in headless Chromium', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true })
    fixture = await openFixture()
    ui = await startUi({ workspace: fixture.ws })
    browser = await launch(executable!)
    // Two runs of the model: its page has an auc chart with two points.
    for (const force of [false, true]) {
      const { body } = await api(ui, 'POST', '/api/materialize', {
        token: true,
        body: { key: 'model', upstream: true, force },
      })
      expect(body.runId, JSON.stringify(body)).toBeDefined()
      for (let i = 0; i < 100 && (await api(ui, 'GET', `/api/runs/${body.runId}`)).body.cancellable; i++)
        await new Promise((r) => setTimeout(r, 50))
    }
  }, 60_000)
  afterAll(async () => {
    release()
    await browser?.close()
    await ui?.close()
    await fixture?.dispose()
  })

  it('the graph page draws every asset, without console errors', async () => {
    const { page, errors } = await open('#/')
    await page.waitForFunction('window.__riversGraph !== undefined')
    expect(await page.evaluate('window.__riversGraph')).toEqual({
      nodes: 5,
      edges: 3,
    })
    await page.screenshot({ path: `${shots}graph.png` })
    expect(errors).toEqual([])
    // Search through the selection language: a bad expression's error (a 400) is shown, not thrown.
    await page.fill('#search', 'tag:nope and (')
    await page.press('#search', 'Enter')
    await expect.poll(() => page.textContent('#search-error')).toContain('^')
    expect(errors.map((e) => e.replace(/\(.*\)/, ''))).toEqual([
      'Failed to load resource: the server responded with a status of 400 ',
    ])
    await page.close()
  })

  it('groups collapse into one node each, and expand again', async () => {
    const { page, errors } = await open('#/')
    await page.waitForFunction('window.__riversGraph !== undefined')
    await page.click('#groups')
    await expect.poll(() => page.evaluate('window.__riversGraphNow')).toEqual({ nodes: 4, edges: 2 })
    expect(await page.textContent('#groups')).toBe('Expand groups')
    await page.screenshot({ path: `${shots}graph-groups.png` })
    await page.click('#groups')
    await expect.poll(() => page.evaluate('window.__riversGraphNow')).toEqual({ nodes: 5, edges: 3 })
    expect(errors).toEqual([])
    await page.close()
  })

  it('a click on a node opens its asset page, with its metric chart', async () => {
    const { page, errors } = await open('#/')
    await page.waitForFunction('window.__riversGraph !== undefined')
    await page.fill('#search', 'model')
    await page.press('#search', 'Enter')
    await page.waitForTimeout(300)
    // The selection is fitted to the middle of the canvas: click there.
    await page.mouse.click(640, 420)
    await page.waitForURL(/#\/asset\/model$/)
    await page.waitForSelector('canvas[data-metric="auc"]')
    expect(await page.textContent('h1')).toContain('model')
    expect(await page.textContent('main')).toContain('Metrics across runs')
    await page.screenshot({ path: `${shots}asset-model.png`, fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })

  it('runs, a finished run and automation load without console errors', async () => {
    const { page, errors } = await open('#/runs')
    await page.waitForSelector('table a.mono')
    await page.click('table a.mono')
    await page.waitForSelector('#log-state:has-text("complete")')
    expect(await page.textContent('#logs')).toContain('trained 3 epochs')
    await page.goto(`${ui.origin}/#/automation`)
    await page.waitForSelector('h1:has-text("Automation")')
    expect(errors).toEqual([])
    await page.close()
  })

  it('"Materialize" starts a run whose log lines appear within 1 s; cancel ends it', async () => {
    holdSlow()
    const { page, errors } = await open('#/asset/slow')
    await page.waitForSelector('#mat')
    const t0 = Date.now()
    await page.click('#mat')
    await page.waitForSelector('#logs div:has-text("slow started")', { timeout: 1000 })
    const ms = Date.now() - t0
    expect(ms).toBeLessThan(1000)
    await page.waitForSelector('svg[aria-label="run timeline"]')
    await page.screenshot({ path: `${shots}live-run.png`, fullPage: true })
    await page.click('#cancel')
    await page.waitForSelector('#status.cancelled')
    expect(errors).toEqual([])
    await page.close()
  })

  it('a partitioned asset shows its ranges; "Backfill range" runs them', async () => {
    const { page, errors } = await open('#/asset/regions')
    await page.waitForSelector('#bf-go')
    expect(await page.inputValue('#bf-from')).toBe('eu')
    await page.fill('#bf-to', 'us')
    await page.click('#bf-go')
    await page.waitForURL(/#\/run\//)
    await page.waitForSelector('#status.success')
    await page.goto(`${ui.origin}/#/asset/regions`)
    await expect.poll(() => page.textContent('.parts')).toContain('eu … us (2)')
    expect(errors).toEqual([])
    await page.close()
  })

  it('without the token, "Materialize" is refused with the fix', async () => {
    const { page } = await open('#/asset/raw', false)
    await page.waitForSelector('#mat')
    await page.click('#mat')
    await expect.poll(() => page.textContent('#mat-error')).toContain('needs the token')
    expect(page.url()).toContain('#/asset/raw')
    await page.close()
  })
})
