/** `--config <json-or-file>`: a JSON object given inline or as the path to a .json file. */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { badConfigJson, configNotObject, configUnreadable, shownPath } from './errors.js'

/**
 * Parse the `--config` value: inline JSON when it starts like JSON (`{`, `[`, `"`), else a file path
 * (relative to `cwd`). The result must be an object `{ [assetKey]: config }`; the engine validates
 * each asset's part with its zod schema.
 *
 * @example
 * await readConfigArg('{"model":{"epochs":3}}', process.cwd()) // { model: { epochs: 3 } }
 * await readConfigArg('configs/prod.json', process.cwd())
 */
export async function readConfigArg(value: string, cwd: string): Promise<Record<string, unknown>> {
  const trimmed = value.trimStart()
  if (/^[{["]/.test(trimmed) || trimmed === '') return parseObject(value, 'argument')
  const file = path.resolve(cwd, value)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    throw configUnreadable(value, shownPath(file, cwd), e)
  }
  return parseObject(text, `file ${shownPath(file, cwd)}`)
}

function parseObject(text: string, origin: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    throw badConfigJson(origin, text, e as Error)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw configNotObject(origin, parsed)
  return parsed as Record<string, unknown>
}
