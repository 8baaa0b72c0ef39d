/**
 * The import specifiers of one module: static imports and re-exports, `import()` and `require()`
 * with a literal, `import.meta.resolve('…')`, `new URL('…', import.meta.url)`, and the places where
 * a module is loaded from a computed name (which no static scan can follow).
 *
 * Two scans are combined so that missing an import needs both to miss it: the tokenizer (which
 * knows comments and strings) gives the imports, and a plain textual scan adds `soft` candidates it
 * finds anywhere (in comments too); those count only when they resolve to a file or a package.
 * Type-only imports (`import type`, `export type … from`) are erased by TypeScript and left out.
 */
import { isIdent, isPunct, literalValue, TK, tokenText, type Tokens } from './lexer.js'

/**
 * What a module imports.
 *
 * @example
 * const imports: ModuleImports = { specifiers: ['./lib.js', 'zod'], soft: [], computed: [] }
 */
export interface ModuleImports {
  /** Specifiers the module loads at run time, in order of appearance, deduplicated. */
  specifiers: string[]
  /** Specifiers seen only by the textual scan (in a comment or string, per the tokenizer). */
  soft: string[]
  /** Loads whose target is computed (`import(name)`, `require(x)`), as `import(…) at line N`. */
  computed: string[]
}

/**
 * The imports of a module from its tokens (and its text, for the textual scan).
 *
 * @example
 * moduleImports(tokenize("import { z } from 'zod'\nconst m = await import(name)"))
 * // { specifiers: ['zod'], soft: [], computed: ['import(…) at line 2'] }
 */
export function moduleImports(t: Tokens): ModuleImports {
  const found = new Set<string>()
  const typeOnly = new Set<string>()
  const computed: string[] = []
  if (t.ok) scanTokens(t, found, typeOnly, computed)
  const textual = textualScan(t.text, t.ok ? undefined : computed)
  const soft: string[] = []
  for (const s of textual) {
    if (t.ok) {
      if (!found.has(s) && !typeOnly.has(s)) soft.push(s)
    } else found.add(s)
  }
  return { specifiers: [...found], soft, computed }
}

function scanTokens(t: Tokens, found: Set<string>, typeOnly: Set<string>, computed: string[]): void {
  let statementTypeOnly = false
  for (let i = 0; i < t.count; i++) {
    if (t.kind[i] !== TK.ident) continue
    const prevDot = isPunct(t, i - 1, '.') || isPunct(t, i - 1, '?.')
    if (isIdent(t, i, 'import') && !prevDot) {
      if (isPunct(t, i + 1, '(')) {
        literalCall(t, i, 'import', found, computed)
        continue
      }
      if (isPunct(t, i + 1, '.')) {
        // import.meta.resolve('x')
        if (
          isIdent(t, i + 2, 'meta') &&
          isPunct(t, i + 3, '.') &&
          isIdent(t, i + 4, 'resolve') &&
          isPunct(t, i + 5, '(')
        )
          literalCall(t, i + 4, 'import.meta.resolve', found, computed)
        continue
      }
      const side = literalValue(t, i + 1)
      if (side !== undefined) {
        found.add(side)
        continue
      }
      statementTypeOnly =
        isIdent(t, i + 1, 'type') && !isIdent(t, i + 2, 'from') && !isPunct(t, i + 2, ',') && !isPunct(t, i + 2, '=')
      continue
    }
    if (isIdent(t, i, 'export') && !prevDot) {
      statementTypeOnly = isIdent(t, i + 1, 'type') && (isPunct(t, i + 2, '{') || isPunct(t, i + 2, '*'))
      continue
    }
    if (isIdent(t, i, 'from') && !prevDot) {
      const spec = t.kind[i + 1] === TK.string ? literalValue(t, i + 1) : undefined
      if (spec !== undefined) {
        if (statementTypeOnly) typeOnly.add(spec)
        else found.add(spec)
        statementTypeOnly = false
      }
      continue
    }
    if (isIdent(t, i, 'require')) {
      if (isPunct(t, i + 1, '(')) literalCall(t, i, 'require', found, computed)
      else if (isPunct(t, i + 1, '.') && isIdent(t, i + 2, 'resolve') && isPunct(t, i + 3, '('))
        literalCall(t, i + 2, 'require.resolve', found, computed)
      continue
    }
    if (isIdent(t, i, 'URL') && isIdent(t, i - 1, 'new') && isPunct(t, i + 1, '(')) {
      // new URL('./worker.js', import.meta.url)
      const spec = literalValue(t, i + 2)
      if (
        spec !== undefined &&
        isPunct(t, i + 3, ',') &&
        isIdent(t, i + 4, 'import') &&
        isPunct(t, i + 5, '.') &&
        isIdent(t, i + 6, 'meta')
      )
        found.add(spec.startsWith('.') || spec.startsWith('/') ? spec : `./${spec}`)
    }
  }
}

/** `name(` at token `i`: a literal first argument is a specifier, anything else is computed. */
function literalCall(t: Tokens, i: number, name: string, found: Set<string>, computed: string[]): void {
  const spec = literalValue(t, i + 2)
  if (spec !== undefined && (isPunct(t, i + 3, ')') || isPunct(t, i + 3, ','))) {
    found.add(spec)
    return
  }
  // `function require(…)` / `require(…)` as a method definition: a declaration, not a load.
  if (isIdent(t, i - 1, 'function') || isPunct(t, i - 1, '.') || (name === 'require' && isDeclaration(t, i))) return
  computed.push(`${name}(${argumentPreview(t, i + 2)}) at line ${lineOf(t.text, t.start[i]!)}`)
}

/** `require(a) {` (a method named require) rather than a call. */
function isDeclaration(t: Tokens, i: number): boolean {
  let depth = 0
  for (let j = i + 1; j < t.count; j++) {
    if (isPunct(t, j, '(')) depth++
    else if (isPunct(t, j, ')')) {
      depth--
      if (depth === 0) return isPunct(t, j + 1, '{')
    }
  }
  return false
}

function argumentPreview(t: Tokens, i: number): string {
  if (i >= t.count) return '…'
  const text = tokenText(t, i)
  return text.length > 24 ? `${text.slice(0, 24)}…` : text
}

function lineOf(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++
  return line
}

const FROM = /\bfrom\s*(['"])([^'"\r\n]+)\1/g
const SIDE_EFFECT = /(?:^|[^\w$.])import\s*(['"])([^'"\r\n]+)\1/g
const CALL = /(?:^|[^\w$])(?:import|require|resolve)\s*\(\s*(['"`])([^'"`\r\n]+)\1\s*[,)]/g
const COMPUTED = /(?:^|[^\w$.])(import|require)\s*\((?!\s*['"`)])/g

/**
 * Every specifier-looking literal in the raw text (comments included). When the tokenizer failed,
 * computed loads found textually are reported too.
 */
function textualScan(text: string, computed: string[] | undefined): string[] {
  const out = new Set<string>()
  for (const re of [FROM, SIDE_EFFECT, CALL]) {
    re.lastIndex = 0
    for (let m = re.exec(text); m !== null; m = re.exec(text)) out.add(m[2]!)
  }
  if (computed !== undefined) {
    COMPUTED.lastIndex = 0
    for (let m = COMPUTED.exec(text); m !== null; m = COMPUTED.exec(text))
      computed.push(`${m[1]}(…) at line ${lineOf(text, m.index)}`)
  }
  return [...out]
}
