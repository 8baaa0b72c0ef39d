//! "Did you mean …?": the closest candidate by edit distance, if it is close enough to help.

/// The candidate closest to `query` by Levenshtein distance (ASCII case counts as a difference,
/// but a candidate equal up to case wins outright). Returns `None` when nothing is within
/// `max(1, (len + 2) / 4)` edits. Linear in the number of candidates; each comparison is limited
/// to a band of that width, so the cost per candidate is `O(len · limit)`.
pub(crate) fn closest<'a>(
    query: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut limit = ((query.len() + 2) / 4).max(1);
    let mut best = None;
    let mut scratch = Scratch::default();
    for candidate in candidates {
        if candidate.eq_ignore_ascii_case(query) {
            return Some(candidate);
        }
        if let Some(d) = scratch.distance_within(query.as_bytes(), candidate.as_bytes(), limit) {
            best = Some(candidate);
            // Only a strictly closer candidate may replace this one.
            match d.checked_sub(1) {
                Some(l) => limit = l,
                None => break,
            }
        }
    }
    best
}

#[derive(Default)]
struct Scratch {
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Scratch {
    /// Levenshtein distance of `a` and `b` if it is at most `limit`, else `None`. Computes only the
    /// diagonal band of width `2 · limit + 1` and stops as soon as a row exceeds `limit`.
    fn distance_within(&mut self, a: &[u8], b: &[u8], limit: usize) -> Option<usize> {
        if a.len().abs_diff(b.len()) > limit {
            return None;
        }
        let big = limit + 1;
        self.prev.clear();
        self.prev.extend((0..=b.len()).map(|j| j.min(big)));
        self.cur.clear();
        self.cur.resize(b.len() + 1, big);
        for i in 1..=a.len() {
            let lo = i.saturating_sub(limit).max(1);
            let hi = (i + limit).min(b.len());
            self.cur[lo - 1] = if lo == 1 { i.min(big) } else { big };
            let mut row_min = self.cur[lo - 1];
            for j in lo..=hi {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let v = (self.prev[j - 1] + cost)
                    .min(self.prev[j] + 1)
                    .min(self.cur[j - 1] + 1)
                    .min(big);
                self.cur[j] = v;
                row_min = row_min.min(v);
            }
            if hi < b.len() {
                self.cur[hi + 1] = big;
            }
            if row_min > limit {
                return None;
            }
            std::mem::swap(&mut self.prev, &mut self.cur);
        }
        let d = self.prev[b.len()];
        (d <= limit).then_some(d)
    }
}
