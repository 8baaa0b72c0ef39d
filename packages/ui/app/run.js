// @ts-check
/** One run: status, the assets' timeline (Gantt, SVG), live logs over SSE, and cancel. */
import { api, onEvents, stream } from './api.js'
import { duration, esc, when } from './format.js'

const LEVELS = /** @type {Record<number, string>} */ ({
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
})

/**
 * @param {HTMLElement} main
 * @param {string} runId
 * @returns {Promise<() => void>}
 */
export async function render(main, runId) {
  main.innerHTML = `<div class="page">
    <div class="muted"><a href="#/runs">Runs</a> / run</div>
    <h1><span class="mono">${esc(runId)}</span> <span class="badge" id="status"></span></h1>
    <div class="actions"><button id="cancel" hidden>Cancel run</button><span class="error" id="cancel-error"></span></div>
    <p id="summary" class="muted"></p>
    <section><h2>Timeline</h2><div id="timeline"></div></section>
    <section><h2>Logs <span class="muted" id="log-state"></span></h2><pre class="logs" id="logs"></pre></section>
  </div>`
  const $ = (/** @type {string} */ s) => /** @type {HTMLElement} */ (main.querySelector(s))
  const cancel = /** @type {HTMLButtonElement} */ ($('#cancel'))
  cancel.addEventListener('click', async () => {
    cancel.disabled = true
    try {
      await api(`/api/runs/${encodeURIComponent(runId)}/cancel`, { method: 'POST' })
    } catch (e) {
      $('#cancel-error').textContent = /** @type {Error} */ (e).message
      cancel.disabled = false
    }
  })

  const refresh = async () => {
    const doc = await api(`/api/runs/${encodeURIComponent(runId)}`)
    const r = doc.run
    const badge = $('#status')
    badge.className = `badge ${r.status}`
    badge.textContent = r.status
    cancel.hidden = !doc.cancellable
    $('#summary').textContent =
      `Started ${when(r.startedAt)}; ${r.durationMs === undefined ? 'running' : `took ${duration(r.durationMs)}`}; selection ${r.selection.join(' ') || '*'}; ${r.materialized} materialized, ${r.skipped} skipped, ${r.failed} failed.`
    $('#timeline').innerHTML = gantt(doc.timeline)
    // While it runs, running bars grow between events.
    clearTimeout(tick)
    if (r.status === 'running') tick = window.setTimeout(() => void refresh(), 1000)
  }
  let tick = 0
  await refresh()

  const logs = $('#logs')
  const state = $('#log-state')
  state.textContent = '(following)'
  const source = stream(`/api/runs/${encodeURIComponent(runId)}/logs`)
  source.addEventListener('log', (e) => {
    const r = JSON.parse(/** @type {MessageEvent} */ (e).data)
    const line = document.createElement('div')
    line.className = `lvl-${r.level}`
    const time = new Date(r.time).toLocaleTimeString()
    const rest = Object.entries(r)
      .filter(([k]) => !['level', 'time', 'msg', 'asset', 'runId', 'pid', 'hostname', 'v'].includes(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ')
    line.textContent = `${time} ${(LEVELS[r.level] ?? r.level).padEnd(5)} ${r.asset === undefined ? '' : `[${r.asset}] `}${r.msg ?? ''}${rest === '' ? '' : `  ${rest}`}`
    const atEnd = logs.scrollTop + logs.clientHeight >= logs.scrollHeight - 4
    logs.append(line)
    if (atEnd) logs.scrollTop = logs.scrollHeight
  })
  source.addEventListener('end', () => {
    state.textContent = '(complete)'
    source.close()
    void refresh()
  })
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) state.textContent = '(stream closed)'
  }

  let timer = 0
  const stop = onEvents((event, data) => {
    if (data.runId !== runId) return
    clearTimeout(timer)
    timer = window.setTimeout(() => void refresh(), event === 'run' ? 0 : 150)
  })
  return () => {
    stop()
    source.close()
    clearTimeout(timer)
    clearTimeout(tick)
  }
}

/**
 * The timeline as SVG bars, one row per asset, on a shared time axis.
 * @param {{ key: string, start: number, end?: number, status: string, partition?: string }[]} bars
 */
function gantt(bars) {
  if (bars.length === 0) return '<p class="muted">No asset has started yet.</p>'
  const now = Date.now()
  const t0 = Math.min(...bars.map((b) => b.start))
  const t1 = Math.max(...bars.map((b) => b.end ?? now), t0 + 1)
  const [label, width, rowH] = [220, 640, 22]
  const x = (/** @type {number} */ t) => label + ((t - t0) / (t1 - t0)) * width
  const colour = /** @type {Record<string, string>} */ ({
    running: 'var(--running)',
    materialized: 'var(--fresh)',
    skipped: 'var(--missing)',
    failed: 'var(--failed)',
  })
  const rows = bars
    .map((b, i) => {
      const y = i * rowH + 4
      const w = Math.max(2, x(b.end ?? now) - x(b.start))
      const name = `${b.key}${b.partition === undefined ? '' : ` [${b.partition}]`}`
      return `<text x="0" y="${y + 13}" fill="currentColor" font-size="12">${esc(name.length > 32 ? `${name.slice(0, 31)}…` : name)}</text>
        <rect x="${x(b.start)}" y="${y}" width="${w}" height="${rowH - 6}" rx="3" fill="${colour[b.status] ?? 'var(--missing)'}"><title>${esc(name)}: ${esc(b.status)}, ${duration((b.end ?? now) - b.start)}</title></rect>
        <text x="${x(b.start) + w + 4}" y="${y + 13}" fill="var(--muted)" font-size="11">${duration((b.end ?? now) - b.start)}</text>`
    })
    .join('')
  return `<svg width="${label + width + 80}" height="${bars.length * rowH + 24}" role="img" aria-label="run timeline">${rows}
    <text x="${label}" y="${bars.length * rowH + 18}" fill="var(--muted)" font-size="11">0 s</text>
    <text x="${label + width}" y="${bars.length * rowH + 18}" fill="var(--muted)" font-size="11" text-anchor="end">${duration(t1 - t0)}</text></svg>`
}
