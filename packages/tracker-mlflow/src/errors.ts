/**
 * The errors of the MLflow package, one constructor per kind: what the server answered (with
 * MLflow's error code), a server that could not be reached, and what the tracker could not log.
 */

/**
 * A failed call to an MLflow tracking server. `status` is the HTTP status (undefined when the
 * server never answered); `errorCode` is MLflow's (`RESOURCE_DOES_NOT_EXIST`, …).
 *
 * @example
 * try { await client.getRun('nope') } catch (e) { if (e instanceof MlflowError && e.status === 404) console.log('gone') }
 */
export class MlflowError extends Error {
  override readonly name = 'MlflowError'
  readonly status: number | undefined
  readonly errorCode: string | undefined

  constructor(message: string, status: number | undefined, errorCode: string | undefined, options?: ErrorOptions) {
    super(message, options)
    this.status = status
    this.errorCode = errorCode
  }
}

/**
 * The server answered with an error status; its body (MLflow's `{ error_code, message }`) is kept.
 *
 * @example
 * throw mlflowAnswered('GET', '/api/2.0/mlflow/runs/get', 'http://127.0.0.1:5000', 404, '{"error_code":"RESOURCE_DOES_NOT_EXIST"}')
 */
export function mlflowAnswered(
  method: string,
  endpoint: string,
  base: string,
  status: number,
  body: string,
): MlflowError {
  let code: string | undefined
  let message = body.slice(0, 500)
  try {
    const parsed = JSON.parse(body) as { error_code?: unknown; message?: unknown }
    if (typeof parsed.error_code === 'string') code = parsed.error_code
    if (typeof parsed.message === 'string') message = parsed.message
  } catch {
    // not JSON (a proxy's HTML page): the start of the text is the message
  }
  const fix =
    status === 401 || status === 403
      ? '\nFix: set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (basic auth) or MLFLOW_TRACKING_TOKEN (bearer) for this server.'
      : ''
  return new MlflowError(
    `MLflow at ${base} answered ${status}${code === undefined ? '' : ` ${code}`} to ${method} ${endpoint}: ${message}${fix}`,
    status,
    code,
  )
}

/**
 * The server could not be reached (connection refused, reset, timed out) after every attempt.
 *
 * @example
 * throw mlflowUnreachable('POST', '/api/2.0/mlflow/runs/create', 'http://127.0.0.1:5000', 4, new TypeError('fetch failed'))
 */
export function mlflowUnreachable(
  method: string,
  endpoint: string,
  base: string,
  attempts: number,
  cause: unknown,
): MlflowError {
  const why = describe(cause)
  return new MlflowError(
    `MLflow tracking server at ${base} did not answer ${method} ${endpoint} (${why}; ${attempts} attempt${attempts === 1 ? '' : 's'}).\n` +
      `Fix: start it (mlflow server --host 127.0.0.1 --port ${portOf(base)}) or point MLFLOW_TRACKING_URI at a running one.`,
    undefined,
    undefined,
    { cause },
  )
}

/**
 * A run's artifact location is not served by the tracking server's artifact proxy, so the tracker
 * cannot upload the output there.
 *
 * @example
 * throw artifactsNotProxied('model/train', 'file:///srv/mlruns/1/abc/artifacts', 'http://127.0.0.1:5000')
 */
export function artifactsNotProxied(assetKey: string, artifactUri: string, base: string): MlflowError {
  return new MlflowError(
    `MLflow run of ${assetKey}: its artifact location ${artifactUri} is not served by the tracking server at ${base} (mlflow-artifacts:/…), so its output was not uploaded.\n` +
      'Fix: start the server with --serve-artifacts (and --artifacts-destination DIR), or set artifacts: false in the MlflowTracker options.',
    undefined,
    undefined,
  )
}

/**
 * An alias moved in Rivers to a version MLflow has no version of (it was built before MLflow tracking
 * was on, or its logging failed), so MLflow's alias stays where it was.
 *
 * @example
 * throw noMlflowVersion('penguins', 'model/registry', 'champion', 3, 'ab12cd34…', 'http://127.0.0.1:5000')
 */
export function noMlflowVersion(
  name: string,
  assetKey: string,
  alias: string,
  version: number,
  dataVersion: string,
  base: string,
): MlflowError {
  return new MlflowError(
    `MLflow at ${base} has no version of the registered model ${name} with data version ${dataVersion.slice(0, 12)} (Rivers' v${version} of ${assetKey}), so its alias '${alias}' was not moved there; the Rivers registry moved it all the same.
` +
      `Fix: materialize ${assetKey} with MLFLOW_TRACKING_URI set (\`assets materialize ${assetKey} --force\` rebuilds it; the same inputs and config give the same version), then promote again.`,
    undefined,
    undefined,
  )
}

/**
 * Some materializations could not be logged to MLflow (each is in the Rivers store all the same).
 *
 * @example
 * throw notLogged('http://127.0.0.1:5000', [{ assetKey: 'model/train', error: new Error('boom') }])
 */
export function notLogged(base: string, failures: readonly { assetKey: string; error: unknown }[]): Error {
  const lines = failures.slice(0, 5).map((f) => `  ${f.assetKey}: ${describe(f.error).split('\n')[0]}`)
  const more = failures.length > 5 ? `\n  … and ${failures.length - 5} more` : ''
  return new Error(
    `${failures.length} materialization${failures.length === 1 ? ' was' : 's were'} not logged to MLflow at ${base} (they are recorded in the Rivers store):\n${lines.join('\n')}${more}`,
  )
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause
    const inner = cause instanceof Error ? `: ${(cause as { code?: string }).code ?? cause.message}` : ''
    return `${e.name === 'TimeoutError' ? 'timed out' : e.message}${inner}`
  }
  return String(e)
}

function portOf(base: string): string {
  try {
    return new URL(base).port || '5000'
  } catch {
    return '5000'
  }
}
