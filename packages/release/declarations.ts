/**
 * The declarations a package publishes: only the .d.ts files its exports' `types` reach (import,
 * export-from, `import()` types, `declare module` augmentations, reference paths). tsc emits one per
 * module; the others describe internals no user can import (the exports map hides them), so they
 * are left out of dist/ and a user's `tsc` never reads them.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'

const SPECIFIERS = [
  /\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bdeclare\s+module\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\/\/\/\s*<reference\s+path\s*=\s*['"]([^'"]+)['"]/g,
]

/**
 * The relative module specifiers a declaration file refers to.
 *
 * @example
 * declarationImports("export { a } from './a.js'\nimport type { B } from '../b.js'") // ['./a.js', '../b.js']
 */
export function declarationImports(text: string): string[] {
  const found: string[] = []
  for (const pattern of SPECIFIERS) for (const m of text.matchAll(pattern)) found.push(m[1]!)
  return [...new Set(found)]
}

/**
 * The declaration file a specifier in `from` (a .d.ts path) refers to.
 *
 * @example
 * declarationFile('/d/index.d.ts', './engine/types.js') // '/d/engine/types.d.ts'
 */
export function declarationFile(from: string, specifier: string): string {
  const target = path.resolve(path.dirname(from), specifier)
  if (/\.d\.[cm]?ts$/.test(target)) return target
  const ext = path.extname(target)
  const base = target.slice(0, target.length - ext.length)
  if (ext === '.js' || ext === '.ts') return `${base}.d.ts`
  if (ext === '.mjs' || ext === '.mts') return `${base}.d.mts`
  if (ext === '.cjs' || ext === '.cts') return `${base}.d.cts`
  return `${target}.d.ts`
}

/**
 * The declaration files reachable from `entries` (absolute paths), given how to read one (undefined
 * when it does not exist).
 *
 * @example
 * reachableDeclarations(['/d/index.d.ts'], (f) => files.get(f))
 */
export function reachableDeclarations(
  entries: readonly string[],
  read: (file: string) => string | undefined,
): Set<string> {
  const seen = new Set<string>()
  const todo = [...entries]
  while (todo.length > 0) {
    const file = todo.pop()!
    if (seen.has(file)) continue
    const text = read(file)
    if (text === undefined) continue
    seen.add(file)
    for (const spec of declarationImports(text)) todo.push(declarationFile(file, spec))
  }
  return seen
}

/**
 * Deletes the declaration files under `dist` that `entries` do not reach; returns the kept ones,
 * relative to `dist`, sorted.
 *
 * @example
 * pruneDeclarations('packages/rivers/dist', ['packages/rivers/dist/index.d.ts'])
 */
export function pruneDeclarations(dist: string, entries: readonly string[]): string[] {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8')
    } catch {
      return undefined
    }
  }
  const keep = reachableDeclarations(
    entries.map((e) => path.resolve(e)),
    read,
  )
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name)
    if (entry.isFile() && /\.d\.[cm]?ts$/.test(entry.name) && !keep.has(file)) rmSync(file)
  }
  return [...keep].map((f) => path.relative(dist, f)).sort()
}
