// @ts-check
/** The recent decisions of the automation daemon, with their condition trees. */
import { api } from './api.js'
import { esc, when } from './format.js'

/**
 * @param {HTMLElement} main
 * @returns {Promise<() => void>}
 */
export async function render(main) {
  const { decisions } = await api('/api/automation?limit=100')
  const rows = decisions
    .map(
      (/** @type {any} */ d) =>
        `<tr><td>${esc(when(d.at))}</td><td><a href="#/asset/${encodeURIComponent(d.key)}">${esc(d.key)}</a>${d.partition === '' ? '' : ` [${esc(d.partition)}]`}</td><td>${d.requested ? (d.runId === null ? 'yes' : `yes, <a class="mono" href="#/run/${encodeURIComponent(d.runId)}">${esc(d.runId)}</a>`) : 'no'}</td><td><pre>${esc(d.text)}</pre></td></tr>`,
    )
    .join('')
  main.innerHTML = `<div class="page"><h1>Automation decisions</h1>${
    decisions.length === 0
      ? '<p class="muted">No decisions in this store: run <code>assets tick</code> or <code>assets daemon</code> with automation conditions on your assets.</p>'
      : `<table><tr><th>when</th><th>asset</th><th>requested</th><th>condition</th></tr>${rows}</table>`
  }</div>`
  return () => {}
}
