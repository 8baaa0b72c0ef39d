// @ts-check
/** Numbers with their units, for every page. Formatters are made once: `toLocaleString` per call is slow. */

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' })
const INT = new Intl.NumberFormat()
const SIG4 = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 })

/**
 * A local date and time.
 * @param {string | number} at
 * @returns {string}
 */
export function date(at) {
  return DATE.format(new Date(at))
}

/**
 * A duration in ms as text with its unit: `840 ms`, `3.2 s`, `4 min 12 s`, `2 h 5 min`.
 * @param {number | undefined} ms
 * @returns {string}
 */
export function duration(ms) {
  if (ms === undefined || !Number.isFinite(ms)) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`
}

/**
 * A time as a local date and time, with how long ago.
 * @param {string | number | undefined} at
 * @returns {string}
 */
export function when(at) {
  if (at === undefined) return '–'
  const d = new Date(at)
  const ago = Date.now() - d.getTime()
  return `${DATE.format(d)} (${duration(Math.max(0, ago))} ago)`
}

/**
 * A count with its noun: `1 asset`, `3 assets`, `12,400 assets`.
 * @param {number} n
 * @param {string} noun
 * @returns {string}
 */
export function count(n, noun) {
  return `${INT.format(n)} ${noun}${n === 1 ? '' : 's'}`
}

/**
 * A metric value: up to 4 significant digits.
 * @param {number} v
 * @returns {string}
 */
export function metric(v) {
  if (!Number.isFinite(v)) return String(v)
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2)
  return SIG4.format(v)
}

/**
 * Text safe inside HTML.
 * @param {unknown} s
 * @returns {string}
 */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
