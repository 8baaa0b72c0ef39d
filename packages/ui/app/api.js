// @ts-check
/**
 * The API client: JSON requests (with the token when the page has one), the live event stream,
 * and the token taken from the URL the server printed (kept for the tab, removed from the address bar).
 */

const params = new URLSearchParams(location.search)
const fromUrl = params.get('token')
if (fromUrl !== null) {
  sessionStorage.setItem('rivers-token', fromUrl)
  params.delete('token')
  const rest = params.toString()
  history.replaceState(null, '', `${location.pathname}${rest === '' ? '' : `?${rest}`}${location.hash}`)
}

/** @returns {string | null} */
export function token() {
  return sessionStorage.getItem('rivers-token')
}

/** An API error: its code and message (the server's). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

/**
 * A JSON request to the API.
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<any>}
 */
export async function api(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = {}
  const t = token()
  if (t !== null) headers.authorization = `Bearer ${t}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  })
  const body = await res.json()
  if (!res.ok) throw new ApiError(res.status, body.error?.code ?? 'ERROR', body.error?.message ?? res.statusText)
  return body
}

/**
 * An EventSource on an API path (the token as a query parameter: EventSource sends no headers).
 * @param {string} path
 * @returns {EventSource}
 */
export function stream(path) {
  const t = token()
  const sep = path.includes('?') ? '&' : '?'
  return new EventSource(t === null ? path : `${path}${sep}token=${encodeURIComponent(t)}`)
}

/** @type {Set<(event: string, data: any) => void>} */
const listeners = new Set()
/** @type {EventSource | undefined} */
let events

/**
 * Listens to `/api/events` (runs, assets, graph changes); returns the function that stops listening.
 * @param {(event: string, data: any) => void} fn
 * @returns {() => void}
 */
export function onEvents(fn) {
  listeners.add(fn)
  if (events === undefined) {
    events = stream('/api/events')
    const conn = document.getElementById('conn')
    events.onopen = () => conn?.classList.add('live')
    events.onerror = () => conn?.classList.remove('live')
    for (const name of ['run', 'asset', 'graph'])
      events.addEventListener(name, (e) => {
        const data = JSON.parse(/** @type {MessageEvent} */ (e).data)
        for (const l of listeners) l(name, data)
      })
  }
  return () => listeners.delete(fn)
}
