/**
 * Module loader hook (registered by bin/assets.mjs after tsx): a TypeScript or JavaScript file
 * outside node_modules that Node would load as CommonJS (its package.json has no `"type": "module"`)
 * but that is written with `import`/`export` statements is loaded as an ES module instead. This is
 * what lets a project file be an ES module whatever the enclosing package's `type` is; files written
 * in CommonJS (require/module.exports) keep loading as CommonJS.
 *
 * Runs on Node's loader thread; it reads each such file once (only files resolved as CommonJS).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const SCRIPT = /\.(?:[cm]?[jt]sx?)$/
const CJS_EXT = /\.c[jt]s$/
const ESM_SYNTAX =
  /^[ \t]*(?:import(?![ \t]+[\w$]+[ \t]*=[ \t]*require\b)[ \t]*[\w${*'"]|export[ \t]*[{*]|export[ \t]+(?:default|const|let|var|function|class|async|type|interface|enum|abstract|declare|namespace)\b)/m

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context)
  const { url, format } = resolved
  if (format !== 'commonjs' || !url.startsWith('file:') || url.includes('/node_modules/')) return resolved
  const { pathname } = new URL(url)
  if (!SCRIPT.test(pathname) || CJS_EXT.test(pathname)) return resolved
  let source
  try {
    source = readFileSync(fileURLToPath(url), 'utf8')
  } catch {
    return resolved
  }
  return ESM_SYNTAX.test(source) ? { ...resolved, format: 'module' } : resolved
}
