/**
 * Status reports in words: the stable names of the core's cause kinds (`code_changed`, …) and the
 * text of causes and root causes, one function per kind of text.
 */
import { nativeModule } from '../native.js'
import type { CauseView, RootCauseView } from './types.js'

let names: Record<number, RootCauseView['kind']> | undefined

/**
 * The stable name of a binding `CauseKind` (the strings of `--json` output).
 *
 * @example
 * causeKindName(CauseKind.CodeChanged) // 'code_changed'
 */
export function causeKindName(kind: number): RootCauseView['kind'] {
  if (names === undefined) {
    const { CauseKind: K } = nativeModule()
    names = {
      [K.CodeChanged]: 'code_changed',
      [K.ConfigChanged]: 'config_changed',
      [K.DepAdded]: 'dep_added',
      [K.DepRemoved]: 'dep_removed',
      [K.UpstreamDataChanged]: 'upstream_data_changed',
      [K.NewDataVersion]: 'new_data_version',
      [K.SourceChanged]: 'source_changed',
      [K.Missing]: 'missing',
    }
  }
  const name = names[kind]
  if (name === undefined) throw new TypeError(`unknown cause kind ${kind} from the native core`)
  return name
}

/**
 * Message of a cause. `detail` says what changed in a `code_changed` (files, packages).
 *
 * @example
 * causeMessage('upstream_data_changed', 'features', 'raw', false) // 'raw has a new data version'
 * causeMessage('code_changed', 'raw', undefined, false, 'code changed: src/lib.ts')
 * // 'raw has a new code version (code changed: src/lib.ts)'
 */
export function causeMessage(
  kind: CauseView['kind'],
  key: string,
  dep: string | undefined,
  depMissing: boolean,
  detail?: string,
): string {
  switch (kind) {
    case 'code_changed':
      return detail === undefined ? `${key} has a new code version` : `${key} has a new code version (${detail})`
    case 'config_changed':
      return `${key} has a new config`
    case 'dep_added':
      return `${dep} was added as a dependency of ${key}`
    case 'dep_removed':
      return `${dep} is no longer a dependency of ${key}`
    case 'upstream_data_changed':
      return depMissing ? `${dep} has no data version (never materialized, or wiped)` : `${dep} has a new data version`
  }
}

/**
 * Message of a root cause.
 *
 * @example
 * rootCauseMessage('source_changed', 'raw/penguins') // 'source raw/penguins has new data'
 */
export function rootCauseMessage(kind: RootCauseView['kind'], key: string, dep?: string, detail?: string): string {
  switch (kind) {
    case 'new_data_version':
      return `${key} has a new data version`
    case 'source_changed':
      return `source ${key} has new data`
    case 'missing':
      return `${key} has never been materialized`
    case 'source_unobservable':
      return `source ${key} could not be observed`
    default:
      return causeMessage(kind, key, dep, false, detail)
  }
}

/**
 * Message of a cause or root cause that comes from a source that could not be observed.
 *
 * @example
 * unobservableMessage('raw/orders', "ENOENT: no such file or directory, open 'data/orders.csv'")
 * // 'source raw/orders could not be observed (ENOENT: …): its last observation is not trusted'
 */
export function unobservableMessage(key: string, error: string): string {
  return `source ${key} could not be observed (${error}): its last observation is not trusted`
}
