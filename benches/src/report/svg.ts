/**
 * Hand-written SVG line charts (no dependencies): log or linear axes, one polyline with point markers
 * per series, a legend, and optional horizontal target lines. Output is a standalone SVG document.
 */

/** One line of a chart. */
export interface Series {
  name: string
  points: { x: number; y: number }[]
  /** Dashed line (baselines). */
  dashed?: boolean
  /** Palette index (default: the series' position), so related series can share a colour. */
  color?: number
}

/** A horizontal reference line, e.g. a target. */
export interface HLine {
  y: number
  label: string
}

/** What to draw. */
export interface ChartSpec {
  title: string
  xLabel: string
  yLabel: string
  series: Series[]
  logX?: boolean
  logY?: boolean
  xFormat?: (v: number) => string
  yFormat?: (v: number) => string
  hlines?: HLine[]
  width?: number
  height?: number
}

/** The palette, by `Series.color`. */
export const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
]

/** XML-escapes text. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
 * Tick values for an axis over [lo, hi]: powers of ten on a log axis (with 2× and 5× steps when the
 * range spans less than two decades), "nice" steps on a linear one.
 * @example ticks(1, 1000, true) // [1, 10, 100, 1000]
 */
export function ticks(lo: number, hi: number, log: boolean): number[] {
  if (!(hi > lo)) return [lo]
  if (log) {
    const a = Math.floor(Math.log10(lo))
    const b = Math.ceil(Math.log10(hi))
    const steps = b - a < 2 ? [1, 2, 5] : [1]
    const out: number[] = []
    for (let e = a; e <= b; e++) for (const s of steps) out.push(s * 10 ** e)
    return out.filter((v) => v >= lo * 0.999 && v <= hi * 1.001)
  }
  const raw = (hi - lo) / 5
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw
  const out: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)))
  return out
}

/** The padded data range of an axis (log ranges snap to whole decades). */
function range(values: number[], log: boolean): [number, number] {
  const vs = values.filter((v) => Number.isFinite(v) && (!log || v > 0))
  if (vs.length === 0) return [1, 10]
  let lo = Math.min(...vs)
  let hi = Math.max(...vs)
  if (log) return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi === lo ? hi * 10 : hi))]
  if (hi === lo) hi = lo + 1
  const pad = (hi - lo) * 0.05
  lo = Math.max(0, lo - pad)
  return [lo, hi + pad]
}

/**
 * Renders a chart as an SVG document.
 * @example lineChart({ title: 'Build', xLabel: 'assets', yLabel: 'time', logX: true, logY: true, series: [{ name: 'Rivers', points: [{ x: 1e4, y: 5e6 }, { x: 1e5, y: 5e7 }] }] })
 */
export function lineChart(spec: ChartSpec): string {
  const W = spec.width ?? 720
  const H = spec.height ?? 420
  const m = { left: 78, right: 32, top: 40, bottom: 54 }
  const legendRows = spec.series.length
  const legendH = 16 * legendRows + 8
  const plotW = W - m.left - m.right
  const plotH = H - m.top - m.bottom - legendH
  const logX = spec.logX ?? true
  const logY = spec.logY ?? true
  const xs = spec.series.flatMap((s) => s.points.map((p) => p.x))
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y)).concat((spec.hlines ?? []).map((h) => h.y))
  const [x0, x1] = range(xs, logX)
  const [y0, y1] = range(ys, logY)
  const fx = (v: number): number =>
    m.left + plotW * (logX ? Math.log10(v / x0) / Math.log10(x1 / x0) : (v - x0) / (x1 - x0))
  const fy = (v: number): number =>
    m.top + plotH - plotH * (logY ? Math.log10(v / y0) / Math.log10(y1 / y0) : (v - y0) / (y1 - y0))
  const xf = spec.xFormat ?? ((v: number) => String(v))
  const yf = spec.yFormat ?? ((v: number) => String(v))
  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
  )
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  out.push(
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(spec.title)}</text>`,
  )
  // Grid and ticks.
  for (const t of ticks(x0, x1, logX)) {
    const x = fx(t).toFixed(1)
    out.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + plotH}" stroke="#e5e5e5"/>`)
    out.push(`<text x="${x}" y="${m.top + plotH + 16}" text-anchor="middle" fill="#444">${escapeXml(xf(t))}</text>`)
  }
  for (const t of ticks(y0, y1, logY)) {
    const y = fy(t).toFixed(1)
    out.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + plotW}" y2="${y}" stroke="#e5e5e5"/>`)
    out.push(
      `<text x="${m.left - 6}" y="${(Number(y) + 4).toFixed(1)}" text-anchor="end" fill="#444">${escapeXml(yf(t))}</text>`,
    )
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`)
  out.push(
    `<text x="${m.left + plotW / 2}" y="${m.top + plotH + 36}" text-anchor="middle" fill="#222">${escapeXml(spec.xLabel)}</text>`,
  )
  out.push(
    `<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#222">${escapeXml(spec.yLabel)}</text>`,
  )
  for (const h of spec.hlines ?? []) {
    if (!(h.y >= y0 && h.y <= y1)) continue
    const y = fy(h.y).toFixed(1)
    out.push(
      `<line x1="${m.left}" y1="${y}" x2="${m.left + plotW}" y2="${y}" stroke="#b00020" stroke-dasharray="2 3"/>`,
    )
    out.push(
      `<text x="${m.left + plotW - 4}" y="${(Number(y) - 4).toFixed(1)}" text-anchor="end" fill="#b00020">${escapeXml(h.label)}</text>`,
    )
  }
  spec.series.forEach((s, i) => {
    const color = COLORS[(s.color ?? i) % COLORS.length]
    const pts = s.points
      .filter((p) => Number.isFinite(p.y) && (!logY || p.y > 0) && (!logX || p.x > 0))
      .sort((a, b) => a.x - b.x)
    if (pts.length > 1)
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.map((p) => `${fx(p.x).toFixed(1)},${fy(p.y).toFixed(1)}`).join(' ')}"/>`,
      )
    for (const p of pts)
      out.push(
        `<circle cx="${fx(p.x).toFixed(1)}" cy="${fy(p.y).toFixed(1)}" r="3.5" fill="${color}"><title>${escapeXml(`${s.name}: ${xf(p.x)} → ${yf(p.y)}`)}</title></circle>`,
      )
    const ly = m.top + plotH + 50 + 16 * i
    out.push(
      `<line x1="${m.left}" y1="${ly - 4}" x2="${m.left + 24}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    )
    out.push(`<text x="${m.left + 30}" y="${ly}" fill="#222">${escapeXml(s.name)}</text>`)
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
