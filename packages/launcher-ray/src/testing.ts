/**
 * For this package's tests: the Ray head they run against (`RIVERS_TEST_RAY_URL`, started by
 * `.ci/ray/setup.sh`), and why there is none.
 */

/**
 * The test head's dashboard URL, or undefined.
 *
 * @example
 * const url = testRayUrl() // 'http://127.0.0.1:8275'
 */
export function testRayUrl(): string | undefined {
  const url = process.env.RIVERS_TEST_RAY_URL
  return url === undefined || url === '' ? undefined : url.replace(/\/+$/, '')
}

/**
 * Why the Ray tests cannot run here (undefined when they can): they skip on a developer's machine
 * and fail in CI.
 *
 * @example
 * if (rayUnavailable() !== undefined) console.log('skipping the Ray tests:', rayUnavailable())
 */
export function rayUnavailable(): string | undefined {
  return testRayUrl() === undefined
    ? 'RIVERS_TEST_RAY_URL is not set; start a head with: RIVERS_TEST_RAY_URL="$(bash .ci/ray/setup.sh)"'
    : undefined
}
