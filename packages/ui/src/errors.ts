/**
 * The errors of the UI package, one constructor per kind: each says what was wrong and how to fix
 * it. Start-up errors exit the `assets ui` command with 2; request errors become JSON bodies
 * (`{ error: { code, message } }`) with an HTTP status.
 */
import { RiversError } from '@rivers-orchestrator/rivers'

/** An error of the UI server, with the HTTP status a request that hit it gets. */
export class UiError extends RiversError {
  /** The HTTP status of a request that failed with it. */
  readonly httpStatus: number

  constructor(code: string, message: string, httpStatus = 400, options: { cause?: unknown } = {}) {
    super(code, message, options)
    this.name = 'UiError'
    this.httpStatus = httpStatus
  }
}

/**
 * `--host` names an address other than loopback and no token was configured.
 *
 * @example
 * throw hostNeedsToken('0.0.0.0')
 */
export function hostNeedsToken(host: string): UiError {
  return new UiError(
    'RIVERS_UI_HOST_NEEDS_TOKEN',
    `assets ui would listen on ${host}, which other machines can reach, without a token of your own.\n` +
      'Fix: set one (--token T or RIVERS_UI_TOKEN=T, at least 16 characters), or leave out --host to listen on 127.0.0.1 only.',
  )
}

/**
 * A configured token is too short to guard the actions.
 *
 * @example
 * throw tokenTooShort(4)
 */
export function tokenTooShort(length: number): UiError {
  return new UiError(
    'RIVERS_UI_TOKEN_TOO_SHORT',
    `The UI token has ${length} characters; it needs at least 16 to guard the actions that start and cancel runs.\n` +
      'Fix: pick a longer one (e.g. openssl rand -hex 16), or leave out --token / RIVERS_UI_TOKEN to get a random one.',
  )
}

/**
 * A request that needs the token came without it, or with another one.
 *
 * @example
 * throw tokenRequired('POST /api/materialize')
 */
export function tokenRequired(what: string): UiError {
  return new UiError(
    'RIVERS_UI_TOKEN_REQUIRED',
    `${what} needs the token printed when assets ui started.\n` +
      'Fix: open the URL it printed (it carries ?token=…), or send the header "Authorization: Bearer TOKEN".',
    401,
  )
}

/**
 * A request whose Host header is not the loopback name the server listens on (DNS rebinding).
 *
 * @example
 * throw foreignHost('evil.example:8080')
 */
export function foreignHost(host: string): UiError {
  return new UiError(
    'RIVERS_UI_FOREIGN_HOST',
    `A request for host ${JSON.stringify(host)} reached the UI, which listens on loopback only.\n` +
      'Fix: open the UI as http://127.0.0.1:PORT or http://localhost:PORT.',
    403,
  )
}

/**
 * No endpoint at this path.
 *
 * @example
 * throw notFound('GET /api/nope')
 */
export function notFound(what: string): UiError {
  return new UiError(
    'RIVERS_UI_NOT_FOUND',
    `${what}: no such endpoint. The API is /api/graph, /api/assets/KEY, /api/runs, /api/runs/ID, /api/runs/ID/logs, /api/events, /api/automation, POST /api/materialize and POST /api/runs/ID/cancel.`,
    404,
  )
}

/**
 * A run id that neither this server nor the store knows.
 *
 * @example
 * throw unknownRun('r-42')
 */
export function unknownRun(runId: string): UiError {
  return new UiError(
    'RIVERS_UI_UNKNOWN_RUN',
    `No run ${JSON.stringify(runId)} in the store.\nFix: pick one from GET /api/runs (assets runs lists them too).`,
    404,
  )
}

/**
 * A cancel for a run that this server did not start (another process runs it).
 *
 * @example
 * throw notOurRun('r-42')
 */
export function notOurRun(runId: string): UiError {
  return new UiError(
    'RIVERS_UI_NOT_OUR_RUN',
    `Run ${runId} is not running in this assets ui process, so it cannot be cancelled from here.\n` +
      'Fix: cancel it where it runs (Ctrl-C in its terminal, or stop its daemon).',
    409,
  )
}

/**
 * A run was asked for while one started from the UI is still going.
 *
 * @example
 * throw runInProgress('r-41')
 */
export function runInProgress(runId: string): UiError {
  return new UiError(
    'RIVERS_UI_RUN_IN_PROGRESS',
    `Run ${runId}, started from this UI, is still going; the UI runs one at a time.\n` +
      `Fix: wait for it to finish, or cancel it (POST /api/runs/${runId}/cancel).`,
    409,
  )
}

/**
 * A request body that is not the JSON the endpoint takes.
 *
 * @example
 * throw badBody('POST /api/materialize', '{"select":["model"],"force":false}', 'select must be a list of strings')
 */
export function badBody(what: string, example: string, why: string): UiError {
  return new UiError('RIVERS_UI_BAD_BODY', `${what}: ${why}.\nFix: send a JSON body such as ${example}.`, 400)
}
