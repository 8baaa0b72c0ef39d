// @ts-check
/** A metric across runs as a line chart on a <canvas>, with its axis values and a point per run. */
import { metric } from './format.js'

/**
 * Draws `points` (oldest first) into `canvas`; `onPick` gets the run of a clicked point.
 * @param {HTMLCanvasElement} canvas
 * @param {{ runId: string, at: string, value: number }[]} points
 * @param {(runId: string) => void} [onPick]
 * @param {'run' | 'step'} [unit] what one point is
 */
export function lineChart(canvas, points, onPick, unit = 'run') {
  const css = getComputedStyle(document.documentElement)
  const colour = (/** @type {string} */ n) => css.getPropertyValue(`--${n}`).trim()
  const dpr = devicePixelRatio || 1
  const { width, height } = canvas.getBoundingClientRect()
  canvas.width = Math.round(width * dpr)
  canvas.height = Math.round(height * dpr)
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'))
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  const pad = { l: 56, r: 12, t: 10, b: 22 }
  const values = points.map((p) => p.value)
  let [lo, hi] = [Math.min(...values), Math.max(...values)]
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1]
  const x = (/** @type {number} */ i) =>
    pad.l + (points.length === 1 ? 0.5 : i / (points.length - 1)) * (width - pad.l - pad.r)
  const y = (/** @type {number} */ v) => pad.t + (1 - (v - lo) / (hi - lo)) * (height - pad.t - pad.b)
  ctx.font = '11px system-ui, sans-serif'
  ctx.fillStyle = colour('muted')
  ctx.strokeStyle = colour('line')
  ctx.lineWidth = 1
  ctx.textBaseline = 'middle'
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4
    ctx.beginPath()
    ctx.moveTo(pad.l, y(v))
    ctx.lineTo(width - pad.r, y(v))
    ctx.stroke()
    ctx.fillText(metric(v), 4, y(v))
  }
  ctx.textBaseline = 'alphabetic'
  ctx.fillText(
    `${points.length} ${unit}${points.length === 1 ? '' : 's'}, ${unit === 'run' ? 'oldest' : 'first'} left`,
    pad.l,
    height - 6,
  )
  ctx.strokeStyle = colour('accent')
  ctx.lineWidth = 2
  ctx.beginPath()
  points.forEach((p, i) => (i === 0 ? ctx.moveTo(x(i), y(p.value)) : ctx.lineTo(x(i), y(p.value))))
  ctx.stroke()
  ctx.fillStyle = colour('accent')
  if (points.length <= 200) for (const [i, p] of points.entries()) ctx.fillRect(x(i) - 2.5, y(p.value) - 2.5, 5, 5)
  canvas.onclick = (e) => {
    if (onPick === undefined || points.length === 0) return
    const r = canvas.getBoundingClientRect()
    const i = Math.round(((e.clientX - r.left - pad.l) / (width - pad.l - pad.r)) * (points.length - 1))
    const p = points[Math.max(0, Math.min(points.length - 1, i))]
    if (p !== undefined) onPick(p.runId)
  }
  canvas.title =
    points.length === 0 ? '' : `last: ${metric(/** @type {number} */ (values.at(-1)))} (run ${points.at(-1)?.runId})`
}
