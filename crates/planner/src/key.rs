//! Asset key grammar: segments of `A-Z a-z 0-9 _ - .` joined by `/`; no empty segment, and no
//! segment that is `.` or `..` (keys become storage paths and must never escape their folder).

/// Why `key` is not a valid asset key, or `None` if it is.
pub fn key_problem(key: &str) -> Option<String> {
    if key.is_empty() {
        return Some("the key is empty".into());
    }
    if key.len() > 1024 {
        return Some(format!(
            "the key is {} bytes long; the limit is 1024",
            key.len()
        ));
    }
    for (i, seg) in key.split('/').enumerate() {
        if seg.is_empty() {
            return Some(format!("segment {} is empty", i + 1));
        }
        if seg == "." || seg == ".." {
            return Some(format!("segment {} is {seg:?}", i + 1));
        }
        if let Some(c) = seg
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        {
            return Some(format!("character {c:?} is not allowed"));
        }
    }
    None
}

/// Whether `key` is valid: the same answer as `key_problem(key).is_none()`, in one pass over the
/// bytes without allocating (the build checks every key with it, and asks [`key_problem`] why only
/// for an invalid one).
pub fn key_is_valid(key: &str) -> bool {
    let b = key.as_bytes();
    if b.is_empty() || b.len() > 1024 {
        return false;
    }
    let mut seg_start = 0;
    for i in 0..=b.len() {
        let c = if i == b.len() { b'/' } else { b[i] };
        if c == b'/' {
            match &b[seg_start..i] {
                b"" | b"." | b".." => return false,
                _ => {}
            }
            seg_start = i + 1;
        } else if !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')) {
            return false;
        }
    }
    true
}

/// Levenshtein distance, bounded: returns `None` as soon as the distance must exceed `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[b.len()] <= max).then_some(prev[b.len()])
}

/// The candidate closest to `wanted` by edit distance, if reasonably close (a third of its length).
pub fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let max = (wanted.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let bound = best.map_or(max, |(d, _)| d);
        if let Some(d) = edit_distance(wanted, c, bound) {
            if best.is_none_or(|(bd, bk)| d < bd || (d == bd && c < bk)) {
                best = Some((d, c));
            }
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(key_problem("raw/orders"), None);
        assert_eq!(key_problem("a.b-c_d/E9"), None);
        assert!(key_problem("").is_some());
        assert!(key_problem("a//b").is_some());
        assert!(key_problem("/a").is_some());
        assert!(key_problem("a/..").is_some());
        assert!(key_problem("a b").is_some());
        assert!(key_problem("a\nb").is_some());
        assert!(key_problem("é").is_some());
    }

    proptest::proptest! {
        /// The fast check agrees with `key_problem` (a small alphabet with the tricky characters).
        #[test]
        fn fast_check_agrees(key in "[a./_é \n-]{0,7}") {
            proptest::prop_assert_eq!(key_is_valid(&key), key_problem(&key).is_none(), "{:?}", key);
        }
    }

    #[test]
    fn fast_check_lengths() {
        assert!(key_is_valid(&"a".repeat(1024)));
        assert!(!key_is_valid(&"a".repeat(1025)));
        assert!(!key_is_valid(""));
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting", 5), Some(3));
        assert_eq!(edit_distance("kitten", "sitting", 2), None);
        assert_eq!(
            closest("raw/order", ["raw/orders", "features"].into_iter()),
            Some("raw/orders")
        );
        assert_eq!(closest("zzz", ["raw/orders"].into_iter()), None);
    }
}
