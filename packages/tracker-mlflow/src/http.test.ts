/**
 * The HTTP layer on a local stand-in server (what a proxy or a struggling server answers): auth
 * headers, retries with backoff on 5xx and on a dead server, no retry on 4xx.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { MlflowError } from './errors.js'
import { MlflowHttp, resolveConnection } from './http.js'

let server: Server | undefined
afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())))
  server = undefined
})

/** A server answering each request with the next of `answers` (the last one repeats); returns its URL and what it saw. */
async function standIn(answers: readonly [number, string][]): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = []
  server = createServer((req, res) => {
    seen.push(req.headers)
    const [status, body] = answers[Math.min(seen.length - 1, answers.length - 1)]!
    req.resume()
    res.writeHead(status, { 'content-type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen }
}

describe('auth', () => {
  it('sends basic auth from settings, from the URL, and from MLFLOW_TRACKING_USERNAME/PASSWORD', async () => {
    const { url, seen } = await standIn([[200, '{}']])
    await new MlflowHttp({ trackingUri: url, username: 'ada', password: 's3cret' }, {}).request('GET', '/x')
    const withUser = url.replace('http://', 'http://bob:pw%40x@')
    const http = new MlflowHttp({ trackingUri: withUser }, {})
    expect(http.base).toBe(url)
    await http.request('GET', '/x')
    await new MlflowHttp(
      { trackingUri: url },
      { MLFLOW_TRACKING_USERNAME: 'eve', MLFLOW_TRACKING_PASSWORD: 'pw' },
    ).request('GET', '/x')
    expect(seen.map((h) => Buffer.from(h.authorization!.replace('Basic ', ''), 'base64').toString())).toEqual([
      'ada:s3cret',
      'bob:pw@x',
      'eve:pw',
    ])
  })

  it('sends a bearer token (MLFLOW_TRACKING_TOKEN), and nothing when no auth is set', async () => {
    const { url, seen } = await standIn([[200, '{}']])
    await new MlflowHttp({ trackingUri: url }, { MLFLOW_TRACKING_TOKEN: 'tok', MLFLOW_TRACKING_USERNAME: 'x' }).request(
      'GET',
      '/x',
    )
    await new MlflowHttp({ trackingUri: url }, {}).request('GET', '/x')
    expect(seen.map((h) => h.authorization)).toEqual(['Bearer tok', undefined])
    expect(resolveConnection({ trackingUri: `${url}/` }, {}).base).toBe(url)
  })

  it('names the variables to set when the server refuses the credentials', async () => {
    const { url } = await standIn([[401, '{"error_code":"UNAUTHENTICATED","message":"You are not authenticated."}']])
    const e = await new MlflowHttp({ trackingUri: url }, {}).request('GET', '/x').catch((e: unknown) => e)
    expect(e).toBeInstanceOf(MlflowError)
    expect((e as MlflowError).status).toBe(401)
    expect((e as Error).message).toContain('UNAUTHENTICATED')
    expect((e as Error).message).toContain('MLFLOW_TRACKING_USERNAME')
  })
})

describe('retries', () => {
  it('retries 5xx and 429 with backoff, then succeeds', async () => {
    const { url, seen } = await standIn([
      [503, 'busy'],
      [429, '{"error_code":"REQUEST_LIMIT_EXCEEDED"}'],
      [200, '{"ok":1}'],
    ])
    const http = new MlflowHttp({ trackingUri: url, backoffMs: 20 }, {})
    const started = Date.now()
    expect(await http.request('GET', '/x')).toEqual({ ok: 1 })
    expect(seen.length).toBe(3)
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40 - 5)
  })

  it('gives up after its retries with the last answer', async () => {
    const { url, seen } = await standIn([[500, '{"error_code":"INTERNAL_ERROR","message":"db locked"}']])
    const e = await new MlflowHttp({ trackingUri: url, retries: 2, backoffMs: 1 }, {})
      .request('POST', '/api/2.0/mlflow/runs/create', { json: {} })
      .catch((e: unknown) => e)
    expect(seen.length).toBe(3)
    expect((e as MlflowError).errorCode).toBe('INTERNAL_ERROR')
    expect((e as Error).message).toContain('db locked')
  })

  it('does not retry a 4xx', async () => {
    const { url, seen } = await standIn([[400, '{"error_code":"INVALID_PARAMETER_VALUE","message":"bad key"}']])
    const e = await new MlflowHttp({ trackingUri: url, backoffMs: 1 }, {}).request('GET', '/x').catch((e: unknown) => e)
    expect(seen.length).toBe(1)
    expect((e as MlflowError).errorCode).toBe('INVALID_PARAMETER_VALUE')
  })

  it('retries a server that does not answer, then says how to fix it', async () => {
    const { url } = await standIn([[200, '{}']])
    await new Promise<void>((resolve) => server!.close(() => resolve()))
    server = undefined
    const e = await new MlflowHttp({ trackingUri: url, retries: 2, backoffMs: 1 }, {})
      .request('GET', '/api/2.0/mlflow/experiments/get-by-name')
      .catch((e: unknown) => e)
    expect(e).toBeInstanceOf(MlflowError)
    expect((e as MlflowError).status).toBeUndefined()
    expect((e as Error).message).toContain(`MLflow tracking server at ${url} did not answer`)
    expect((e as Error).message).toContain('3 attempts')
    expect((e as Error).message).toContain('ECONNREFUSED')
    expect((e as Error).message).toContain('MLFLOW_TRACKING_URI')
  })
})
