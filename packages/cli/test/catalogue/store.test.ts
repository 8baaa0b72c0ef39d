/**
 * Catalogue #58–#63: stores that cannot be used, and disks that fill up during a write (see
 * catalogue.ts).
 *
 * Two of these need care on a test machine:
 * - #58 (read-only store): root ignores permission bits, so as root the command runs as `nobody`
 *   (through setpriv); as a normal user it runs as that user. Without setpriv, as root, it is skipped.
 * - #62 (a real full disk): mounts a 64 KiB tmpfs over the storage folder, which needs root (and a
 *   kernel that allows it); elsewhere it is skipped. #63 covers the same path on every machine through
 *   the IO manager's file-system seam.
 */
import { execFile, execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, expect, test } from 'vitest'
import { BIN, makeProject, removeProjects, type CliResult } from '../e2e/project.js'
import { filesUnder } from '../reliability/store-check.js'
import { failedRun, refused, T, title } from './catalogue.js'

afterAll(removeProjects)

const project = `import { asset, defineProject } from '@rivers-orchestrator/rivers'
const small = asset({ key: 'small' }, () => ({ ok: true }))
const big = asset({ key: 'big', deps: { small } }, () => Buffer.alloc(1 << 20, 7))
const after = asset({ key: 'after', deps: { big } }, ({ big }) => big.length)
export default defineProject({ assets: [after] })
`

const isRoot = process.getuid?.() === 0
const hasSetpriv = (() => {
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/**
 * Whether `nobody` can reach the CLI: a checkout inside a private folder (a 0700 home or mktemp
 * folder) is out of its reach, and then #58 cannot run as another user here.
 */
const nobodyCanRunCli = (() => {
  if (!isRoot || !hasSetpriv) return !isRoot
  try {
    execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', BIN], {
      stdio: 'ignore',
    })
    return true
  } catch {
    return false
  }
})()

/** Runs the CLI as `nobody` when we are root (so permission bits apply), else as ourselves. */
function runUnprivileged(args: string[], cwd: string): Promise<CliResult> {
  const [cmd, argv] = isRoot
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]]
  const env = { ...process.env, NO_COLOR: '1', HOME: cwd } as NodeJS.ProcessEnv
  delete env.RIVERS_HOME
  return new Promise((resolve) => {
    execFile(cmd as string, argv as string[], { cwd, env, timeout: 25_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
      resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) })
    })
  })
}

test.concurrent(
  title(58, 'a read-only store folder (as an unprivileged user; root ignores permissions)'),
  T,
  async ({ expect, skip }) => {
    if (isRoot && !nobodyCanRunCli) {
      console.warn(
        `#58 skipped: running as root, and user nobody cannot read ${BIN} (the checkout is in a private folder, or setpriv is missing)`,
      )
      return skip()
    }
    const p = makeProject({ 'rivers.config.ts': project })
    // Let the unprivileged user into the project; it builds the store once, which is then made read-only.
    chmodSync(p.dir, 0o777)
    const built = await runUnprivileged(['materialize', '--json'], p.dir)
    expect(built.code, built.stderr).toBe(0)
    p.write({ 'rivers.config.ts': project.replace('Buffer.alloc(1 << 20, 7)', 'Buffer.alloc(1 << 20, 8)') })
    chmodSync(path.join(p.dir, '.rivers'), 0o500)
    try {
      const r = await runUnprivileged(['materialize'], p.dir)
      expect(refused(r, ['.rivers/rivers.db', 'writable'], p.dir)).toMatchSnapshot()
    } finally {
      chmodSync(path.join(p.dir, '.rivers'), 0o700)
    }
  },
)

test.concurrent(title(59, 'a corrupt database file'), T, async ({ expect }) => {
  const p = makeProject({ 'rivers.config.ts': project })
  mkdirSync(path.join(p.dir, '.rivers'))
  writeFileSync(path.join(p.dir, '.rivers', 'rivers.db'), 'this is not a database, it is a shopping list\n'.repeat(100))
  expect(
    refused(await p.run(['status']), ['.rivers/rivers.db', 'mv rivers.db rivers.db.broken'], p.dir),
  ).toMatchSnapshot()
})

test.concurrent(title(60, 'a store written by a newer Rivers'), T, async ({ expect }) => {
  const p = makeProject({ 'rivers.config.ts': project })
  expect((await p.run(['materialize', '--json'])).code).toBe(0)
  const db = new Database(path.join(p.dir, '.rivers', 'rivers.db'))
  db.pragma('user_version = 99')
  db.close()
  const text = refused(
    await p.run(['materialize']),
    ['.rivers/rivers.db', 'schema version 99', 'Upgrade rivers'],
    p.dir,
  )
  expect(text.replace(/knows up to \d+/, 'knows up to <n>')).toMatchSnapshot()
})

test.concurrent(title(61, '--store naming a file'), T, async ({ expect }) => {
  const p = makeProject({ 'rivers.config.ts': project, 'notes.txt': 'not a folder\n' })
  expect(refused(await p.run(['status', '--store', 'notes.txt']), ['notes.txt', '--store'], p.dir)).toMatchSnapshot()
})

test.concurrent(title(74, '--store below a folder that refuses new folders (/proc)'), T, async ({ expect }) => {
  // mkdir in /proc/<pid> fails with ENOENT although the folder exists: Node's recursive mkdir retries forever.
  const p = makeProject({ 'rivers.config.ts': project })
  const r = await p.run(['status', '--store', `/proc/${process.pid}/rivers-store`])
  expect(
    refused(r, ['--store', `/proc/${process.pid}`, 'ENOENT'], p.dir).replaceAll(String(process.pid), '<pid>'),
  ).toMatchSnapshot()
})

/** After a write failed for lack of space: `big` is not recorded, its descendants were skipped, no file of it is left (no partial file, no temp file), and `small` is intact. */
async function expectNothingOfBig(p: ReturnType<typeof makeProject>, r: CliResult): Promise<string> {
  const text = failedRun(r, 'big', ["'big'", 'disk is full'], p.dir)
  expect(r.stdout).toMatch(/after skipped \(upstream_failed\)/)
  expect(filesUnder(path.join(p.dir, '.rivers', 'storage')).filter((f) => !f.startsWith('small/'))).toEqual([])
  const shown = (await p.run(['show', 'big', '--json'])).json()
  expect(shown.history).toEqual([])
  expect(shown.status.status).toBe('missing')
  expect((await p.run(['show', 'small', '--json'])).json().history).toHaveLength(1)
  return text
}

function tryMount(dir: string): boolean {
  if (!isRoot) return false
  try {
    mkdirSync(dir, { recursive: true })
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

test.concurrent(
  title(62, 'the disk fills up during a write: a real full file system (tmpfs; needs root to mount)'),
  T,
  async ({ expect, skip }) => {
    // The folder `big` writes into is a full 64 KiB file system; `small` writes beside it, on the disk.
    const p = makeProject({ 'rivers.config.ts': project })
    const full = path.join(p.dir, '.rivers', 'storage', 'big')
    if (!tryMount(full)) return skip()
    try {
      const r = await p.run(['materialize', '--log-level', 'silent'])
      expect(await expectNothingOfBig(p, r)).toMatchSnapshot()
    } finally {
      execFileSync('umount', [full])
    }
    // With space again, the next run builds what is missing.
    const again = await p.run(['materialize', '--json'])
    expect(again.json().materialized).toEqual(['big', 'after'])
  },
)

test.concurrent(
  title(63, 'the disk fills up during a write: an IO manager whose file system fails with ENOSPC'),
  T,
  async ({ expect }) => {
    // The same failure through the IO manager's seam: every write past 64 KiB fails like a full disk.
    const p = makeProject({
      'rivers.config.ts': project.replace(
        'export default defineProject({ assets: [after] })',
        `import * as fsp from 'node:fs/promises'
import { FileIOManager } from '@rivers-orchestrator/rivers'
let left = Number(process.env.DISK_BYTES ?? 65536)
const fullDisk = {
  ...fsp,
  async open(file: string, flags: string, mode?: number) {
    const handle = await fsp.open(file, flags, mode)
    const write = handle.write.bind(handle) as (b: Uint8Array, o: number, n: number) => Promise<{ bytesWritten: number }>
    return Object.assign(handle, {
      async write(buffer: Uint8Array, offset: number, length: number) {
        const n = Math.min(length, left)
        if (n === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
        left -= n
        return write(buffer, offset, n)
      },
    })
  },
}
export default defineProject({ assets: [after], io: new FileIOManager('.rivers/storage', { fs: fullDisk as never }) })`,
      ),
    })
    const r = await p.run(['materialize', '--log-level', 'silent'])
    expect(existsSync(path.join(p.dir, '.rivers', 'storage', 'small'))).toBe(true)
    expect(await expectNothingOfBig(p, r)).toMatchSnapshot()
    const again = await p.run(['materialize', '--json'], { env: { DISK_BYTES: String(4 << 20) } })
    expect(again.json().materialized).toEqual(['big', 'after'])
  },
)
