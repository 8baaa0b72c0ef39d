import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { api } from './http.fixture.js'
import { openFixture } from './project.fixture.js'
import { startUi, type UiServer } from './server.js'
import { isLoopback, resolveToken } from './token.js'

let fixture: Awaited<ReturnType<typeof openFixture>>
let ui: UiServer

beforeAll(async () => {
  fixture = await openFixture()
  ui = await startUi({ workspace: fixture.ws })
})
afterAll(async () => {
  await ui.close()
  await fixture.dispose()
})

describe('the token rules', () => {
  it('loopback addresses', () => {
    expect(['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ])
    expect(['0.0.0.0', '192.168.1.4', '::', 'example.com'].map(isLoopback)).toEqual([false, false, false, false])
  })

  it('refuses another address without a token of the user, and short tokens', async () => {
    expect(() => resolveToken('0.0.0.0', undefined)).toThrow(/--token T or RIVERS_UI_TOKEN/)
    expect(() => resolveToken('127.0.0.1', 'short')).toThrow(/at least 16/)
    expect(resolveToken('0.0.0.0', 'a-long-enough-token')).toEqual({ token: 'a-long-enough-token', configured: true })
    await expect(startUi({ workspace: fixture.ws, host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'RIVERS_UI_HOST_NEEDS_TOKEN',
    })
  })

  it('actions need the token; reads on loopback do not', async () => {
    expect((await api(ui, 'GET', '/api/runs')).status).toBe(200)
    const none = await api(ui, 'POST', '/api/materialize', { body: { key: 'raw' } })
    expect(none.status).toBe(401)
    expect(none.body.error.message).toContain('Authorization: Bearer TOKEN')
    expect((await api(ui, 'POST', '/api/materialize', { token: 'x'.repeat(32), body: { key: 'raw' } })).status).toBe(
      401,
    )
    expect((await api(ui, 'POST', '/api/runs/r1/cancel')).status).toBe(401)
    const header = await api(ui, 'POST', '/api/runs/r1/cancel', { headers: { 'x-rivers-token': ui.token } })
    expect(header.status).toBe(409)
  })

  it('refuses a foreign Host on loopback (DNS rebinding)', async () => {
    const { request } = await import('node:http')
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: ui.port, path: '/api/runs', headers: { host: 'evil.example' } },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(403)
  })

  it('beyond loopback, every API request needs the token', async () => {
    const open = await startUi({ workspace: fixture.ws, host: '0.0.0.0', token: 'a-long-enough-token' })
    try {
      const base = { ...open, origin: `http://127.0.0.1:${open.port}` }
      expect((await api(base, 'GET', '/api/runs')).status).toBe(401)
      expect((await api(base, 'GET', '/api/runs', { token: true })).status).toBe(200)
      expect((await api(base, 'GET', '/api/runs?token=a-long-enough-token')).status).toBe(200)
      expect((await fetch(`${base.origin}/`)).status).toBe(200)
    } finally {
      await open.close()
    }
  })
})
