/**
 * The folder of this package (where its package.json is), found from the module's own location:
 * the sources (`src/job/files.ts`) and the published build (`dist/`, bundled into a few files by
 * packages/release/bundle.ts) sit at different depths, so a fixed `../..` would be right in one
 * layout only.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

let root: string | undefined

/**
 * The absolute folder of `@rivers-orchestrator/rivers` (the nearest folder above this module with a
 * package.json), memoised.
 *
 * @example
 * path.join(packageRoot(), 'clients') // '/…/node_modules/@rivers-orchestrator/rivers/clients'
 */
export function packageRoot(): string {
  if (root !== undefined) return root
  const here = path.dirname(fileURLToPath(import.meta.url))
  let dir = here
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir)
    if (up === dir) return (root = path.resolve(here, '..'))
    dir = up
  }
  return (root = dir)
}
