//! Tokens of the selection language. Whitespace separates tokens; `(`, `)` and `+` are tokens on
//! their own; every other run of word characters is one word (a term, a depth or a keyword).

use super::diagnostics as diag;
use super::error::{SelectionError, Span};

/// One token and where it sits in the source (byte offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub kind: TokenKind,
    /// The token's text (empty for [`TokenKind::End`]).
    pub text: &'a str,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    LParen,
    RParen,
    Plus,
    And,
    Or,
    Not,
    /// A term or a depth; the parser decides which from the neighbouring tokens.
    Word,
    End,
}

impl Token<'_> {
    /// The token's text for messages; `None` at the end of input.
    pub fn shown(&self) -> Option<&str> {
        (self.kind != TokenKind::End).then_some(self.text)
    }

    /// True if this token may start a term: a word that is not a keyword.
    pub fn is_word(&self) -> bool {
        self.kind == TokenKind::Word
    }
}

/// Characters a word may contain. Which of them are valid depends on the term (checked later), so
/// that `owner:ana@example.com` and `tag:env=prod` lex as one word each.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/' | '*' | ':' | '=' | '@')
}

/// Split `src` into tokens, ending with one [`TokenKind::End`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token<'_>>, SelectionError> {
    let mut tokens = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let kind = match c {
            c if c.is_whitespace() => continue,
            '(' => TokenKind::LParen,
            ')' => TokenKind::RParen,
            '+' => TokenKind::Plus,
            c if is_word_char(c) => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, c)) = chars.peek() {
                    if !is_word_char(c) {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                let text = &src[start..end];
                let kind = match text {
                    "and" => TokenKind::And,
                    "or" => TokenKind::Or,
                    "not" => TokenKind::Not,
                    _ => TokenKind::Word,
                };
                tokens.push(Token {
                    kind,
                    text,
                    span: Span::new(start, end),
                });
                continue;
            }
            c => return Err(diag::unexpected_char(src, start, c)),
        };
        let end = start + c.len_utf8();
        tokens.push(Token {
            kind,
            text: &src[start..end],
            span: Span::new(start, end),
        });
    }
    tokens.push(Token {
        kind: TokenKind::End,
        text: "",
        span: Span::new(src.len(), src.len()),
    });
    Ok(tokens)
}
