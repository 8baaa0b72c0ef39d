import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { makeStoreDir } from './mkdir.js'

test('creates the folder and its parents, 0700, and accepts one that exists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rivers-mkdir-'))
  try {
    makeStoreDir(join(dir, 'a', 'b', '.rivers'))
    makeStoreDir(join(dir, 'a', 'b', '.rivers'))
    expect(statSync(join(dir, 'a', 'b', '.rivers')).mode & 0o777).toBe(0o700)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.runIf(process.platform === 'linux')(
  'refuses, instead of spinning, below a folder that refuses new folders',
  () => {
    expect(() => makeStoreDir(`/proc/${process.pid}/rivers/store`)).toThrow(
      `Cannot create the store folder /proc/${process.pid}/rivers/store: /proc/${process.pid} exists but does not accept new folders`,
    )
  },
)
