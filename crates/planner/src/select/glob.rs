//! Wildcard matching for key patterns and label names: `*` matches any run of characters,
//! `/` included, so `*` alone matches every key and `raw/*` matches `raw/a/b`.

/// True if `text` matches `pattern`. Iterative (no recursion, no allocation); `O(len)` for the
/// usual patterns with one `*`, `O(pattern · text)` in the worst case.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    // Position of the last `*` seen in the pattern, and the text position it is matched up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry from there.
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// True if `pattern` contains a wildcard.
pub(crate) fn is_wildcard(pattern: &str) -> bool {
    pattern.contains('*')
}
