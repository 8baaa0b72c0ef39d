/**
 * Run files in the store folder that gc frees: the log of each run (`logs/<run>.ndjson`) and its job
 * folders (`jobs/<run>/`). The files of the newest runs and of live runs stay; so does anything
 * modified after the cutoff (see gc-safety.ts).
 */
import { lstat, readdir, rm } from 'node:fs/promises'
import path from 'node:path'

import type { Store } from '../store/store.js'
import type { LiveRuns } from './gc-safety.js'

/** Runs whose logs and job folders gc always keeps, newest first. */
export const KEEP_RUN_FILES = 20

/** A log file or job folder gc would delete. */
export interface RunFiles {
  runId: string
  kind: 'log' | 'jobs'
  /** Relative to the store folder, `/`-separated. */
  path: string
  bytes: number
}

const RUN_ID = /^[A-Za-z0-9_.-]+$/

/**
 * The logs and job folders of runs older than the newest {@link KEEP_RUN_FILES}, not live, and not
 * modified after the cutoff.
 *
 * @example
 * const old = await oldRunFiles(store, '.rivers', live)
 */
export async function oldRunFiles(store: Store, storeDir: string, live: LiveRuns): Promise<RunFiles[]> {
  const keep = new Set((await store.listRuns({ limit: KEEP_RUN_FILES })).map((r) => r.id))
  for (const id of live.ids) keep.add(id)
  const out: RunFiles[] = []
  const consider = async (kind: RunFiles['kind'], folder: string, runIdOf: (name: string) => string | undefined) => {
    let names: string[]
    try {
      names = await readdir(path.join(storeDir, folder))
    } catch {
      return
    }
    for (const name of names.sort()) {
      const runId = runIdOf(name)
      if (runId === undefined || !RUN_ID.test(runId) || keep.has(runId)) continue
      const size = await sizeOf(path.join(storeDir, folder, name), live.cutoffMs)
      if (size === undefined) continue
      out.push({ runId, kind, path: `${folder}/${name}`, bytes: size })
    }
  }
  await consider('log', 'logs', (name) => (name.endsWith('.ndjson') ? name.slice(0, -'.ndjson'.length) : undefined))
  await consider('jobs', 'jobs', (name) => name)
  return out
}

/**
 * Deletes run files {@link oldRunFiles} found (a path already gone is fine).
 *
 * @example
 * await deleteRunFiles('.rivers', old)
 */
export async function deleteRunFiles(storeDir: string, files: readonly RunFiles[]): Promise<void> {
  for (const f of files) await rm(path.join(storeDir, ...f.path.split('/')), { recursive: true, force: true })
}

/** Bytes of a file or folder tree; undefined when anything in it is newer than the cutoff (or it vanished). */
async function sizeOf(p: string, cutoffMs: number): Promise<number | undefined> {
  let st: import('node:fs').Stats
  try {
    st = await lstat(p)
  } catch {
    return undefined
  }
  if (st.mtimeMs >= cutoffMs) return undefined
  if (!st.isDirectory()) return st.size
  let total = 0
  let names: string[]
  try {
    names = await readdir(p)
  } catch {
    return undefined
  }
  for (const name of names) {
    const size = await sizeOf(path.join(p, name), cutoffMs)
    if (size === undefined) return undefined
    total += size
  }
  return total
}
