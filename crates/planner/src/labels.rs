//! Labels of a graph's assets, stored as interned label sets: each asset holds one `u32` set id, and
//! each distinct set (the label ids of one asset, in the order given) is stored once, CSR. Projects
//! label assets by group, kind and owner, so a handful of sets covers thousands of assets: 4 bytes
//! per asset instead of 4 per label plus an offset.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::error::{self, PlannerError};
use crate::fxmap::IdHasher;
use crate::graph::LabelInput;
use crate::id::{ExtId, Pos};

/// A label set as a map key, hashed a word at a time (the slice's own `Hash` feeds the hasher bytes).
#[derive(PartialEq, Eq)]
struct Row<'a>(&'a [u32]);

impl Hash for Row<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u32(self.0.len() as u32);
        for &x in self.0 {
            state.write_u32(x);
        }
    }
}

/// Label texts, the distinct label sets, and the set of each position.
#[derive(Clone, Debug, Default)]
pub(crate) struct Labels {
    names: Vec<String>,
    /// Set id of each position.
    set_of: Vec<u32>,
    /// `set_ids[set_off[s]..set_off[s+1]]` are the label ids of set `s`.
    set_off: Vec<u32>,
    set_ids: Vec<u32>,
}

impl Labels {
    /// No label on any of `n` assets (one empty set).
    pub(crate) fn none(n: usize) -> Labels {
        Labels {
            names: Vec::new(),
            set_of: vec![0; n],
            set_off: vec![0, 0],
            set_ids: Vec::new(),
        }
    }

    /// Checks `l` (CSR by external id) and interns each asset's labels; `ext_of` gives the asset of
    /// each position. O(n + label ids) expected.
    pub(crate) fn build(l: LabelInput<'_>, ext_of: &[ExtId]) -> Result<Labels, PlannerError> {
        let n = ext_of.len();
        crate::graph::check_csr("label", l.offsets, l.ids.len(), n)?;
        if let Some(&bad) = l.ids.iter().find(|&&x| x as usize >= l.names.len()) {
            return Err(error::invalid_input(format!(
                "label id {bad} out of range ({} labels)",
                l.names.len()
            )));
        }
        let mut sets: HashMap<Row<'_>, u32, BuildHasherDefault<IdHasher>> = HashMap::default();
        let mut set_off = vec![0u32];
        let mut set_ids = Vec::new();
        // Interned in external id order (a streaming read of the input), then permuted to positions.
        let set_of_ext: Vec<u32> = l
            .offsets
            .windows(2)
            .map(|w| {
                let row = &l.ids[w[0] as usize..w[1] as usize];
                let next = sets.len() as u32;
                *sets.entry(Row(row)).or_insert_with(|| {
                    set_ids.extend_from_slice(row);
                    set_off.push(set_ids.len() as u32);
                    next
                })
            })
            .collect();
        let set_of: Vec<u32> = ext_of.iter().map(|e| set_of_ext[e.idx()]).collect();
        set_off.shrink_to_fit();
        set_ids.shrink_to_fit();
        Ok(Labels {
            names: l.names.iter().map(|s| (*s).to_owned()).collect(),
            set_of,
            set_off,
            set_ids,
        })
    }

    /// Label ids of position `v`, in the order given at build.
    pub(crate) fn of(&self, v: Pos) -> &[u32] {
        let s = self.set_of[v.idx()] as usize;
        &self.set_ids[self.set_off[s] as usize..self.set_off[s + 1] as usize]
    }

    /// All label texts.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// Bytes held (capacities).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.names.iter().map(|s| s.capacity() + 24).sum::<usize>()
            + 4 * (self.set_of.capacity() + self.set_off.capacity() + self.set_ids.capacity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Against the plain CSR: every position reads back exactly its asset's label ids, in order,
        /// and there are as many sets as distinct rows.
        #[test]
        fn interned_sets_read_back(rows in prop::collection::vec(prop::collection::vec(0u32..4, 0..4), 0..40), seed in any::<u64>()) {
            let n = rows.len();
            let mut offsets = vec![0u32];
            let mut ids = Vec::new();
            for r in &rows {
                ids.extend_from_slice(r);
                offsets.push(ids.len() as u32);
            }
            // A permutation of positions to external ids.
            let mut ext_of: Vec<ExtId> = (0..n as u32).map(ExtId).collect();
            let mut s = seed;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                ext_of.swap(i, (s >> 33) as usize % (i + 1));
            }
            let names = ["group:a", "tag:b", "kind:c", "owner:d"];
            let labels = Labels::build(LabelInput { names: &names, offsets: &offsets, ids: &ids }, &ext_of).expect("valid");
            for (p, e) in ext_of.iter().enumerate() {
                prop_assert_eq!(labels.of(Pos(p as u32)), rows[e.idx()].as_slice());
            }
            let distinct: std::collections::HashSet<&Vec<u32>> = rows.iter().collect();
            prop_assert_eq!(labels.set_off.len() - 1, distinct.len());
        }
    }

    #[test]
    fn out_of_range_label() {
        let e = Labels::build(
            LabelInput {
                names: &["tag:a"],
                offsets: &[0, 1],
                ids: &[1],
            },
            &[ExtId(0)],
        )
        .expect_err("id 1 of 1 label");
        assert!(
            e.message.contains("label id 1 out of range"),
            "{}",
            e.message
        );
    }
}
