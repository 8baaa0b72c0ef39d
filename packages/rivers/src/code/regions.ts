/**
 * Definition regions: the call expression a definition stack frame points at (`asset({…}, fn)`,
 * `above('high', 5)`, `specs.map((s) => asset(…))`), delimited exactly with the tokenizer, and only
 * when it is safe to mask it out of the module's text for every asset but its own.
 *
 * A region is located only when all of these hold (otherwise the text stays in the module's hash,
 * which every asset of the module sees: the conservative outcome):
 * - the position is exact (source-mapped, or a file run as written) and a token starts there;
 * - the callee there has the name V8 reported for the function being called (so a wrong position
 *   never masks some other call);
 * - the callee is a plain name or a member chain (`lib.above`), followed by `(…)` that closes;
 * - it is not a decorator (`@asset(…)`) and its value is not destructured (`const { a, t } = f()`);
 * - for a factory (anything but Rivers' own `asset`, `source` and `defineProject`, whose value is a
 *   frozen definition), the value is declared (`const x = f()`) and not exported, or is an argument,
 *   an array element or a statement: never returned, exported, stored in an object or combined; a
 *   declared name is never used with `.`, `[` or `(` elsewhere in the module (where no parameter or
 *   local declaration shadows it): the value is only passed around, as a handle.
 * JSX files are never masked (the tokenizer does not read JSX).
 */
import { closingBracket, isIdent, isPunct, TK, tokenAt, tokenText, type Tokens } from './lexer.js'
import { shadowRanges } from './scopes.js'

/** Rivers' definition functions: their value is a frozen definition, never other data. */
const DEFINERS = new Set(['asset', 'source', 'defineProject'])

/**
 * A located region: token range and text offsets.
 *
 * @example
 * const r: Region = { start: 10, end: 42, first: 3, last: 17 }
 */
export interface Region {
  /** Text offsets: `text.slice(start, end)` is the call expression. */
  readonly start: number
  readonly end: number
  /** Token indexes of its first and last token. */
  readonly first: number
  readonly last: number
}

const lineStarts = new WeakMap<Tokens, number[]>()

/**
 * The text offset of a 1-based line and column.
 *
 * @example
 * offsetOf(tokenize('a\nbc'), 2, 2) // 3
 */
export function offsetOf(t: Tokens, line: number, col: number): number {
  let starts = lineStarts.get(t)
  if (starts === undefined) {
    starts = [0]
    for (let i = t.text.indexOf('\n'); i >= 0; i = t.text.indexOf('\n', i + 1)) starts.push(i + 1)
    lineStarts.set(t, starts)
  }
  const s = starts[line - 1]
  return s === undefined ? -1 : s + col - 1
}

/**
 * Locates the region at a frame's position, or `undefined` when it cannot be masked safely.
 *
 * @example
 * locateRegion(tokenize("const a = asset({ key: 'a' }, () => 1)"), 1, 11, ['asset'], false)
 * // { start: 10, end: 39, first: 3, last: 17 }
 */
export function locateRegion(
  t: Tokens,
  line: number,
  col: number,
  callees: readonly string[],
  jsx: boolean,
): Region | undefined {
  if (!t.ok || jsx || callees.length === 0) return undefined
  const at = tokenAt(t, offsetOf(t, line, col))
  if (at < 0) return undefined
  // The callee chain: `new A.b(`, `a.b(`, `b(`; V8 points at `new` or at the last name.
  let first = at
  let nameAt = at
  if (isIdent(t, at, 'new')) {
    nameAt = at + 1
    while (isPunct(t, nameAt + 1, '.') && t.kind[nameAt + 2] === TK.ident) nameAt += 2
  } else {
    while ((isPunct(t, first - 1, '.') || isPunct(t, first - 1, '?.')) && t.kind[first - 2] === TK.ident) first -= 2
    if (isPunct(t, first - 1, '.') || isPunct(t, first - 1, '?.')) return undefined
  }
  if (t.kind[nameAt] !== TK.ident || !callees.includes(tokenText(t, nameAt))) return undefined
  let open = nameAt + 1
  if (isPunct(t, open, '?.')) open++
  if (isPunct(t, open, '<')) open = skipTypeArguments(t, open)
  if (open < 0 || !isPunct(t, open, '(')) return undefined
  const last = closingBracket(t, open)
  if (last < 0) return undefined
  const region = { start: t.start[first]!, end: t.end[last]!, first, last }
  if (!safeContext(t, region, DEFINERS.has(tokenText(t, nameAt)))) return undefined
  return wholeStatement(t, region) ?? region
}

/**
 * `[export] const name[: T] = call[;]` and `export default call[;]`: the whole statement, so that
 * adding or removing a definition leaves the rest of the module's text (its tokens) unchanged.
 */
function wholeStatement(t: Tokens, r: Region): Region | undefined {
  let first = r.first - 1
  if (isIdent(t, first, 'default') && isIdent(t, first - 1, 'export')) first--
  else {
    if (!isPunct(t, first, '=')) return undefined
    let target = first - 1
    const colon = annotationColon(t, target)
    if (colon >= 0) target = colon - 1
    if (t.kind[target] !== TK.ident) return undefined
    first = target - 1
    if (!isIdent(t, first, 'const') && !isIdent(t, first, 'let') && !isIdent(t, first, 'var')) return undefined
    if (isIdent(t, first - 1, 'export')) first--
  }
  // The statement must end with the call: `;`, a line break, a closing brace or the end of the file.
  let last = r.last
  if (isPunct(t, last + 1, ';')) last++
  else if (
    last + 1 < t.count &&
    !isPunct(t, last + 1, '}') &&
    !/[\n\r\u2028\u2029]/.test(t.text.slice(t.end[last]!, t.start[last + 1]!))
  )
    return undefined
  return { start: t.start[first]!, end: t.end[last]!, first, last }
}

/** Index of the token after a balanced `<…>` starting at `i`, or -1. */
function skipTypeArguments(t: Tokens, i: number): number {
  let depth = 0
  for (let j = i; j < t.count; j++) {
    if (t.kind[j] !== TK.punct) continue
    const p = tokenText(t, j)
    if (p === '(' || p === '[' || p === '{') {
      const close = closingBracket(t, j)
      if (close < 0) return -1
      j = close
      continue
    }
    if (p === ';' || p === ')' || p === ']' || p === '}') return -1
    for (const c of p) {
      if (c === '<') depth++
      else if (c === '>') depth--
    }
    if (depth === 0) return j + 1
    if (depth < 0) return -1
  }
  return -1
}

/** Contexts where a factory's value may stand: an argument, an array element, a statement. */
const FACTORY_CONTEXTS = new Set(['(', ',', '[', ';', '{', '}'])

/** The syntactic checks of the module header: decorators, destructuring, how the value is used. */
function safeContext(t: Tokens, r: Region, definer: boolean): boolean {
  let before = r.first - 1
  while (isIdent(t, before, 'await') || isPunct(t, before, '...')) before--
  if (isPunct(t, before, '@')) return false
  if (!isPunct(t, before, '=')) {
    // A factory's value returned, stored in an object, exported or combined escapes the checks below.
    return definer || before < 0 || (t.kind[before] === TK.punct && FACTORY_CONTEXTS.has(tokenText(t, before)))
  }
  // `… = region`: find what is assigned.
  let target = before - 1
  // `const x: Type<A> = region`: skip a type annotation back to its colon.
  const colon = annotationColon(t, target)
  if (colon >= 0) target = colon - 1
  if (t.kind[target] !== TK.ident) return false // destructuring, `a.b = …`, `a[i] = …`
  if (isPunct(t, target - 1, '.') || isPunct(t, target - 1, '?.')) return false
  const name = tokenText(t, target)
  const declared = isIdent(t, target - 1, 'const') || isIdent(t, target - 1, 'let') || isIdent(t, target - 1, 'var')
  if (definer) return true
  if (!declared || isIdent(t, target - 2, 'export') || isExportedByName(t, name)) return false
  return !usedAsObject(t, name, r, target)
}

/** `x: T = …` with the `=` at `i + 1`: the index of the colon, or -1 when there is no annotation. */
function annotationColon(t: Tokens, i: number): number {
  let depth = 0
  for (let j = i; j >= 0 && j > i - 64; j--) {
    const k = t.kind[j]
    if (k === TK.punct) {
      const p = tokenText(t, j)
      if (p === ')' || p === ']' || p === '}' || p === '>') depth++
      else if (p === '(' || p === '[' || p === '{' || p === '<') depth--
      else if (p === ':' && depth === 0) return j
      else if ((p === ';' || p === ',' || p === '=') && depth === 0) return -1
      if (depth < 0) return -1
    } else if (
      depth === 0 &&
      k === TK.ident &&
      (isIdent(t, j, 'const') || isIdent(t, j, 'let') || isIdent(t, j, 'var'))
    )
      return -1
  }
  return -1
}

/** `export { name }`, `export { name as x }` or `export default name` anywhere in the module. */
function isExportedByName(t: Tokens, name: string): boolean {
  for (let i = 0; i < t.count; i++) {
    if (!isIdent(t, i, 'export')) continue
    if (isIdent(t, i + 1, 'default') && isIdent(t, i + 2, name)) return true
    if (!isPunct(t, i + 1, '{')) continue
    const close = closingBracket(t, i + 1)
    for (let j = i + 2; j < close; j++) if (isIdent(t, j, name)) return true
  }
  return false
}

/**
 * Whether the module's `name` (declared at token `own`) is used outside the region as an object
 * (`name.x`, `name[…]`, `name(…)`); uses where a parameter or a local declaration shadows it do not
 * count (`({ hi }) => hi.filter(…)`).
 */
function usedAsObject(t: Tokens, name: string, r: Region, own: number): boolean {
  let shadows: [number, number][] | undefined
  for (let i = 0; i < t.count; i++) {
    if (i >= r.first && i <= r.last) continue
    if (!isIdent(t, i, name) || isPunct(t, i - 1, '.') || isPunct(t, i - 1, '?.')) continue
    const member =
      isPunct(t, i + 1, '.') ||
      isPunct(t, i + 1, '?.') ||
      isPunct(t, i + 1, '[') ||
      isPunct(t, i + 1, '(') ||
      (isPunct(t, i + 1, '!') && (isPunct(t, i + 2, '.') || isPunct(t, i + 2, '[')))
    if (!member) continue
    shadows ??= shadowRanges(t, name, own)
    if (!shadows.some(([from, to]) => from <= i && i <= to)) return true
  }
  return false
}

/**
 * The located regions of one module as a forest (by containment). A pair that overlaps without
 * nesting cannot come from call expressions; if it happens, both are dropped (not masked).
 *
 * @example
 * const forest = regionForest([outer, inner]) // inner's parent is outer
 */
export function regionForest(regions: readonly Region[]): { regions: Region[]; parent: number[] } {
  const sorted = [...new Map(regions.map((r) => [`${r.start}:${r.end}`, r])).values()].sort(
    (a, b) => a.start - b.start || b.end - a.end,
  )
  const bad = new Set<number>()
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length && sorted[j]!.start < sorted[i]!.end; j++)
      if (sorted[j]!.end > sorted[i]!.end) bad.add(i).add(j)
  const kept = sorted.filter((_, i) => !bad.has(i))
  const parent: number[] = []
  const stack: number[] = []
  kept.forEach((r, i) => {
    while (stack.length > 0 && kept[stack[stack.length - 1]!]!.end <= r.start) stack.pop()
    parent.push(stack.length > 0 ? stack[stack.length - 1]! : -1)
    stack.push(i)
  })
  return { regions: kept, parent }
}
