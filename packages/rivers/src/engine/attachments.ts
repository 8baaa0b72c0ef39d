/**
 * Files an asset attaches to its materialization (`ctx.attach`, or an `artifact` message of a job):
 * copied into the store folder under `attachments/<key>/<run>[/<partition>]/<name>` and listed in the
 * record's metadata (`attachments`: name → path relative to the store folder), so that they stay
 * with the record after the asset's own files change, and trackers can upload them.
 */
import { copyFile, mkdir, readdir, rmdir, stat, unlink } from 'node:fs/promises'
import path from 'node:path'

import { RiversError } from '../errors.js'

/** The folder of attachments inside a store folder. */
export const ATTACHMENTS_DIR = 'attachments'

const NAME = /^[A-Za-z0-9_.-]+$/

/** Where a copy was kept. */
export interface Attached {
  name: string
  /** Relative to the store folder. */
  path: string
  bytes: number
}

/**
 * Copies `file` into the store folder's attachments of this materialization; throws a clear error for
 * a bad name or a file that is not there.
 *
 * @example
 * const a = await attachFile('/p/.rivers', 'model', '20261206T070522Z-732d2f', undefined, '/tmp/roc.png')
 * a.path // 'attachments/model/20261206T070522Z-732d2f/roc.png'
 */
export async function attachFile(
  storeDir: string,
  key: string,
  runId: string,
  partition: string | undefined,
  file: string,
  name: string = path.basename(file),
): Promise<Attached> {
  if (!NAME.test(name) || name === '.' || name === '..') throw badAttachmentName(key, name)
  const info = await stat(file).catch(() => undefined)
  if (info === undefined || !info.isFile()) throw attachmentMissing(key, file, info !== undefined)
  const parts = attachmentFolder(key, runId, partition)
  const dir = path.join(storeDir, ...parts)
  await mkdir(dir, { recursive: true })
  await copyFile(file, path.join(dir, name))
  return { name, path: [...parts, name].join('/'), bytes: info.size }
}

/** The folder of one materialization's attachments, as path segments relative to the store folder. */
function attachmentFolder(key: string, runId: string, partition: string | undefined): string[] {
  const parts = [ATTACHMENTS_DIR, ...key.split('/'), runId]
  if (partition !== undefined && partition !== '') parts.push(encodeURIComponent(partition))
  return parts
}

/**
 * The files a materialization attached (absolute paths and sizes): the plain files of its folder
 * (`attachments/<key>/<run>[/<partition>]`). Sub-folders are not its own (they hold other keys',
 * whose key continues this one's path), so they are left out. None when the folder does not exist.
 *
 * @example
 * await attachedFiles('/p/.rivers', 'model', '20261206T070522Z-732d2f', '') // [{ path: '/p/.rivers/attachments/model/…/roc.png', bytes: 1024 }]
 */
export async function attachedFiles(
  storeDir: string,
  key: string,
  runId: string,
  partition: string,
): Promise<{ path: string; bytes: number }[]> {
  const dir = path.join(storeDir, ...attachmentFolder(key, runId, partition))
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const out: { path: string; bytes: number }[] = []
  for (const e of entries) {
    if (!e.isFile()) continue
    const file = path.join(dir, e.name)
    const info = await stat(file).catch(() => undefined)
    if (info !== undefined) out.push({ path: file, bytes: info.size })
  }
  return out
}

/**
 * Whether the store folder has an `attachments/` folder (else no materialization attached a file).
 *
 * @example
 * const files = (await hasAttachments(storeDir)) ? await attachedFiles(storeDir, key, runId, '') : []
 */
export async function hasAttachments(storeDir: string): Promise<boolean> {
  return stat(path.join(storeDir, ATTACHMENTS_DIR)).then(
    (s) => s.isDirectory(),
    () => false,
  )
}

/**
 * Deletes attached files (gc), then their folders as far up as they are empty, stopping at the
 * store's `attachments/` folder. A file already gone is not an error.
 *
 * @example
 * await deleteAttached((await attachedFiles(storeDir, 'model', runId, '')).map((f) => f.path))
 */
export async function deleteAttached(files: readonly string[]): Promise<void> {
  const folders = new Set<string>()
  for (const f of files) {
    await unlink(f).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e
    })
    folders.add(path.dirname(f))
  }
  for (const start of folders) {
    let dir = start
    while (path.basename(dir) !== ATTACHMENTS_DIR) {
      // Not empty (other runs' attachments, another key's folder): it stays, and so do its parents.
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        break
      dir = path.dirname(dir)
    }
  }
}

/**
 * Records an attachment in a materialization's metadata (`attachments`: name → path).
 *
 * @example
 * noteAttachment(metadata, { name: 'roc.png', path: 'attachments/model/r1/roc.png', bytes: 1024 })
 */
export function noteAttachment(metadata: Record<string, unknown>, a: Attached): void {
  const list = metadata.attachments
  const map = typeof list === 'object' && list !== null && !Array.isArray(list) ? (list as Record<string, string>) : {}
  metadata.attachments = { ...map, [a.name]: a.path }
}

/**
 * The attachments listed in a record's metadata, as absolute paths under the store folder.
 *
 * @example
 * attachmentsOf({ attachments: { 'roc.png': 'attachments/model/r1/roc.png' } }, '/p/.rivers') // { 'roc.png': '/p/.rivers/attachments/model/r1/roc.png' }
 */
export function attachmentsOf(metadata: Readonly<Record<string, unknown>>, storeDir: string): Record<string, string> {
  const list = metadata.attachments
  if (typeof list !== 'object' || list === null || Array.isArray(list)) return {}
  const out: Record<string, string> = {}
  for (const [name, rel] of Object.entries(list))
    if (typeof rel === 'string' && rel.startsWith(`${ATTACHMENTS_DIR}/`)) out[name] = path.join(storeDir, rel)
  return out
}

function badAttachmentName(key: string, name: string): RiversError {
  return new RiversError(
    'RIVERS_BAD_ATTACHMENT_NAME',
    `Asset '${key}' attached a file as '${name}', which is not a plain file name. Use A-Z a-z 0-9 _ . - (for example ctx.attach(file, 'roc-curve.png')).`,
    { exitCode: 1 },
  )
}

function attachmentMissing(key: string, file: string, exists: boolean): RiversError {
  return new RiversError(
    'RIVERS_ATTACHMENT_MISSING',
    `Asset '${key}' attached ${file}, which ${exists ? 'is not a regular file' : 'does not exist'}. Write the file first (a job's file must exist until the job ends), then attach it.`,
    { exitCode: 1 },
  )
}
