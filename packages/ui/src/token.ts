/**
 * The token rules of `assets ui`: actions (starting and cancelling runs) need the token printed at
 * start-up; a server that listens beyond loopback needs a token the user chose, and then every API
 * request needs it. On loopback, requests must name a loopback host (no DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

import { foreignHost, hostNeedsToken, tokenRequired, tokenTooShort } from './errors.js'

/** The least length of a configured token. */
export const MIN_TOKEN_LENGTH = 16

/**
 * Whether `host` is a loopback address or name.
 *
 * @example
 * isLoopback('127.0.0.1') // true
 * isLoopback('0.0.0.0') // false
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h)
}

/**
 * The token of a server: the configured one (checked), else a random one; throws when `host` is
 * not loopback and no token was configured.
 *
 * @example
 * resolveToken('127.0.0.1', undefined) // { token: '3f9c…', configured: false }
 */
export function resolveToken(host: string, configured: string | undefined): { token: string; configured: boolean } {
  if (configured !== undefined && configured !== '') {
    if (configured.length < MIN_TOKEN_LENGTH) throw tokenTooShort(configured.length)
    return { token: configured, configured: true }
  }
  if (!isLoopback(host)) throw hostNeedsToken(host)
  return { token: randomBytes(16).toString('hex'), configured: false }
}

/**
 * The token a request carries: `Authorization: Bearer T`, `X-Rivers-Token: T`, or `?token=T` (for
 * EventSource, which cannot set headers).
 *
 * @example
 * tokenOf({ authorization: 'Bearer abc' }, new URL('http://127.0.0.1/api/runs')) // 'abc'
 */
export function tokenOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  url: URL,
): string | undefined {
  const auth = headers.authorization
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim()
  const header = headers['x-rivers-token']
  if (typeof header === 'string') return header
  return url.searchParams.get('token') ?? undefined
}

/**
 * Whether `given` is `token` (compared in constant time).
 *
 * @example
 * sameToken('abc', 'abc') // true
 */
export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false
  const [a, b] = [Buffer.from(given), Buffer.from(token)]
  return a.length === b.length && timingSafeEqual(a, b)
}

/** What the guard needs to know about the server. */
export interface Guard {
  token: string
  /** The server listens on loopback only. */
  loopback: boolean
}

/**
 * Throws the error a request gets, if any: a foreign Host on loopback (403), a missing or wrong token
 * for an action, or for any API request beyond loopback (401).
 *
 * @example
 * checkRequest({ token: 't', loopback: true }, 'POST', new URL('http://127.0.0.1/api/materialize'), { host: '127.0.0.1:8080' })
 */
export function checkRequest(
  guard: Guard,
  method: string,
  url: URL,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): void {
  const host = typeof headers.host === 'string' ? headers.host : ''
  if (guard.loopback && !isLoopback(host.replace(/:\d+$/, ''))) throw foreignHost(host)
  const action = method !== 'GET' && method !== 'HEAD'
  const api = url.pathname.startsWith('/api/')
  if ((action || (api && !guard.loopback)) && !sameToken(tokenOf(headers, url), guard.token))
    throw tokenRequired(`${method} ${url.pathname}`)
}
