// @ts-check
/** The buttons that start runs: POST /api/materialize, then the run's page. */
import { api } from './api.js'

/**
 * Starts a run of `body` and opens its page; a refusal (no token, a run going, missing inputs) is
 * shown in `errorBox`.
 * @param {{ key?: string, upstream?: boolean, select?: string[], force?: boolean }} body
 * @param {HTMLElement} errorBox
 */
export async function materialize(body, errorBox) {
  errorBox.textContent = ''
  try {
    const { runId } = await api('/api/materialize', { method: 'POST', body })
    location.hash = `#/run/${encodeURIComponent(runId)}`
  } catch (e) {
    errorBox.textContent = /** @type {Error} */ (e).message
  }
}
