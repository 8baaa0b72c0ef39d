import { describe, expect, it } from 'vitest'

import { loadUi, UI_PACKAGE } from './ui.js'

describe('loadUi', () => {
  it('names the package and the install command when it is missing', async () => {
    const missing = async () => {
      throw Object.assign(new Error(`Cannot find package '${UI_PACKAGE}'`), { code: 'ERR_MODULE_NOT_FOUND' })
    }
    await expect(loadUi('/home/me/shop/rivers.config.ts', missing)).rejects.toMatchObject({
      code: 'RIVERS_UI_MISSING',
      message: expect.stringContaining('(cd /home/me/shop && npm install --save-dev @rivers-orchestrator/ui)'),
    })
  })

  it('loads the package of this workspace', async () => {
    const mod = await loadUi('/home/me/shop/rivers.config.ts', (s) => import(s))
    expect(typeof mod.startUi).toBe('function')
  })
})
