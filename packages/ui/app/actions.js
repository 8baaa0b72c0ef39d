// @ts-check
/** The buttons that start runs: POST /api/materialize or /api/backfill, then the (first) run's page. */
import { api } from './api.js'

/**
 * Starts a run of `body` and opens its page; a refusal (no token, a run going, missing inputs) is
 * shown in `errorBox`.
 * @param {{ key?: string, upstream?: boolean, select?: string[], force?: boolean }} body
 * @param {HTMLElement} errorBox
 */
export async function materialize(body, errorBox) {
  await start('/api/materialize', body, errorBox)
}

/**
 * Starts a backfill of a range of partitions and opens its first run's page.
 * @param {{ key: string, from: string, to: string, batch?: number, upstream?: boolean }} body
 * @param {HTMLElement} errorBox
 */
export async function backfill(body, errorBox) {
  await start('/api/backfill', body, errorBox)
}

/**
 * @param {string} path
 * @param {unknown} body
 * @param {HTMLElement} errorBox
 */
async function start(path, body, errorBox) {
  errorBox.textContent = ''
  try {
    const { runId } = await api(path, { method: 'POST', body })
    location.hash = `#/run/${encodeURIComponent(runId)}`
  } catch (e) {
    errorBox.textContent = /** @type {Error} */ (e).message
  }
}
