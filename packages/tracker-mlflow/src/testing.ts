/**
 * Test helpers of the MLflow tracker: the server of `RIVERS_TEST_MLFLOW_URL` (`.ci/mlflow/setup.sh`
 * starts one), and the rule for when that variable is missing: the tests are skipped on a
 * developer's machine, and FAIL in CI (`CI` set), so that a CI without its MLflow server cannot pass
 * silently.
 */
import { randomBytes } from 'node:crypto'

/** The server the tests use, from RIVERS_TEST_MLFLOW_URL. */
export const TEST_MLFLOW_URL: string | undefined = process.env.RIVERS_TEST_MLFLOW_URL || undefined

/**
 * Why the MLflow tests cannot run here, or undefined when they can. In CI a missing server is an
 * error (thrown), never a skip.
 *
 * @example
 * const why = mlflowUnavailable() // undefined: the tests can run
 */
export function mlflowUnavailable(): string | undefined {
  if (TEST_MLFLOW_URL !== undefined) return undefined
  const why =
    'RIVERS_TEST_MLFLOW_URL is not set: start a server with `bash .ci/mlflow/setup.sh` and export the URL it prints'
  if (process.env.CI) throw new Error(`${why} (CI is set: the MLflow tracker tests must run in CI).`)
  return why
}

/**
 * A name no other test uses (experiments and registered models live as long as the server).
 *
 * @example
 * const experiment = uniqueName('tracker') // 'tracker-3f9a0c1b2d4e'
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`
}
