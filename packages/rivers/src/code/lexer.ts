/**
 * A small JavaScript/TypeScript tokenizer: enough to find import specifiers and to delimit call
 * expressions exactly, never a parser. It knows comments, strings, template literals (with nested
 * `${}` expressions), regular expression literals (told apart from division by the previous token)
 * and punctuators; everything else is an identifier or a number.
 *
 * A file it cannot follow (an unterminated string or comment, unbalanced braces, JSX text with a
 * quote in it) comes back with `ok: false`; callers then fall back to what stays sound without
 * tokens (a textual import scan, no masking).
 */

/**
 * Token kinds.
 *
 * @example
 * tokenize('a').kind[0] === TK.ident // true
 */
export const TK = {
  ident: 1,
  punct: 2,
  string: 3,
  /** A whole template literal without substitutions. */
  template: 4,
  /** `` `…${ ``, `}…${` and `` }…` `` pieces of a template with substitutions. */
  templateHead: 5,
  templateMiddle: 6,
  templateTail: 7,
  number: 8,
  regex: 9,
  privateName: 10,
} as const

/**
 * The tokens of one text as parallel arrays (`kind[i]`, `start[i]`, `end[i]`, offsets in UTF-16
 * code units), and whether the text was followed to its end in a consistent state.
 *
 * @example
 * const t = tokenize('import x from "./x.js"')
 * t.text.slice(t.start[3]!, t.end[3]!) // '"./x.js"'
 */
export interface Tokens {
  readonly text: string
  readonly count: number
  readonly kind: Uint8Array
  readonly start: Uint32Array
  readonly end: Uint32Array
  readonly ok: boolean
}

/** Keywords after which `/` starts a regular expression. */
const KEYWORDS_BEFORE_EXPRESSION = new Set(
  'return typeof instanceof in of new delete void throw case do else yield await extends'.split(' '),
)

/** Punctuators longer than one character, longest first. */
const PUNCTUATORS =
  '>>>= ... === !== **= <<= >>= >>> &&= ||= ??= => == != <= >= && || ?? ?. ++ -- += -= *= /= %= &= |= ^= ** <<'.split(
    ' ',
  )

const ID_START = /[\p{ID_Start}$_\\]/u
const ID_PART = /[\p{ID_Continue}$\\]|\u200c|\u200d/u

/**
 * Tokenize `text`. Cost: one pass, O(length); allocates three typed arrays sized for the worst case
 * and trims them.
 *
 * @example
 * tokenize('a(b)').count // 4
 */
export function tokenize(text: string): Tokens {
  const cap = Math.max(16, (text.length >>> 1) + 8)
  let kind = new Uint8Array(cap)
  let start = new Uint32Array(cap)
  let end = new Uint32Array(cap)
  let n = 0
  let ok = true
  const n0 = text.length
  /** `true` for a `{` we opened, `false` for a template's `${`. */
  const braces: boolean[] = []
  let i = 0
  if (text.startsWith('#!')) while (i < n0 && text.charCodeAt(i) !== 10) i++

  const push = (k: number, s: number, e: number): void => {
    if (n === kind.length) {
      const grow = kind.length * 2
      const k2 = new Uint8Array(grow)
      k2.set(kind)
      kind = k2
      const s2 = new Uint32Array(grow)
      s2.set(start)
      start = s2
      const e2 = new Uint32Array(grow)
      e2.set(end)
      end = e2
    }
    kind[n] = k
    start[n] = s
    end[n] = e
    n++
  }

  /** Whether a `/` here starts a regular expression (judged from the previous token). */
  const regexAllowed = (): boolean => {
    if (n === 0) return true
    const k = kind[n - 1]!
    if (k === TK.number || k === TK.string || k === TK.template || k === TK.templateTail || k === TK.regex) return false
    if (k === TK.privateName) return false
    if (k === TK.ident) return KEYWORDS_BEFORE_EXPRESSION.has(text.slice(start[n - 1]!, end[n - 1]!))
    const p = text.slice(start[n - 1]!, end[n - 1]!)
    return p !== ')' && p !== ']' && p !== '}' && p !== '++' && p !== '--'
  }

  /** Scans template characters from `i` (just after `` ` `` or `}`); returns the kind ending there. */
  const templateRest = (from: number): { next: number; closed: 'tick' | 'subst' | 'eof' } => {
    let j = from
    while (j < n0) {
      const c = text.charCodeAt(j)
      if (c === 92) j += 2
      else if (c === 96) return { next: j + 1, closed: 'tick' }
      else if (c === 36 && text.charCodeAt(j + 1) === 123) return { next: j + 2, closed: 'subst' }
      else j++
    }
    return { next: n0, closed: 'eof' }
  }

  while (i < n0) {
    const c = text.charCodeAt(i)
    // whitespace and line terminators
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff) {
      i++
      continue
    }
    if (c === 0x2028 || c === 0x2029 || (c > 127 && /\s/.test(text[i]!))) {
      i++
      continue
    }
    if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1)
      if (d === 47) {
        while (i < n0 && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++
        continue
      }
      if (d === 42) {
        const close = text.indexOf('*/', i + 2)
        if (close < 0) {
          ok = false
          break
        }
        i = close + 2
        continue
      }
      if (regexAllowed()) {
        const s = i
        let j = i + 1
        let inClass = false
        let closed = false
        while (j < n0) {
          const r = text.charCodeAt(j)
          if (r === 10 || r === 13) break
          if (r === 92) j += 2
          else if (r === 91) (inClass = true), j++
          else if (r === 93) (inClass = false), j++
          else if (r === 47 && !inClass) {
            closed = true
            j++
            break
          } else j++
        }
        if (!closed) {
          ok = false
          break
        }
        while (j < n0 && ID_PART.test(text[j]!)) j++
        push(TK.regex, s, j)
        i = j
        continue
      }
    }
    if (c === 39 || c === 34) {
      const s = i
      let j = i + 1
      let closed = false
      while (j < n0) {
        const r = text.charCodeAt(j)
        if (r === 92) j += 2
        else if (r === c) {
          closed = true
          j++
          break
        } else if (r === 10 || r === 13) break
        else j++
      }
      if (!closed) {
        ok = false
        break
      }
      push(TK.string, s, j)
      i = j
      continue
    }
    if (c === 96 /* ` */) {
      const s = i
      const rest = templateRest(i + 1)
      if (rest.closed === 'eof') {
        ok = false
        break
      }
      if (rest.closed === 'tick') push(TK.template, s, rest.next)
      else {
        push(TK.templateHead, s, rest.next)
        braces.push(false)
      }
      i = rest.next
      continue
    }
    if (c === 125 /* } */ && braces.length > 0 && braces[braces.length - 1] === false) {
      braces.pop()
      const s = i
      const rest = templateRest(i + 1)
      if (rest.closed === 'eof') {
        ok = false
        break
      }
      if (rest.closed === 'tick') push(TK.templateTail, s, rest.next)
      else {
        push(TK.templateMiddle, s, rest.next)
        braces.push(false)
      }
      i = rest.next
      continue
    }
    if ((c >= 48 && c <= 57) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1
      while (j < n0) {
        const r = text.charCodeAt(j)
        if (ID_PART.test(text[j]!) || r === 46) j++
        else if ((r === 43 || r === 45) && /[eE]/.test(text[j - 1]!) && !/^0[xX]/.test(text.slice(i, j))) j++
        else break
      }
      push(TK.number, i, j)
      i = j
      continue
    }
    if (c === 35 /* # */ && ID_START.test(text[i + 1] ?? '')) {
      let j = i + 1
      while (j < n0 && ID_PART.test(text[j]!)) j++
      push(TK.privateName, i, j)
      i = j
      continue
    }
    if (ID_START.test(text[i]!) || (c >= 0xd800 && c <= 0xdbff)) {
      let j = i + 1
      while (j < n0) {
        const r = text.charCodeAt(j)
        if ((r >= 97 && r <= 122) || (r >= 65 && r <= 90) || (r >= 48 && r <= 57) || r === 95 || r === 36) j++
        else if (r > 127 || r === 92) {
          if (ID_PART.test(text[j]!) || (r >= 0xd800 && r <= 0xdfff)) j++
          else break
        } else break
      }
      push(TK.ident, i, j)
      i = j
      continue
    }
    // punctuators
    if (c === 123) braces.push(true)
    else if (c === 125) {
      if (braces.length === 0) {
        ok = false
        break
      }
      braces.pop()
    }
    let len = 1
    for (const p of PUNCTUATORS) {
      if (text.startsWith(p, i)) {
        // `?.5` is `?` then `.5`
        if (p === '?.' && isDigit(text.charCodeAt(i + 2))) continue
        len = p.length
        break
      }
    }
    push(TK.punct, i, i + len)
    i += len
  }
  if (braces.length > 0) ok = false
  return { text, count: n, kind: kind.subarray(0, n), start: start.subarray(0, n), end: end.subarray(0, n), ok }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

/**
 * The text of token `i`.
 *
 * @example
 * tokenText(tokenize('a.b'), 1) // '.'
 */
export function tokenText(t: Tokens, i: number): string {
  return t.text.slice(t.start[i]!, t.end[i]!)
}

/**
 * Whether token `i` is the punctuator `p`.
 *
 * @example
 * isPunct(tokenize('f(x)'), 1, '(') // true
 */
export function isPunct(t: Tokens, i: number, p: string): boolean {
  return (
    i >= 0 &&
    i < t.count &&
    t.kind[i] === TK.punct &&
    t.end[i]! - t.start[i]! === p.length &&
    t.text.startsWith(p, t.start[i]!)
  )
}

/**
 * Whether token `i` is the identifier (or keyword) `name`.
 *
 * @example
 * isIdent(tokenize('import x'), 0, 'import') // true
 */
export function isIdent(t: Tokens, i: number, name: string): boolean {
  return (
    i >= 0 &&
    i < t.count &&
    t.kind[i] === TK.ident &&
    t.end[i]! - t.start[i]! === name.length &&
    t.text.startsWith(name, t.start[i]!)
  )
}

/**
 * The value of a string token or of a template literal without substitutions (escapes decoded for
 * the common cases; a specifier with an unusual escape keeps its raw text, which then fails to
 * resolve and is treated conservatively).
 *
 * @example
 * literalValue(tokenize("'./x.js'"), 0) // './x.js'
 */
export function literalValue(t: Tokens, i: number): string | undefined {
  const k = t.kind[i]
  if (k !== TK.string && k !== TK.template) return undefined
  const raw = t.text.slice(t.start[i]! + 1, t.end[i]! - 1)
  if (!raw.includes('\\')) return raw
  return raw.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g, (_, e: string) => {
    if (e.startsWith('u{')) return String.fromCodePoint(Number.parseInt(e.slice(2, -1), 16))
    if (e.startsWith('u') || e.startsWith('x')) return String.fromCharCode(Number.parseInt(e.slice(1), 16))
    if (e === 'n') return '\n'
    if (e === 't') return '\t'
    if (e === '\n' || e === '\r\n' || e === '\r') return ''
    return e
  })
}

/**
 * Index of the token that starts at `offset`, or -1.
 *
 * @example
 * tokenAt(tokenize('a(b)'), 2) // 2
 */
export function tokenAt(t: Tokens, offset: number): number {
  let lo = 0
  let hi = t.count - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const s = t.start[mid]!
    if (s === offset) return mid
    if (s < offset) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

/**
 * The index of the bracket closing the one at token `i` (`(`, `[`, `{`), or -1 when unbalanced.
 * Template substitutions are balanced by construction (their pieces are tokens of their own).
 *
 * @example
 * closingBracket(tokenize('f(a, [b])'), 1) // 7
 */
export function closingBracket(t: Tokens, i: number): number {
  const expected: number[] = []
  for (let j = i; j < t.count; j++) {
    if (t.kind[j] !== TK.punct || t.end[j]! - t.start[j]! !== 1) continue
    const c = t.text.charCodeAt(t.start[j]!)
    if (c === 40) expected.push(41)
    else if (c === 91 || c === 123) expected.push(c + 2)
    else if (c === 41 || c === 93 || c === 125) {
      if (expected.pop() !== c) return -1
      if (expected.length === 0) return j
    }
  }
  return -1
}
