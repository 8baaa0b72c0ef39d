//! A current and a recorded 64-bit fingerprint per asset, for a field that takes few distinct values
//! across a project (config hashes: most assets share the empty config, a few share a handful).
//!
//! While the distinct values stay few, each asset holds two `u32` codes into one table of distinct
//! values (8 bytes per asset instead of 16); codes are equal exactly when the values are, so
//! comparing a current with a recorded value compares two codes. Once the table would pass a quarter
//! of the assets (codes no longer save memory), the column turns into plain `u64` values for good.

use crate::fxmap::{map_bytes, IdMap};

/// See the module comment.
#[derive(Clone, Debug)]
pub(crate) struct PairColumn {
    repr: Repr,
}

#[derive(Clone, Debug)]
enum Repr {
    Coded {
        cur: Vec<u32>,
        rec: Vec<u32>,
        values: Vec<u64>,
        index: IdMap<u64, u32>,
    },
    Plain {
        cur: Vec<u64>,
        rec: Vec<u64>,
    },
}

impl PairColumn {
    /// `n` assets with current value `cur` and recorded value `rec`.
    pub(crate) fn new(n: usize, cur: u64, rec: u64) -> PairColumn {
        let mut c = PairColumn {
            repr: Repr::Coded {
                cur: Vec::new(),
                rec: Vec::new(),
                values: Vec::new(),
                index: IdMap::default(),
            },
        };
        let (cur_code, rec_code) = (c.code(cur, n), c.code(rec, n));
        if let Repr::Coded {
            cur: cs, rec: rs, ..
        } = &mut c.repr
        {
            *cs = vec![cur_code; n];
            *rs = vec![rec_code; n];
        }
        c
    }

    /// Whether asset `i`'s current value differs from its recorded one. O(1).
    pub(crate) fn differs(&self, i: usize) -> bool {
        match &self.repr {
            Repr::Coded { cur, rec, .. } => cur[i] != rec[i],
            Repr::Plain { cur, rec } => cur[i] != rec[i],
        }
    }

    /// Sets asset `i`'s current value. O(1) amortised.
    pub(crate) fn set_cur(&mut self, i: usize, v: u64) {
        self.set(i, v, true);
    }

    /// Sets asset `i`'s recorded value. O(1) amortised.
    pub(crate) fn set_rec(&mut self, i: usize, v: u64) {
        self.set(i, v, false);
    }

    fn set(&mut self, i: usize, v: u64, current: bool) {
        let n = self.len();
        let code = match &self.repr {
            Repr::Plain { .. } => None,
            Repr::Coded { .. } => Some(self.code(v, n)),
        };
        match (&mut self.repr, code) {
            (Repr::Coded { cur, rec, .. }, Some(c)) if c != u32::MAX => {
                if current {
                    cur[i] = c
                } else {
                    rec[i] = c
                }
            }
            (Repr::Plain { cur, rec }, _) => {
                if current {
                    cur[i] = v
                } else {
                    rec[i] = v
                }
            }
            _ => {
                self.make_plain();
                self.set(i, v, current);
            }
        }
    }

    /// The code of `v`, added to the table if new; `u32::MAX` when the table is full (see module).
    fn code(&mut self, v: u64, n: usize) -> u32 {
        let Repr::Coded { values, index, .. } = &mut self.repr else {
            return u32::MAX;
        };
        if let Some(&c) = index.get(&v) {
            return c;
        }
        if values.len() >= n / 4 + 16 {
            return u32::MAX;
        }
        let c = values.len() as u32;
        values.push(v);
        index.insert(v, c);
        c
    }

    fn make_plain(&mut self) {
        if let Repr::Coded {
            cur, rec, values, ..
        } = &self.repr
        {
            let decode = |codes: &[u32]| codes.iter().map(|&c| values[c as usize]).collect();
            self.repr = Repr::Plain {
                cur: decode(cur),
                rec: decode(rec),
            };
        }
    }

    fn len(&self) -> usize {
        match &self.repr {
            Repr::Coded { cur, .. } => cur.len(),
            Repr::Plain { cur, .. } => cur.len(),
        }
    }

    /// Whether the column still holds codes (for tests).
    #[cfg(test)]
    fn is_coded(&self) -> bool {
        matches!(self.repr, Repr::Coded { .. })
    }

    /// Bytes held (capacities, the table's slots), for the memory benchmark.
    pub(crate) fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Coded {
                cur,
                rec,
                values,
                index,
            } => 4 * (cur.capacity() + rec.capacity()) + 8 * values.capacity() + map_bytes(index),
            Repr::Plain { cur, rec } => 8 * (cur.capacity() + rec.capacity()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same operations on a plain pair of vectors.
    fn check_against_plain(n: usize, ops: &[(usize, u64, bool)]) -> PairColumn {
        let mut col = PairColumn::new(n, 7, 0);
        let (mut cur, mut rec) = (vec![7u64; n], vec![0u64; n]);
        for &(i, v, current) in ops {
            if current {
                col.set_cur(i, v);
                cur[i] = v;
            } else {
                col.set_rec(i, v);
                rec[i] = v;
            }
            for k in 0..n {
                assert_eq!(
                    col.differs(k),
                    cur[k] != rec[k],
                    "asset {k} after setting {i} to {v}"
                );
            }
        }
        col
    }

    #[test]
    fn few_values_stay_coded_and_compare_like_values() {
        let ops: Vec<(usize, u64, bool)> = (0..200)
            .map(|k| (k % 40, [7u64, 9, 11][k % 3], k % 2 == 0))
            .collect();
        let col = check_against_plain(40, &ops);
        assert!(col.is_coded());
        assert!(col.heap_bytes() < 16 * 40, "{} bytes", col.heap_bytes());
    }

    #[test]
    fn many_distinct_values_turn_plain_without_changing_answers() {
        let ops: Vec<(usize, u64, bool)> = (0..300)
            .map(|k| (k % 50, 1000 + k as u64 / 2, k % 3 != 0))
            .collect();
        let col = check_against_plain(50, &ops);
        assert!(!col.is_coded(), "50 assets, ~150 distinct values");
    }

    #[test]
    fn no_assets() {
        let col = PairColumn::new(0, 1, 0);
        assert!(col.is_coded());
        assert_eq!(col.len(), 0);
    }
}
