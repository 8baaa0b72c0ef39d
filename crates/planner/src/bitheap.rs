//! A min-priority queue of distinct `u32` values below a fixed bound, as a tree of 64-bit bitmaps
//! (each bit of a level says whether the 64-bit word below it is non-zero). Push and pop-min touch
//! one word per level (4 levels for a million values), and the upper levels stay in cache: Kahn's
//! algorithm with it is several times faster than with a `BinaryHeap` on large graphs.

/// Min-queue of distinct values in `0..bound`.
pub(crate) struct BitHeap {
    /// `levels[0]` has one bit per value; `levels[k + 1]` one bit per word of `levels[k]`.
    levels: Vec<Vec<u64>>,
    len: usize,
}

impl BitHeap {
    /// An empty queue for values below `bound`. O(bound / 64) memory.
    pub(crate) fn new(bound: usize) -> BitHeap {
        let mut levels = Vec::new();
        let mut words = bound.div_ceil(64).max(1);
        loop {
            levels.push(vec![0u64; words]);
            if words == 1 {
                break;
            }
            words = words.div_ceil(64);
        }
        BitHeap { levels, len: 0 }
    }

    /// Number of values held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Adds `x` (which must be below the bound and not held). O(levels).
    pub(crate) fn push(&mut self, x: u32) {
        let mut i = x as usize;
        for level in &mut self.levels {
            let word = &mut level[i / 64];
            let was_empty = *word == 0;
            *word |= 1u64 << (i % 64);
            if !was_empty {
                break;
            }
            i /= 64;
        }
        self.len += 1;
    }

    /// Removes and returns the smallest value held. O(levels).
    pub(crate) fn pop(&mut self) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        // Descend from the top: the first set bit of each level picks the word below.
        let top = self.levels.len() - 1;
        let mut i = 0usize;
        for k in (0..=top).rev() {
            let word = self.levels[k][i];
            i = i * 64 + word.trailing_zeros() as usize;
        }
        // Clear the value's bit, and each parent bit whose word became empty.
        let x = i;
        for level in &mut self.levels {
            let word = &mut level[i / 64];
            *word &= !(1u64 << (i % 64));
            if *word != 0 {
                break;
            }
            i /= 64;
        }
        self.len -= 1;
        Some(x as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    proptest! {
        /// Against `BinaryHeap<Reverse<u32>>`: any interleaving of pushes (of values not held) and pops.
        #[test]
        fn matches_binary_heap(bound in 1usize..300_000, ops in prop::collection::vec((any::<bool>(), any::<u32>()), 0..400)) {
            let mut bits = BitHeap::new(bound);
            let mut reference = BinaryHeap::new();
            let mut held = std::collections::HashSet::new();
            for (push, r) in ops {
                if push {
                    let x = r % bound as u32;
                    if held.insert(x) {
                        bits.push(x);
                        reference.push(Reverse(x));
                    }
                } else {
                    let want = reference.pop().map(|Reverse(x)| x);
                    if let Some(x) = want {
                        held.remove(&x);
                    }
                    prop_assert_eq!(bits.pop(), want);
                }
                prop_assert_eq!(bits.len(), reference.len());
            }
            while let Some(Reverse(x)) = reference.pop() {
                prop_assert_eq!(bits.pop(), Some(x));
            }
            prop_assert_eq!(bits.pop(), None);
        }
    }

    #[test]
    fn edges_of_the_range() {
        let mut one = BitHeap::new(1);
        one.push(0);
        assert_eq!((one.pop(), one.pop()), (Some(0), None));
        for bound in [63usize, 64, 65, 4096, 4097, 262_145] {
            let mut h = BitHeap::new(bound);
            let last = bound as u32 - 1;
            h.push(last);
            h.push(0);
            assert_eq!(h.pop(), Some(0));
            assert_eq!(h.pop(), Some(last));
            assert_eq!(h.pop(), None);
        }
    }
}
