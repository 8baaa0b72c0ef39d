/**
 * Store selection: folder or PostgreSQL URL from --store, RIVERS_STORE_URL and RIVERS_HOME, and the
 * error when the PostgreSQL package is not installed.
 */
import { describe, expect, it } from 'vitest'
import { isStoreUrl, openStoreUrl, storeTargetOf } from './store-select.js'

const FILE = '/home/me/shop/rivers.config.ts'
const CWD = '/home/me/shop/src'

describe('storeTargetOf', () => {
  it('defaults to .rivers/ beside the project file, or RIVERS_HOME', () => {
    expect(storeTargetOf({}, {}, CWD, FILE)).toEqual({ dir: '/home/me/shop/.rivers' })
    expect(storeTargetOf({}, { RIVERS_HOME: '../state' }, CWD, FILE)).toEqual({ dir: '/home/me/shop/state' })
  })

  it('takes --store as a folder, or as a PostgreSQL URL with the local folder kept for outputs', () => {
    expect(storeTargetOf({ store: 'st' }, { RIVERS_STORE_URL: 'postgres://db/x' }, CWD, FILE)).toEqual({
      dir: '/home/me/shop/src/st',
    })
    expect(storeTargetOf({ store: 'postgresql://u@db/team' }, { RIVERS_HOME: '/var/rivers' }, CWD, FILE)).toEqual({
      url: 'postgresql://u@db/team',
      from: '--store',
      dir: '/var/rivers',
    })
  })

  it('takes RIVERS_STORE_URL when --store is absent, and refuses one that is not PostgreSQL', () => {
    expect(storeTargetOf({}, { RIVERS_STORE_URL: 'postgres://u@db/team' }, CWD, FILE)).toEqual({
      url: 'postgres://u@db/team',
      from: 'RIVERS_STORE_URL',
      dir: '/home/me/shop/.rivers',
    })
    expect(() => storeTargetOf({}, { RIVERS_STORE_URL: 'mysql://u:pw@db/team' }, CWD, FILE)).toThrow(
      expect.objectContaining({ code: 'RIVERS_BAD_STORE_URL', message: expect.not.stringContaining(':pw@') }),
    )
    expect(isStoreUrl('POSTGRES://db/x')).toBe(true)
    expect(isStoreUrl('./postgres')).toBe(false)
  })
  it("takes the project's setting last: --store > RIVERS_STORE_URL > project > the embedded store", () => {
    const project = 'postgres://u@db/project'
    expect(storeTargetOf({}, {}, CWD, FILE, project)).toEqual({
      url: project,
      from: 'the project',
      dir: '/home/me/shop/.rivers',
    })
    expect(storeTargetOf({}, { RIVERS_STORE_URL: 'postgres://u@db/env' }, CWD, FILE, project).url).toBe(
      'postgres://u@db/env',
    )
    expect(
      storeTargetOf({ store: 'postgres://u@db/flag' }, { RIVERS_STORE_URL: 'postgres://u@db/env' }, CWD, FILE, project)
        .url,
    ).toBe('postgres://u@db/flag')
    expect(storeTargetOf({ store: 'mine' }, {}, CWD, FILE, project)).toEqual({ dir: '/home/me/shop/src/mine' })
  })

  it("reads { env: 'NAME' } when the command runs, naming the variable when it is unset or not PostgreSQL", () => {
    const setting = { env: 'TEAM_STORE_URL' }
    expect(storeTargetOf({}, { TEAM_STORE_URL: 'postgres://u:pw@db/team' }, CWD, FILE, setting)).toEqual({
      url: 'postgres://u:pw@db/team',
      from: "the project's variable TEAM_STORE_URL",
      dir: '/home/me/shop/.rivers',
    })
    expect(() => storeTargetOf({}, {}, CWD, FILE, setting)).toThrow(
      expect.objectContaining({
        code: 'RIVERS_STORE_VARIABLE_UNSET',
        message: expect.stringContaining('Fix: export TEAM_STORE_URL=postgres://'),
      }),
    )
    expect(() => storeTargetOf({}, { TEAM_STORE_URL: 'mysql://u:pw@db' }, CWD, FILE, setting)).toThrow(
      expect.objectContaining({
        code: 'RIVERS_BAD_STORE_URL',
        message: expect.stringMatching(/^TEAM_STORE_URL is "mysql:\/\/u:\*\*\*@db"/),
      }),
    )
  })
})

describe('openStoreUrl', () => {
  it('names the package and the install command when it is not installed (exit 2)', async () => {
    const missing = async () => {
      throw Object.assign(new Error("Cannot find package '@rivers-orchestrator/store-postgres'"), {
        code: 'ERR_MODULE_NOT_FOUND',
      })
    }
    const err = await openStoreUrl('postgres://u:secret@db/team', FILE, missing).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string; exitCode: number },
    )
    expect(err).toMatchObject({ code: 'RIVERS_STORE_BACKEND_MISSING', exitCode: 2 })
    expect(err?.message).toMatchInlineSnapshot(`
      "The store postgres://u:***@db/team is a PostgreSQL database, which needs the package @rivers-orchestrator/store-postgres; it is not installed.
      Fix: install it beside the project: (cd /home/me/shop && npm install @rivers-orchestrator/store-postgres)
           or leave out --store / RIVERS_STORE_URL to use the embedded SQLite store."
    `)
  })

  it('lets other import failures through unchanged', async () => {
    const broken = async () => {
      throw new SyntaxError('Unexpected token')
    }
    await expect(openStoreUrl('postgres://db/team', FILE, broken)).rejects.toThrow(SyntaxError)
  })
})
