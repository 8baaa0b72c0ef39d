/**
 * Code text as its tokens: comments and whitespace dropped, one separator between two tokens (a
 * line break when the text between them held one, which automatic semicolon insertion can depend
 * on, else a space). Editing a comment or re-indenting a module therefore changes no code version.
 *
 * With cuts (the definition regions inside a range), the text is returned as the pieces between
 * them, and each cut's position is the number of tokens before it.
 */
import type { Tokens } from './lexer.js'

const LINE_BREAK = /[\n\r\u2028\u2029]/

/**
 * The normalized pieces of tokens `first..last` (inclusive) around `cuts` (token ranges, sorted and
 * disjoint, inside the range), and the token position of each cut.
 *
 * @example
 * normalizedPieces(tokenize('a  /* c *\/ b\nc'), 0, 2, []) // { pieces: ['a b\nc'], positions: [] }
 */
export function normalizedPieces(
  t: Tokens,
  first: number,
  last: number,
  cuts: readonly { first: number; last: number }[],
): { pieces: string[]; positions: number[] } {
  const pieces: string[] = []
  const positions: number[] = []
  let piece = ''
  let count = 0
  let gapBreak = false
  let prevEnd = -1
  let c = 0
  for (let i = first; i <= last && i < t.count; i++) {
    const cut = cuts[c]
    if (cut !== undefined && i === cut.first) {
      if (prevEnd >= 0) gapBreak ||= LINE_BREAK.test(t.text.slice(prevEnd, t.start[i]!))
      pieces.push(piece)
      piece = ''
      positions.push(count)
      prevEnd = t.end[cut.last]!
      i = cut.last
      c++
      continue
    }
    if (prevEnd >= 0) {
      const br = gapBreak || LINE_BREAK.test(t.text.slice(prevEnd, t.start[i]!))
      if (count > 0 || piece !== '') piece += br ? '\n' : ' '
    }
    gapBreak = false
    piece += t.text.slice(t.start[i]!, t.end[i]!)
    prevEnd = t.end[i]!
    count++
  }
  pieces.push(piece)
  return { pieces, positions }
}

/**
 * The normalized text of a whole module (no cuts).
 *
 * @example
 * normalizedText(tokenize('a // x\n  b')) // 'a\nb'
 */
export function normalizedText(t: Tokens): string {
  return normalizedPieces(t, 0, t.count - 1, []).pieces[0]!
}
