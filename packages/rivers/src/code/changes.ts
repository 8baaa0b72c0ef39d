/**
 * The "what changed" detail of `code_changed` causes: for each asset, the manifest of the code
 * version its latest record was built with against the current one (see `manifest.ts`).
 */
import type { LatestRecords } from '../store/types.js'
import { describeCodeChange } from './manifest.js'

/**
 * Details by key for the assets in `keys`, from the store's latest records (read once by the caller).
 * An asset without a record, or whose recorded version left no manifest, gets none.
 *
 * @example
 * const details = codeChangeDetails(store.latestRecords(), storeDir, new Set(['raw']), (k) => current.get(k))
 * details.get('raw') // 'code changed: src/lib.ts'
 */
export function codeChangeDetails(
  latest: LatestRecords,
  storeDir: string,
  keys: ReadonlySet<string>,
  current: (key: string) => string | undefined,
): Map<string, string> {
  const out = new Map<string, string>()
  latest.keys.forEach((key, r) => {
    if (!keys.has(key)) return
    const now = current(key)
    if (now === undefined) return
    const recorded = latest.codeVersions.toString('hex', 16 * r, 16 * r + 16)
    const detail = describeCodeChange(storeDir, recorded, now)
    if (detail !== undefined) out.set(key, detail)
  })
  return out
}
