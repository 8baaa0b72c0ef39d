//! Recursive-descent parser over the token list. Recursion happens only at `(`, and nesting is
//! capped at [`MAX_NESTING`], so no input can exhaust the stack; `not not …` is a loop.
//!
//! Depths: a word made only of digits directly before `+` is a depth (`2+x`), so a key made of
//! digits is written `key:2024` in that position. A digit-led word before `+` that is followed by a
//! term (`0x+a`) is reported as a bad depth; a digit-led word after `+` (`a+1`, `a+1x`) likewise.

use super::ast::{Depth, Expr};
use super::diagnostics as diag;
use super::error::SelectionError;
use super::lexer::{tokenize, Token, TokenKind};
use super::term::parse_term;
use super::{MAX_NESTING, MAX_SELECTION_LEN};

/// Parse a whole selection.
pub(crate) fn parse(src: &str) -> Result<Expr, SelectionError> {
    if src.len() > MAX_SELECTION_LEN {
        return Err(diag::too_long(src, MAX_SELECTION_LEN));
    }
    let tokens = tokenize(src)?;
    if tokens.len() == 1 {
        return Err(diag::empty_selection(src));
    }
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        nesting: 0,
    };
    let expr = p.parse_or(None)?;
    let t = p.peek();
    match t.kind {
        TokenKind::End => Ok(expr),
        TokenKind::RParen => Err(diag::unmatched_close(src, t.span)),
        _ => Err(p.expected_operator(false)),
    }
}

struct Parser<'a> {
    src: &'a str,
    /// Always ends with one `End` token, which is never consumed.
    tokens: Vec<Token<'a>>,
    pos: usize,
    nesting: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Token<'a> {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> Token<'a> {
        let last = self.tokens.len() - 1;
        self.tokens[(self.pos + ahead).min(last)]
    }

    fn bump(&mut self) -> Token<'a> {
        let t = self.peek();
        if t.kind != TokenKind::End {
            self.pos += 1;
        }
        t
    }

    /// `after` is the text of the token before this operand, for "expected a term after …".
    fn parse_or(&mut self, after: Option<&'a str>) -> Result<Expr, SelectionError> {
        let mut items = vec![self.parse_and(after)?];
        while self.peek().kind == TokenKind::Or {
            let op = self.bump();
            items.push(self.parse_and(Some(op.text))?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn parse_and(&mut self, after: Option<&'a str>) -> Result<Expr, SelectionError> {
        let mut items = vec![self.parse_not(after)?];
        while self.peek().kind == TokenKind::And {
            let op = self.bump();
            items.push(self.parse_not(Some(op.text))?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn parse_not(&mut self, mut after: Option<&'a str>) -> Result<Expr, SelectionError> {
        let mut negate = false;
        while self.peek().kind == TokenKind::Not {
            after = Some(self.bump().text);
            negate = !negate;
        }
        let atom = self.parse_atom(after)?;
        Ok(if negate {
            Expr::Not(Box::new(atom))
        } else {
            atom
        })
    }

    /// `[N] "+"? ( "(" expr ")" | term ) "+"? [N]`
    fn parse_atom(&mut self, mut after: Option<&'a str>) -> Result<Expr, SelectionError> {
        let mut up: Option<Depth> = None;
        let first = self.peek();
        if first.kind == TokenKind::Word && self.peek_at(1).kind == TokenKind::Plus {
            let all_digits = first.text.bytes().all(|b| b.is_ascii_digit());
            let digit_led = first.text.starts_with(|c: char| c.is_ascii_digit());
            let next = self.peek_at(2);
            if all_digits || (digit_led && (next.is_word() || next.kind == TokenKind::LParen)) {
                let depth = self.depth(first)?;
                self.bump();
                let plus = self.bump();
                up = Some(Some(depth));
                after = Some(&self.src[first.span.start..plus.span.end]);
            }
        }
        if up.is_none() && self.peek().kind == TokenKind::Plus {
            after = Some(self.bump().text);
            up = Some(None);
        }
        let t = self.peek();
        let inner = match t.kind {
            TokenKind::LParen => {
                let open = self.bump();
                self.nesting += 1;
                if self.nesting > MAX_NESTING {
                    return Err(diag::too_deep(self.src, open.span, MAX_NESTING));
                }
                let inner = self.parse_or(Some(open.text))?;
                self.nesting -= 1;
                match self.peek().kind {
                    TokenKind::RParen => {
                        self.bump();
                    }
                    TokenKind::End => return Err(diag::unclosed_paren(self.src, open.span)),
                    _ => return Err(self.expected_operator(true)),
                }
                inner
            }
            TokenKind::Word => {
                self.bump();
                Expr::Term(parse_term(self.src, t.text, t.span)?)
            }
            _ => return Err(diag::missing_term(self.src, after, t.shown(), t.span)),
        };
        let mut down: Option<Depth> = None;
        if self.peek().kind == TokenKind::Plus {
            self.bump();
            let next = self.peek();
            if next.is_word() && next.text.starts_with(|c: char| c.is_ascii_digit()) {
                self.bump();
                down = Some(Some(self.depth(next)?));
            } else {
                down = Some(None);
            }
        }
        Ok(if up.is_some() || down.is_some() {
            Expr::Walk {
                inner: Box::new(inner),
                up,
                down,
            }
        } else {
            inner
        })
    }

    fn depth(&self, t: Token<'a>) -> Result<u32, SelectionError> {
        if !t.text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(diag::bad_depth_not_number(self.src, t.text, t.span));
        }
        t.text
            .bytes()
            .try_fold(0u32, |acc, b| {
                acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
            })
            .ok_or_else(|| diag::bad_depth_overflow(self.src, t.text, t.span))
    }

    /// The current token cannot follow a complete operand.
    fn expected_operator(&self, in_parens: bool) -> SelectionError {
        let t = self.peek();
        let recent = &self.tokens[self.pos.saturating_sub(2)..self.pos];
        let after_plus = recent.iter().any(|r| r.kind == TokenKind::Plus);
        diag::expected_operator(self.src, t.text, t.span, in_parens, after_plus)
    }
}
