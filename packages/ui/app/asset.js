// @ts-check
/**
 * One asset: definition, status with causes and root causes, metric charts across runs, record
 * history with config per run, checks, lineage, partitions, failures, automation decisions, and the
 * materialize buttons.
 */
import { backfill, materialize } from './actions.js'
import { api, onEvents } from './api.js'
import { lineChart } from './chart.js'
import { count, date, duration, esc, metric, when } from './format.js'

/** History rows drawn at first; the rest on demand (the metric charts use every record). */
const FIRST_ROWS = 100

const link = (/** @type {string} */ k) => `<a href="#/asset/${encodeURIComponent(k)}">${esc(k)}</a>`
const runLink = (/** @type {string} */ id) => `<a class="mono" href="#/run/${encodeURIComponent(id)}">${esc(id)}</a>`

/**
 * @param {HTMLElement} main
 * @param {string} key
 * @returns {Promise<() => void>}
 */
export async function render(main, key) {
  const t0 = performance.now()
  const a = await api(`/api/assets/${encodeURIComponent(key)}`)
  const fetched = performance.now() - t0
  const info = a.info
  const st = a.status
  const shown = a.live ?? st.status
  const last = a.history[0]
  const tags = Object.entries(info.tags).map(([k, v]) => (v === true ? k : `${k}=${v}`))
  const row = (/** @type {string} */ name, /** @type {string} */ value) =>
    value === '' ? '' : `<div class="muted">${name}</div><div>${value}</div>`
  main.innerHTML = `<div class="page">
    <div class="muted"><a href="#/">Graph</a> / asset</div>
    <h1><span class="mono">${esc(info.key)}</span> <span class="badge ${esc(shown)}" id="status">${esc(shown)}</span></h1>
    ${info.description === undefined ? '' : `<p>${esc(info.description)}</p>`}
    <div class="actions">
      <button class="primary" id="mat" ${info.isSource ? 'disabled' : ''}>Materialize</button>
      <button id="mat-up" ${info.isSource ? 'disabled' : ''}>Materialize with upstream</button>
      <label><input type="checkbox" id="force" /> force (even if fresh)</label>
      <span class="error" id="mat-error"></span>
    </div>
    <section><h2>Definition</h2><div class="grid2">
      ${row('dependencies', info.deps.map(link).join(', ') || '<span class="muted">none</span>')}
      ${row('dependents', a.downstream.map(link).join(', '))}
      ${row('group', esc(info.group ?? ''))}
      ${row('tags', esc(tags.join(', ')))}
      ${row('kinds', esc(info.kinds.join(', ')))}
      ${row('owners', esc(info.owners.join(', ')))}
      ${row('code version', last === undefined ? '' : `<span class="mono">${esc(last.codeVersion.slice(0, 16))}</span>`)}
      ${row('kind', info.isSource ? 'source (observed, not built)' : 'asset')}
    </div></section>
    <section><h2>Status</h2>${statusHtml(st, a)}</section>
    ${metricsHtml(a.metrics, a.steps)}
    ${partitionsHtml(a.partitionRuns)}
    ${checksHtml(last)}
    ${failuresHtml(a.failures)}
    <section><h2>History <span class="muted">(${count(a.history.length, 'record')}, newest first)</span></h2>${historyHtml(a.history.slice(0, FIRST_ROWS))}${
      a.history.length > FIRST_ROWS
        ? `<button id="all-history">Show all ${count(a.history.length, 'record')}</button>`
        : ''
    }</section>
    ${automationHtml(a.automation)}
    <p class="muted" id="timing"></p>
  </div>`
  for (const [name, points] of Object.entries(a.metrics)) {
    const canvas = /** @type {HTMLCanvasElement | null} */ (
      main.querySelector(`canvas[data-metric="${CSS.escape(name)}"]`)
    )
    if (canvas !== null) lineChart(canvas, points, (runId) => (location.hash = `#/run/${encodeURIComponent(runId)}`))
  }
  for (const [name, curve] of Object.entries(a.steps)) {
    const canvas = /** @type {HTMLCanvasElement | null} */ (
      main.querySelector(`canvas[data-steps="${CSS.escape(name)}"]`)
    )
    const points = curve.points.map((/** @type {any} */ p) => ({ runId: curve.runId, at: '', value: p.value }))
    if (canvas !== null) lineChart(canvas, points, undefined, 'step')
  }
  const errorBox = /** @type {HTMLElement} */ (main.querySelector('#mat-error'))
  const force = /** @type {HTMLInputElement} */ (main.querySelector('#force'))
  main.querySelector('#mat')?.addEventListener('click', () => void materialize({ key, force: force.checked }, errorBox))
  main
    .querySelector('#mat-up')
    ?.addEventListener('click', () => void materialize({ key, upstream: true, force: force.checked }, errorBox))
  main.querySelector('#bf-go')?.addEventListener('click', () => {
    const value = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (main.querySelector(id)).value.trim()
    const batch = Number(value('#bf-batch'))
    const body = { key, from: value('#bf-from'), to: value('#bf-to') }
    void backfill(batch > 0 ? { ...body, batch } : body, /** @type {HTMLElement} */ (main.querySelector('#bf-error')))
  })
  const all = main.querySelector('#all-history')
  all?.addEventListener('click', () => {
    const table = all.previousElementSibling
    if (table !== null) table.outerHTML = historyHtml(a.history)
    all.remove()
  })
  const ms = performance.now() - t0
  const w = /** @type {any} */ (window)
  w.__riversAssetMs = ms
  w.__riversAssetFetchMs = fetched
  const timing = /** @type {HTMLElement} */ (main.querySelector('#timing'))
  timing.textContent = `loaded in ${duration(fetched)}, drawn in ${duration(ms - fetched)}`
  const badge = /** @type {HTMLElement} */ (main.querySelector('#status'))
  return onEvents((event, data) => {
    if (event === 'asset' && data.key === key && data.partition === undefined) {
      const s = { asset_started: 'running', asset_materialized: 'fresh', asset_failed: 'failed' }[
        /** @type {string} */ (data.type)
      ]
      if (s !== undefined) {
        badge.className = `badge ${s}`
        badge.textContent = s
      }
    }
  })
}

/**
 * @param {any} st
 * @param {any} a
 */
function statusHtml(st, a) {
  const lastLine =
    st.last === undefined
      ? '<p class="muted">Never materialized.</p>'
      : `<p>Last materialized ${when(st.last.at)} by run ${runLink(st.last.runId)}; data version <span class="mono">${esc(st.last.dataVersion.slice(0, 16))}</span>.</p>`
  const causes = st.causes.map((/** @type {any} */ c) => `<li>${esc(c.message)}</li>`).join('')
  const roots = st.rootCauses.map((/** @type {any} */ c) => `<li>${link(c.key)}: ${esc(c.message)}</li>`).join('')
  const failure =
    a.lastFailure === undefined
      ? ''
      : `<p class="error">Failed in run ${esc(a.lastFailure.runId)}: ${esc(a.lastFailure.error)}</p>`
  return `${lastLine}${failure}
    ${causes === '' ? '' : `<p><b>Why ${esc(st.status)}:</b></p><ul>${causes}</ul>`}
    ${roots === '' ? '' : `<p><b>Root causes:</b></p><ul>${roots}</ul>`}
    ${st.planned ? '<p class="muted">A run of * would rebuild it.</p>' : ''}`
}

/**
 * @param {Record<string, any[]>} metrics
 * @param {Record<string, { runId: string, points: { step: number, value: number }[] }>} steps
 */
function metricsHtml(metrics, steps) {
  const names = Object.keys(metrics)
  if (names.length === 0) return ''
  return `<section><h2>Metrics across runs</h2>${names
    .map((n) => {
      const pts = /** @type {any[]} */ (metrics[n])
      const curve = steps[n]
      return `<div><b>${esc(n)}</b> <span class="muted">last ${metric(pts.at(-1).value)}, ${count(pts.length, 'run')}${pts.at(-1).step === undefined ? '' : " (each run's last step)"}</span>
        <canvas class="chart" data-metric="${esc(n)}"></canvas>
        ${curve === undefined ? '' : `<div class="muted">${esc(n)} by step in run ${esc(curve.runId)} (${count(curve.points.length, 'step')})</div><canvas class="chart" data-steps="${esc(n)}"></canvas>`}</div>`
    })
    .join('')}</section>`
}

/** @param {any} p */
function partitionsHtml(p) {
  if (p === undefined) return ''
  const runs = p.runs
    .map(
      (/** @type {any} */ r) =>
        `<span style="background:var(--${r.status})" title="${esc(r.from)} … ${esc(r.to)}: ${r.count} ${r.status}">${esc(r.from)}${r.count > 1 ? ` … ${esc(r.to)}` : ''} (${r.count})</span>`,
    )
    .join('')
  const todo = p.runs.find((/** @type {any} */ r) => r.status !== 'fresh') ?? p.runs[0]
  const range =
    todo === undefined
      ? ''
      : `<div class="actions">Backfill from <input id="bf-from" size="12" value="${esc(todo.from)}" aria-label="first partition" />
        to <input id="bf-to" size="12" value="${esc(todo.to)}" aria-label="last partition" />
        in runs of <input id="bf-batch" size="4" value="" placeholder="all" aria-label="partitions per run" /> partitions
        <button id="bf-go">Backfill range</button><span class="error" id="bf-error"></span></div>`
  return `<section><h2>Partitions <span class="muted">${esc(p.definition)}: ${count(p.total, 'partition')}, ${p.fresh} fresh, ${p.stale} stale, ${p.missing} missing</span></h2><div class="parts">${runs}</div>${range}</section>`
}

/** @param {any} last */
function checksHtml(last) {
  if (last === undefined || last.checks.length === 0) return ''
  return `<section><h2>Checks of the latest record</h2><table><tr><th>check</th><th>result</th><th>blocking</th><th>message</th></tr>${last.checks
    .map(
      (/** @type {any} */ c) =>
        `<tr><td>${esc(c.name)}</td><td><span class="badge ${c.passed ? 'fresh' : 'failed'}">${c.passed ? 'passed' : 'failed'}</span></td><td>${c.blocking ? 'yes' : 'no'}</td><td>${esc(c.message ?? '')}</td></tr>`,
    )
    .join('')}</table></section>`
}

/** @param {any[]} failures */
function failuresHtml(failures) {
  if (failures.length === 0) return ''
  return `<section><h2>Recent failures</h2><table><tr><th>run</th><th>when</th><th>attempt</th><th>error</th></tr>${failures
    .slice(0, 20)
    .map(
      (f) =>
        `<tr><td>${runLink(f.runId)}</td><td>${esc(when(f.at))}</td><td class="num">${f.attempt} of ${f.of}</td><td class="error">${esc(f.error)}${f.location === undefined ? '' : ` <span class="muted">at ${esc(f.location)}</span>`}</td></tr>`,
    )
    .join('')}</table></section>`
}

/** @param {any[]} history */
function historyHtml(history) {
  if (history.length === 0) return '<p class="muted">No records.</p>'
  const rows = history.map((h) => {
    const metrics = h.metrics.map((/** @type {any} */ m) => `${esc(m.name)}=${metric(m.value)}`).join(' ')
    const meta = Object.keys(h.metadata).length === 0 ? '' : esc(JSON.stringify(h.metadata))
    return `<tr><td>${runLink(h.runId)}</td><td>${esc(date(h.at))}</td><td class="num">${duration(h.durationMs)}</td><td class="mono">${esc(h.dataVersion.slice(0, 12))}${h.partition === undefined ? '' : ` [${esc(h.partition)}]`}</td><td class="mono">${h.config === undefined ? '' : esc(JSON.stringify(h.config))}</td><td class="mono">${metrics}</td><td class="mono">${meta}</td></tr>`
  })
  return `<table><tr><th>run</th><th>when</th><th class="num">duration</th><th>data version</th><th>config</th><th>metrics</th><th>metadata</th></tr>${rows.join('')}</table>`
}

/** @param {any[]} decisions */
function automationHtml(decisions) {
  if (decisions.length === 0) return ''
  return `<section><h2>Automation decisions</h2><table><tr><th>when</th><th>partition</th><th>requested</th><th>condition</th></tr>${decisions
    .map(
      (d) =>
        `<tr><td>${esc(when(d.at))}</td><td>${esc(d.partition)}</td><td>${d.requested ? `yes${d.runId === null ? '' : `, ${runLink(d.runId)}`}` : 'no'}</td><td><pre>${esc(d.text)}</pre></td></tr>`,
    )
    .join('')}</table></section>`
}
