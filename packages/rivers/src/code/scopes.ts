/**
 * Just enough scope knowledge to tell `hi.threshold` (a use of the module's `hi`) from
 * `({ hi }) => hi.filter(…)` (a parameter that shadows it): bracket structure, function parameter
 * lists and bodies, and block-scoped declarations. Approximate by design, in the safe direction:
 * a use it cannot prove shadowed counts as a use.
 */
import { isIdent, isPunct, TK, tokenText, type Tokens } from './lexer.js'

interface Brackets {
  /** Index of the matching bracket of each bracket token, else -1. */
  match: Int32Array
  /** Index of the innermost open bracket enclosing each token, else -1. */
  parent: Int32Array
}

const cache = new WeakMap<Tokens, Brackets>()

function brackets(t: Tokens): Brackets {
  let b = cache.get(t)
  if (b !== undefined) return b
  const match = new Int32Array(t.count).fill(-1)
  const parent = new Int32Array(t.count).fill(-1)
  const stack: number[] = []
  for (let i = 0; i < t.count; i++) {
    parent[i] = stack.length > 0 ? stack[stack.length - 1]! : -1
    if (t.kind[i] !== TK.punct || t.end[i]! - t.start[i]! !== 1) continue
    const c = t.text.charCodeAt(t.start[i]!)
    if (c === 40 || c === 91 || c === 123) stack.push(i)
    else if (c === 41 || c === 93 || c === 125) {
      const open = stack.pop()
      if (open !== undefined) {
        match[open] = i
        match[i] = open
      }
    }
  }
  b = { match, parent }
  cache.set(t, b)
  return b
}

/**
 * Token ranges `[from, to]` where `name` is bound by a parameter or a block-scoped declaration
 * other than the module-level one at token `own` (uses inside them are not uses of that binding).
 *
 * @example
 * shadowRanges(tokenize('const a = 1; f(({ a }) => a.x)'), 'a', 1) // the arrow's range
 */
export function shadowRanges(t: Tokens, name: string, own: number): [number, number][] {
  const { match, parent } = brackets(t)
  const out: [number, number][] = []
  for (let i = 0; i < t.count; i++) {
    if (i === own || !isIdent(t, i, name) || isPunct(t, i - 1, '.') || isPunct(t, i - 1, '?.')) continue
    // `name => body`
    if (isPunct(t, i + 1, '=>')) {
      out.push([i, bodyEnd(t, i + 2, match, parent)])
      continue
    }
    // Inside a parameter list: the outermost enclosing `(` whose `)` is followed by `=>`, `{` or `: T`.
    let p = parent[i]!
    let params = -1
    while (p >= 0) {
      if (isPunct(t, p, '(')) {
        const close = match[p]!
        if (close >= 0 && (isPunct(t, close + 1, '=>') || isPunct(t, close + 1, '{') || isPunct(t, close + 1, ':')))
          params = p
        break
      }
      p = parent[p]!
    }
    if (params >= 0 && !isDefault(t, i)) {
      const close = match[params]!
      let body = close + 1
      if (isPunct(t, body, ':')) body = typeEnd(t, body + 1, match)
      if (isPunct(t, body, '=>')) out.push([params, bodyEnd(t, body + 1, match, parent)])
      else if (isPunct(t, body, '{')) out.push([params, match[body]! >= 0 ? match[body]! : t.count - 1])
      continue
    }
    // `const name`, `let { name }`…: the rest of the enclosing block.
    if (declaredHere(t, i, parent)) {
      const block = enclosingBlock(t, i, parent)
      out.push([i, block >= 0 && match[block]! >= 0 ? match[block]! : t.count - 1])
    }
  }
  return out
}

/** `name = default` inside a parameter list is still a binding; `x = name` is a use. */
function isDefault(t: Tokens, i: number): boolean {
  return isPunct(t, i - 1, '=') && !isPunct(t, i + 1, '=')
}

/** Whether `name` at `i` is declared by `const`/`let`/`var` (directly or inside a destructuring pattern). */
function declaredHere(t: Tokens, i: number, parent: Int32Array): boolean {
  let j = i
  for (let p = parent[i]!; p >= 0 && (isPunct(t, p, '{') || isPunct(t, p, '[')); p = parent[p]!) j = p
  return isIdent(t, j - 1, 'const') || isIdent(t, j - 1, 'let') || isIdent(t, j - 1, 'var')
}

function enclosingBlock(t: Tokens, i: number, parent: Int32Array): number {
  for (let p = parent[i]!; p >= 0; p = parent[p]!) if (isPunct(t, p, '{')) return p
  return -1
}

/** End of an arrow body starting at token `i`: its block, or the expression up to `,`, `;` or a closing bracket. */
function bodyEnd(t: Tokens, i: number, match: Int32Array, parent: Int32Array): number {
  if (isPunct(t, i, '{')) return match[i]! >= 0 ? match[i]! : t.count - 1
  const host = parent[i]!
  const limit = host >= 0 && match[host]! >= 0 ? match[host]! : t.count
  for (let j = i; j < limit; j++) {
    if (match[j]! > j) {
      j = match[j]!
      continue
    }
    if (t.kind[j] === TK.punct && (tokenText(t, j) === ',' || tokenText(t, j) === ';')) return j
  }
  return limit - 1
}

/** Skips a return type annotation (`: Promise<X[]>`) up to `=>` or `{`. */
function typeEnd(t: Tokens, i: number, match: Int32Array): number {
  for (let j = i; j < t.count; j++) {
    if (isPunct(t, j, '=>')) return j
    if (isPunct(t, j, '{') && !isPunct(t, j - 1, ':') && !isPunct(t, j - 1, '|') && !isPunct(t, j - 1, '&')) return j
    if (match[j]! > j) j = match[j]!
  }
  return t.count
}
