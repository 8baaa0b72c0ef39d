// @ts-check
/**
 * The single-page app: a hash router over the pages (graph, asset, runs, run, automation). Each
 * page module exports `render(main, arg)` and returns a function that tears it down.
 */
import { esc } from './format.js'

/** @type {(() => void) | undefined} */
let teardown

const PAGES = [
  { pattern: /^#\/asset\/(.+)$/, nav: 'graph', load: () => import('./asset.js') },
  { pattern: /^#\/runs$/, nav: 'runs', load: () => import('./runs.js') },
  { pattern: /^#\/run\/(.+)$/, nav: 'runs', load: () => import('./run.js') },
  { pattern: /^#\/automation$/, nav: 'automation', load: () => import('./automation.js') },
  { pattern: /^(#\/?)?$/, nav: 'graph', load: () => import('./graph.js') },
]

async function route() {
  teardown?.()
  teardown = undefined
  const main = /** @type {HTMLElement} */ (document.getElementById('page'))
  const hash = location.hash
  const page = PAGES.find((p) => p.pattern.test(hash))
  for (const a of document.querySelectorAll('header nav a'))
    a.classList.toggle('active', a.getAttribute('data-nav') === page?.nav)
  if (page === undefined) {
    main.innerHTML = `<div class="page"><p class="error">No page at ${esc(hash)}.</p><a href="#/">Back to the graph</a></div>`
    return
  }
  const arg = decodeURIComponent(page.pattern.exec(hash)?.[1] ?? '')
  const mod = await page.load()
  main.innerHTML = ''
  try {
    teardown = await mod.render(main, arg)
  } catch (e) {
    main.innerHTML = `<div class="page"><p class="error">${esc(/** @type {Error} */ (e).message)}</p></div>`
  }
}

addEventListener('hashchange', () => void route())
void route()
