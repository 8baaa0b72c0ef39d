// @ts-check
/**
 * The asset graph on a <canvas>: the server's layered layout (columns left to right), status
 * colours and partition health bars, pan (drag) and zoom (wheel), labels only when zoomed in far
 * enough to read them (level of detail), search through the selection language, click to open an
 * asset. Drawing is one path for all edges and culled node rectangles, so 10k nodes / 30k edges
 * stay interactive.
 */
import { api, onEvents } from './api.js'
import { count } from './format.js'

const COL = 260
const ROW = 44
const W = 200
const H = 28
/** The least zoom a fit picks: below it nodes are specks (a graph hundreds of columns deep). */
const MIN_FIT = 0.12
const STATUSES = ['fresh', 'stale', 'missing', 'failed', 'running', 'source', 'unobservable']

/**
 * @typedef {{ hash: string, keys: string[], group: number[], groups: string[], status: string[],
 *   partitions: ([number, number, number, number] | null)[], layer: number[], row: number[],
 *   layers: number, rows: number, edges: number[], selected?: number[], members?: number[],
 *   memberOf?: Record<string, string> }} GraphDoc
 */

/** View state kept across visits (pan, zoom, search) for the same graph. */
const kept = { hash: '', x: 0, y: 0, scale: 1, query: '', collapsed: /** @type {string[]} */ ([]) }

/**
 * The graph's API path with the collapsed groups and `extra` parameters.
 * @param {string} [extra]
 */
function graphPath(extra = '') {
  const params = kept.collapsed.map((c) => `collapse=${encodeURIComponent(c)}`)
  if (extra !== '') params.push(extra)
  return `/api/graph${params.length === 0 ? '' : `?${params.join('&')}`}`
}

/**
 * @param {HTMLElement} main
 * @returns {Promise<() => void>}
 */
export async function render(main) {
  main.innerHTML = `
    <canvas class="graph" aria-label="asset graph"></canvas>
    <div class="toolbar">
      <input type="search" id="search" placeholder="Search or select: model, +model, tag:pii, group:ml  ( / )" />
      <span class="legend">${STATUSES.map((s) => `<span><i style="background:var(--${s})"></i>${s}</span>`).join('')}</span>
      <button id="groups" title="fold each group into one node; click a group node to open it"></button>
      <span id="info" class="legend muted"></span>
    </div>
    <div id="search-error" class="error" style="position:absolute;top:48px;left:12px;z-index:2"></div>`
  const canvas = /** @type {HTMLCanvasElement} */ (main.querySelector('canvas'))
  const search = /** @type {HTMLInputElement} */ (main.querySelector('#search'))
  const info = /** @type {HTMLElement} */ (main.querySelector('#info'))
  const errorBox = /** @type {HTMLElement} */ (main.querySelector('#search-error'))
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'))

  /** @type {GraphDoc} */
  let g = await api(graphPath())
  const groupsButton = /** @type {HTMLButtonElement} */ (main.querySelector('#groups'))
  const labelGroups = () => {
    groupsButton.textContent = kept.collapsed.length > 0 ? 'Expand groups' : 'Collapse groups'
    groupsButton.disabled = g.groups.length === 0 && kept.collapsed.length === 0
  }
  labelGroups()
  let px = new Float64Array(0)
  let py = new Float64Array(0)
  /** @type {Uint8Array | undefined} */
  let selected
  /** Nodes of each column, by row, for hit tests. */
  /** @type {number[][]} */
  let columns = []
  let hover = -1
  const colours = readColours()

  const place = () => {
    const n = g.keys.length
    px = new Float64Array(n)
    py = new Float64Array(n)
    columns = Array.from({ length: g.layers }, () => [])
    for (let i = 0; i < n; i++) /** @type {number[]} */ (columns[g.layer[i]]).push(i)
    for (const col of columns) col.sort((a, b) => g.row[a] - g.row[b])
    for (let i = 0; i < n; i++) {
      const size = /** @type {number[]} */ (columns[g.layer[i]]).length
      px[i] = g.layer[i] * COL
      py[i] = (g.row[i] - (size - 1) / 2) * ROW
    }
  }
  place()
  if (kept.hash !== g.hash) fit()
  kept.hash = g.hash

  function fit(only = /** @type {number[] | undefined} */ (undefined)) {
    const ids = only ?? g.keys.map((_, i) => i)
    if (ids.length === 0) return
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity]
    for (const i of ids) {
      x0 = Math.min(x0, px[i])
      y0 = Math.min(y0, py[i])
      x1 = Math.max(x1, px[i] + W)
      y1 = Math.max(y1, py[i] + H)
    }
    const { width, height } = canvas.getBoundingClientRect()
    const byHeight = (height - 120) / (y1 - y0 || 1)
    kept.scale = Math.min(1.5, (width - 80) / (x1 - x0 || 1), byHeight)
    kept.x = width / 2 - ((x0 + x1) / 2) * kept.scale
    if (kept.scale < MIN_FIT) {
      // Too deep to fit the width and still see nodes: fit the height, from the first column.
      kept.scale = Math.min(1.5, Math.max(MIN_FIT, byHeight))
      kept.x = 40 - x0 * kept.scale
    }
    kept.y = height / 2 + 20 - ((y0 + y1) / 2) * kept.scale
  }

  let frame = 0
  const draw = () => {
    frame = 0
    const dpr = devicePixelRatio || 1
    const { width, height } = canvas.getBoundingClientRect()
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr)
      canvas.height = Math.round(height * dpr)
    }
    const { x: ox, y: oy, scale: s } = kept
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.clearRect(0, 0, width, height)
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * ox, dpr * oy)
    const [vx0, vy0] = [-ox / s, -oy / s]
    const [vx1, vy1] = [vx0 + width / s, vy0 + height / s]
    // Edges: one path, from the right side of the dependency to the left side of the dependent.
    ctx.lineWidth = 1 / Math.max(s, 0.5)
    const dimmed = selected !== undefined
    for (const pass of dimmed ? [0, 1] : [1]) {
      ctx.beginPath()
      for (let k = 0; k < g.edges.length; k += 2) {
        const a = g.edges[k]
        const b = g.edges[k + 1]
        if (dimmed && (pass === 1) !== (selected[a] === 1 && selected[b] === 1)) continue
        const [x0, y0, x1, y1] = [px[a] + W, py[a] + H / 2, px[b], py[b] + H / 2]
        if ((x0 < vx0 && x1 < vx0) || (x0 > vx1 && x1 > vx1) || (y0 < vy0 && y1 < vy0) || (y0 > vy1 && y1 > vy1))
          continue
        ctx.moveTo(x0, y0)
        if (s > 0.35) {
          const mid = (x0 + x1) / 2
          ctx.bezierCurveTo(mid, y0, mid, y1, x1, y1)
        } else ctx.lineTo(x1, y1)
      }
      ctx.strokeStyle = pass === 0 ? colours.edgeDim : colours.edge
      ctx.stroke()
    }
    // Nodes: culled to the view; labels only when they can be read.
    const labels = s > 0.45
    ctx.font = '12px system-ui, sans-serif'
    ctx.textBaseline = 'middle'
    for (let i = 0; i < g.keys.length; i++) {
      const [x, y] = [px[i], py[i]]
      if (x + W < vx0 || x > vx1 || y + H < vy0 || y > vy1) continue
      const faded = dimmed && selected[i] !== 1
      ctx.globalAlpha = faded ? 0.25 : 1
      const colour = colours[g.status[i]] ?? colours.missing
      if (!labels) {
        ctx.fillStyle = colour
        ctx.fillRect(x, y, W, H)
        continue
      }
      ctx.fillStyle = colours.panel
      ctx.fillRect(x, y, W, H)
      ctx.fillStyle = colour
      ctx.fillRect(x, y, 5, H)
      ctx.strokeStyle = i === hover ? colours.accent : colours.line
      ctx.lineWidth = i === hover ? 2 : 1
      ctx.strokeRect(x, y, W, H)
      ctx.fillStyle = colours.fg
      const members = g.members?.[i] ?? 0
      if (members > 0) {
        ctx.strokeRect(x + 3, y + 3, W - 6, H - 6)
        ctx.font = '600 12px system-ui, sans-serif'
        ctx.fillText(clip(ctx, `▸ ${g.keys[i].slice(6)} · ${count(members, 'asset')}`, W - 16), x + 11, y + H / 2)
        ctx.font = '12px system-ui, sans-serif'
      } else ctx.fillText(clip(ctx, g.keys[i], W - 16), x + 11, y + H / 2)
      const p = g.partitions[i]
      if (p !== null && p[0] > 0) {
        const [total, fresh, stale] = p
        const bw = W - 6
        ctx.fillStyle = colours.fresh
        ctx.fillRect(x + 5, y + H - 4, (bw * fresh) / total, 3)
        ctx.fillStyle = colours.stale
        ctx.fillRect(x + 5 + (bw * fresh) / total, y + H - 4, (bw * stale) / total, 3)
        ctx.fillStyle = colours.missing
        ctx.fillRect(x + 5 + (bw * (fresh + stale)) / total, y + H - 4, (bw * p[3]) / total, 3)
      }
    }
    ctx.globalAlpha = 1
    info.textContent = `${count(g.keys.length, g.members === undefined ? 'asset' : 'node')} · ${count(g.edges.length / 2, 'edge')} · ${count(g.layers, 'column')} · zoom ${s >= 0.1 ? Math.round(s * 100) : (s * 100).toFixed(1)} %`
    /** @type {any} */
    const shown = window
    shown.__riversGraphNow = { nodes: g.keys.length, edges: g.edges.length / 2 }
    if (!rendered) {
      rendered = true
      const w = /** @type {any} */ (window)
      w.__riversGraph = { nodes: g.keys.length, edges: g.edges.length / 2 }
      w.__riversGraphAt = performance.now()
    }
  }
  let rendered = false
  const redraw = () => {
    if (frame === 0) frame = requestAnimationFrame(draw)
  }

  /** @param {MouseEvent} e */
  const nodeAt = (e) => {
    const r = canvas.getBoundingClientRect()
    const [wx, wy] = [(e.clientX - r.left - kept.x) / kept.scale, (e.clientY - r.top - kept.y) / kept.scale]
    const c = Math.floor(wx / COL)
    const col = columns[c]
    if (col === undefined || wx - c * COL > W) return -1
    let [lo, hi] = [0, col.length - 1]
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const node = /** @type {number} */ (col[mid])
      if (wy < py[node]) hi = mid - 1
      else if (wy > py[node] + H) lo = mid + 1
      else return node
    }
    return -1
  }

  let drag = /** @type {{ x: number, y: number, moved: boolean } | undefined} */ (undefined)
  canvas.addEventListener('mousedown', (e) => {
    drag = { x: e.clientX, y: e.clientY, moved: false }
  })
  const onMove = (/** @type {MouseEvent} */ e) => {
    if (drag !== undefined) {
      const [dx, dy] = [e.clientX - drag.x, e.clientY - drag.y]
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true
      kept.x += dx
      kept.y += dy
      drag.x = e.clientX
      drag.y = e.clientY
      redraw()
      return
    }
    if (e.target !== canvas) return
    const h = nodeAt(e)
    if (h !== hover) {
      hover = h
      canvas.style.cursor = h >= 0 ? 'pointer' : 'grab'
      canvas.title =
        h >= 0 ? `${g.keys[h]} (${g.status[h]})${g.group[h] >= 0 ? ` · group ${g.groups[g.group[h]]}` : ''}` : ''
      redraw()
    }
  }
  const onUp = (/** @type {MouseEvent} */ e) => {
    const d = drag
    drag = undefined
    if (d === undefined || d.moved || e.target !== canvas) return
    const node = nodeAt(e)
    if (node < 0) return
    if ((g.members?.[node] ?? 0) > 0) {
      const name = g.keys[node].slice(6)
      kept.collapsed = kept.collapsed.filter((c) => c !== name)
      void reload(false)
    } else location.hash = `#/asset/${encodeURIComponent(g.keys[node])}`
  }
  addEventListener('mousemove', onMove)
  addEventListener('mouseup', onUp)
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault()
      const r = canvas.getBoundingClientRect()
      const [mx, my] = [e.clientX - r.left, e.clientY - r.top]
      const factor = Math.exp(-e.deltaY * 0.0015)
      const scale = Math.min(4, Math.max(0.01, kept.scale * factor))
      kept.x = mx - ((mx - kept.x) * scale) / kept.scale
      kept.y = my - ((my - kept.y) * scale) / kept.scale
      kept.scale = scale
      redraw()
    },
    { passive: false },
  )
  const onResize = () => redraw()
  addEventListener('resize', onResize)

  /** Plain words search keys; anything with selection syntax goes to the server as it is. */
  const expression = (/** @type {string} */ q) => (/[+:*()\s]/.test(q.trim()) ? q.trim() : `*${q.trim()}*`)
  const runSearch = async () => {
    kept.query = search.value
    errorBox.textContent = ''
    if (search.value.trim() === '') {
      selected = undefined
      redraw()
      return
    }
    try {
      const doc = /** @type {GraphDoc} */ (
        await api(graphPath(`select=${encodeURIComponent(expression(search.value))}`))
      )
      selected = new Uint8Array(g.keys.length)
      const index = new Map(g.keys.map((k, i) => [k, i]))
      const ids = (doc.selected ?? []).map((i) => index.get(doc.keys[i])).filter((i) => i !== undefined)
      for (const i of ids) selected[i] = 1
      fit(ids)
    } catch (e) {
      selected = new Uint8Array(g.keys.length)
      errorBox.textContent = /** @type {Error} */ (e).message
    }
    redraw()
  }
  let timer = 0
  search.value = kept.query
  search.addEventListener('input', () => {
    clearTimeout(timer)
    timer = window.setTimeout(runSearch, 250)
  })
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(timer)
      void runSearch()
    }
    if (e.key === 'Escape') {
      search.value = ''
      void runSearch()
    }
  })
  const onKey = (/** @type {KeyboardEvent} */ e) => {
    if (e.key === '/' && document.activeElement !== search) {
      e.preventDefault()
      search.focus()
    }
  }
  addEventListener('keydown', onKey)
  if (kept.query !== '') void runSearch()

  // Live: a run's asset events recolour nodes at once; a finished run re-reads the statuses.
  let index = new Map(g.keys.map((k, i) => [k, i]))
  /** Reads the graph again (statuses, collapsed groups); lays it out again when it changed. */
  const reload = async (/** @type {boolean} */ refit) => {
    const fresh = /** @type {GraphDoc} */ (await api(graphPath()))
    const layoutChanged = fresh.hash !== g.hash
    g = fresh
    index = new Map(g.keys.map((k, i) => [k, i]))
    labelGroups()
    if (layoutChanged) {
      place()
      selected = undefined
      if (kept.query !== '') void runSearch()
      else if (refit) fit()
    }
    redraw()
  }
  groupsButton.addEventListener('click', () => {
    kept.collapsed = kept.collapsed.length > 0 ? [] : [...g.groups]
    void reload(true)
  })
  let refetch = 0
  /** @type {number[]} */
  const latencies = []
  const win = /** @type {any} */ (window)
  win.__riversLatencies = latencies
  const stop = onEvents((event, data) => {
    if (event === 'asset') {
      const i = index.get(data.key) ?? index.get(g.memberOf?.[data.key] ?? '')
      if (i === undefined) return
      if ((g.members?.[i] ?? 0) > 0 && data.type !== 'asset_started') return
      const next = { asset_started: 'running', asset_materialized: 'fresh', asset_failed: 'failed' }[
        /** @type {string} */ (data.type)
      ]
      if (next !== undefined && data.partition === undefined) g.status[i] = next
      redraw()
      // Event-to-screen latency (the benchmark reads it): measured in the frame that drew it.
      requestAnimationFrame(() => latencies.push(Date.now() - data.at))
    } else if (event === 'graph') {
      clearTimeout(refetch)
      refetch = window.setTimeout(() => void reload(false), 100)
    }
  })
  draw()
  return () => {
    stop()
    cancelAnimationFrame(frame)
    removeEventListener('mousemove', onMove)
    removeEventListener('mouseup', onUp)
    removeEventListener('resize', onResize)
    removeEventListener('keydown', onKey)
  }
}

/** The page's colours, read from the CSS variables (light or dark). */
function readColours() {
  const css = getComputedStyle(document.documentElement)
  /** @type {Record<string, string>} */
  const c = {}
  for (const name of [...STATUSES, 'panel', 'fg', 'line', 'accent', 'edge', 'muted'])
    c[name] = css.getPropertyValue(`--${name}`).trim()
  c.edgeDim = c.line
  return c
}

/**
 * Text cut to `width` pixels with an ellipsis.
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} width
 */
function clip(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text
  let t = text
  while (t.length > 1 && ctx.measureText(`${t}…`).width > width) t = t.slice(0, -1)
  return `${t}…`
}
