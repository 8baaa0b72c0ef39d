// @ts-check
/** The run list, newest first, updated live. */
import { api, onEvents } from './api.js'
import { duration, esc, when } from './format.js'

/**
 * @param {HTMLElement} main
 * @returns {Promise<() => void>}
 */
export async function render(main) {
  const draw = async () => {
    const { runs } = await api('/api/runs?limit=100')
    const rows = runs
      .map(
        (/** @type {any} */ r) =>
          `<tr><td><a class="mono" href="#/run/${encodeURIComponent(r.runId)}">${esc(r.runId)}</a></td><td><span class="badge ${esc(r.status)}">${esc(r.status)}${r.interrupted ? ' (interrupted)' : ''}</span></td><td>${esc(when(r.startedAt))}</td><td class="num">${r.durationMs === undefined ? 'running' : duration(r.durationMs)}</td><td class="mono">${esc(r.selection.join(' '))}</td><td class="num">${r.materialized}</td><td class="num">${r.skipped}</td><td class="num">${r.failed}</td></tr>`,
      )
      .join('')
    main.innerHTML = `<div class="page"><h1>Runs</h1>${
      runs.length === 0
        ? '<p class="muted">No runs yet: materialize an asset from its page, or run <code>assets materialize</code>.</p>'
        : `<table><tr><th>run</th><th>status</th><th>started</th><th class="num">duration</th><th>selection</th><th class="num">materialized</th><th class="num">skipped</th><th class="num">failed</th></tr>${rows}</table>`
    }</div>`
  }
  await draw()
  let timer = 0
  return onEvents((event) => {
    if (event !== 'run') return
    clearTimeout(timer)
    timer = window.setTimeout(() => void draw(), 100)
  })
}
