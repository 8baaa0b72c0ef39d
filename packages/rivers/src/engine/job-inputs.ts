/**
 * What a command job is given: the path of each input's artifact, and the fingerprint that lets a
 * restarted run reattach to a job still computing the same thing.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import type { AssetDef, SourceDef } from '../definitions/index.js'
import type { ResourceRequest } from '../launchers/types.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'

/**
 * Hash of what the job computes (code, config, inputs, command, where and how it runs): a
 * restarted run reattaches only to a job with the same one.
 *
 * @example
 * const fingerprint = jobFingerprint(run, id, def, command, cwd, launcher.name, request)
 */
export function jobFingerprint(
  run: RunContext,
  id: AssetId,
  def: AssetDef,
  command: readonly string[],
  cwd: string,
  launcher: string,
  request: ResourceRequest,
): string {
  const st = run.state
  const deps = st.asset(id).deps.map((d) => [d.name, d.key, st.dataVersion(st.idOf(d.key)!)])
  const parts = {
    key: def.key,
    code: st.codeVersion(id),
    config: st.configHash(id),
    deps,
    command,
    cwd,
    env: def.env,
    launcher,
    request,
  }
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)
}

/**
 * Input name -> absolute path of its artifact: the source's file, or the stored file of the very
 * record whose value the executor loaded (same data version, so the job reads exactly what is
 * recorded as consumed); otherwise the value is written to the job folder.
 *
 * @example
 * const paths = await inputArtifacts(run, id, inputs, jobDir) // { features: '/p/.rivers/storage/features.json' }
 */
export async function inputArtifacts(
  run: RunContext,
  id: AssetId,
  inputs: Record<string, unknown>,
  jobDir: string,
): Promise<Record<string, string>> {
  const st = run.state
  const out: Record<string, string> = {}
  for (const { name, key } of st.asset(id).deps) {
    const depId = st.idOf(key)!
    const dep = st.asset(depId)
    if (dep.isSource) {
      const src = dep.def as SourceDef
      const file = src.load === undefined ? st.sourcePath(src) : undefined
      if (file !== undefined) {
        out[name] = file
        continue
      }
    } else {
      const io = ((dep.def as AssetDef).io ?? run.io) as {
        absolutePath?: (storagePath: string, key?: string) => string
      }
      const record = await run.store.currentRecord(key)
      const loaded = run.values.get(depId)
      if (
        record?.storagePath != null &&
        (loaded === undefined || loaded.version === record.dataVersion) &&
        typeof io.absolutePath === 'function'
      ) {
        out[name] = io.absolutePath(record.storagePath, key)
        continue
      }
    }
    const value = inputs[name]
    const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_')
    const file = path.join(jobDir, 'inputs', value instanceof Uint8Array ? `${safe}.bin` : `${safe}.json`)
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    writeFileSync(file, value instanceof Uint8Array ? value : JSON.stringify(value ?? null), { mode: 0o600 })
    out[name] = file
  }
  return out
}
