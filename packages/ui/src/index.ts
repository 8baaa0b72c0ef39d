/**
 * The web UI of Rivers (`assets ui`): a server over an open workspace with a JSON and
 * Server-Sent-Events API, and the single-page app in app/ (plain browser modules, no bundler).
 *
 * @example
 * import { startUi } from '@rivers-orchestrator/ui'
 * const ui = await startUi({ workspace: ws })
 * console.log(`open ${ui.url}`)
 */
export { startUi, APP_DIR, type UiOptions, type UiServer } from './server.js'
export { UiError } from './errors.js'
export { layoutGraph, graphHash, type Layout } from './layout.js'
export { isLoopback, resolveToken, MIN_TOKEN_LENGTH } from './token.js'
export type { GraphDoc, AssetDoc, RunDoc, NodeStatus } from './api.js'
export type { TimelineEntry } from './runs.js'
