/**
 * Test fixture of the automation tests: every test gets a fresh temporary folder holding the
 * project's SQLite store; the workspaces it opened are closed and the folder removed after it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach } from 'vitest'

import type { Project } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { SqliteStore } from '../store/sqlite-store.js'
import type { Workspace } from './workspace.js'

/** What a test file gets from {@link tickWorkspaces}. */
export interface TickWorkspaces {
  /** Opens the project over this test's store (closed after the test). */
  workspace(project: Project): Promise<Workspace>
  /** A second handle on this test's store (the caller closes it). */
  store(): SqliteStore
  /** Closes the workspaces opened so far, as if their process ended. */
  closeAll(): Promise<void>
}

/**
 * Registers the per-test folder hooks of a test file and returns its helpers.
 *
 * @example
 * const { workspace, store } = tickWorkspaces('rivers-tick-')
 */
export function tickWorkspaces(prefix: string): TickWorkspaces {
  let dir = ''
  const open: Workspace[] = []
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), prefix))
  })
  const closeAll = async (): Promise<void> => {
    for (const ws of open.splice(0)) await ws.close()
  }
  afterEach(async () => {
    await closeAll()
    rmSync(dir, { recursive: true, force: true })
  })
  return {
    async workspace(project) {
      const ws = await openWorkspace(project, {
        storeDir: path.join(dir, '.rivers'),
        projectDir: dir,
        logLevel: 'silent',
      })
      open.push(ws)
      return ws
    },
    store: () => SqliteStore.open(path.join(dir, '.rivers')),
    closeAll,
  }
}
