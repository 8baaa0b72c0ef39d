//! The keys of a graph in one byte buffer, and the hash index that finds a key's external id.
//!
//! [`KeyList`] holds every key followed by `\n` in one `String` plus one `u32` start offset per key:
//! no `String` per key. Keys joined by `\n` (what JavaScript hands over) are taken over as the
//! buffer itself, without a copy. [`KeyIndex`] is an open-addressing table of `u32` slots (linear
//! probing, 1.5 slots per key: 6 bytes per asset), each an id plus a tag of the key's hash.

use xxhash_rust::xxh3::xxh3_64;

use crate::error::{self, PlannerError};

/// Keys by external id, in one buffer (each key followed by `\n`) with one start offset per key.
#[derive(Clone, Debug, Default)]
pub struct KeyList {
    buf: String,
    /// `off[i]` is where key `i` starts; key `i` ends one byte (its `\n`) before `off[i + 1]`.
    off: Vec<u32>,
}

impl KeyList {
    /// Takes over keys joined by `\n` (the empty string is no key). O(bytes), no copy of the keys
    /// (one `\n` is appended). Fails if the keys exceed 4 GiB. Keys are validated by the graph build.
    pub fn from_joined(mut joined: String) -> Result<KeyList, PlannerError> {
        if joined.len() >= u32::MAX as usize {
            return Err(error::invalid_input("the keys exceed 4 GiB"));
        }
        let mut off = Vec::new();
        if !joined.is_empty() {
            // Exactly one byte more: a plain push on a full string would double its capacity.
            joined.reserve_exact(1);
            joined.push('\n');
            off.reserve_exact(joined.len() / 8 + 2);
            off.push(0u32);
            for (i, &b) in joined.as_bytes().iter().enumerate() {
                if b == b'\n' {
                    off.push(i as u32 + 1);
                }
            }
            off.shrink_to_fit();
        } else {
            off.push(0);
        }
        Ok(KeyList { buf: joined, off })
    }

    /// Copies `keys` into one buffer. O(bytes). A key holding `\n` is kept whole here; the graph build
    /// rejects it as an invalid key.
    pub fn from_keys(keys: &[&str]) -> Result<KeyList, PlannerError> {
        let total: usize = keys.iter().map(|k| k.len() + 1).sum();
        if total >= u32::MAX as usize {
            return Err(error::invalid_input("the keys exceed 4 GiB"));
        }
        let mut buf = String::with_capacity(total);
        let mut off = Vec::with_capacity(keys.len() + 1);
        off.push(0u32);
        for k in keys {
            buf.push_str(k);
            buf.push('\n');
            off.push(buf.len() as u32);
        }
        Ok(KeyList { buf, off })
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.off.len() - 1
    }

    /// Whether there is no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Key `i`. O(1).
    pub fn get(&self, i: usize) -> &str {
        &self.buf[self.off[i] as usize..self.off[i + 1] as usize - 1]
    }

    /// Bytes held (capacities).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.buf.capacity() + 4 * self.off.capacity()
    }
}

const EMPTY: u32 = u32::MAX;

/// Open-addressing hash index from key to external id over a [`KeyList`]. Each slot holds an id in
/// its low `id_bits` bits and a tag (high bits of the key's hash) above them, so a probe compares
/// keys only when the tags match: building and looking up touch the slot array, not the keys.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyIndex {
    slots: Vec<u32>,
    /// Bits of a slot that hold the id: every id, and `EMPTY`'s id part, fit and differ.
    id_bits: u32,
}

fn hash(key: &str) -> u64 {
    xxh3_64(key.as_bytes())
}

impl KeyIndex {
    /// Indexes every key of `keys`. On a key equal to an earlier one, returns `Err((earlier, later))`
    /// for the first such later key (in id order). O(n) expected.
    pub(crate) fn build(keys: &KeyList) -> Result<KeyIndex, (usize, usize)> {
        let n = keys.len();
        // The smallest width whose all-ones value is not an id (so no slot equals EMPTY).
        let id_bits = (usize::BITS - n.leading_zeros()).max(1);
        let mut index = KeyIndex {
            slots: vec![EMPTY; if n == 0 { 0 } else { n + n / 2 + 1 }],
            id_bits,
        };
        for i in 0..n {
            let key = keys.get(i);
            let h = hash(key);
            let tag = index.tag(h);
            let mut s = index.home(h);
            loop {
                let slot = index.slots[s];
                if slot == EMPTY {
                    index.slots[s] = tag | i as u32;
                    break;
                }
                if slot & !index.id_mask() == tag {
                    let id = (slot & index.id_mask()) as usize;
                    if keys.get(id) == key {
                        return Err((id, i));
                    }
                }
                s = index.next(s);
            }
        }
        Ok(index)
    }

    fn id_mask(&self) -> u32 {
        if self.id_bits >= 32 {
            u32::MAX
        } else {
            (1u32 << self.id_bits) - 1
        }
    }

    /// The tag of a hash: its low bits, shifted above the id bits (none when ids take 32 bits).
    fn tag(&self, h: u64) -> u32 {
        if self.id_bits >= 32 {
            0
        } else {
            (h as u32) << self.id_bits
        }
    }

    /// The slot a hash starts probing at (the high 32 bits scaled to the table size).
    fn home(&self, h: u64) -> usize {
        (((h >> 32) * self.slots.len() as u64) >> 32) as usize
    }

    fn next(&self, s: usize) -> usize {
        if s + 1 == self.slots.len() {
            0
        } else {
            s + 1
        }
    }

    /// External id of `key` in `keys` (the list this index was built over). O(1) expected.
    pub(crate) fn find(&self, keys: &KeyList, key: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let h = hash(key);
        let tag = self.tag(h);
        let mut s = self.home(h);
        loop {
            let slot = self.slots[s];
            if slot == EMPTY {
                return None;
            }
            if slot & !self.id_mask() == tag {
                let id = slot & self.id_mask();
                if keys.get(id as usize) == key {
                    return Some(id);
                }
            }
            s = self.next(s);
        }
    }

    /// Bytes held (capacity).
    pub(crate) fn heap_bytes(&self) -> usize {
        4 * self.slots.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn short_key() -> impl Strategy<Value = String> {
        // A tiny alphabet, so that duplicates and shared prefixes are common.
        "[ab/]{0,4}"
    }

    proptest! {
        /// Against a `HashMap<String, first id>`: lookups of present and absent keys, and the first
        /// duplicate (in id order) when there is one.
        #[test]
        fn index_matches_hash_map(keys in prop::collection::vec(short_key(), 0..60), probes in prop::collection::vec(short_key(), 0..20)) {
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            let list = KeyList::from_keys(&refs).expect("small");
            prop_assert_eq!(list.len(), keys.len());
            let mut first: HashMap<&str, usize> = HashMap::new();
            let mut dup = None;
            for (i, k) in keys.iter().enumerate() {
                prop_assert_eq!(list.get(i), k.as_str());
                match first.get(k.as_str()) {
                    Some(&j) => {
                        if dup.is_none() {
                            dup = Some((j, i));
                        }
                    }
                    None => {
                        first.insert(k, i);
                    }
                }
            }
            match KeyIndex::build(&list) {
                Err(pair) => prop_assert_eq!(Some(pair), dup),
                Ok(index) => {
                    prop_assert_eq!(dup, None);
                    for k in keys.iter().chain(&probes) {
                        prop_assert_eq!(index.find(&list, k), first.get(k.as_str()).map(|&i| i as u32));
                    }
                }
            }
        }

        /// Joined keys and a key slice give the same list.
        #[test]
        fn joined_equals_slice(keys in prop::collection::vec("[a-z]{1,5}", 0..30)) {
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            let a = KeyList::from_keys(&refs).expect("small");
            let b = KeyList::from_joined(keys.join("\n")).expect("small");
            prop_assert_eq!(a.len(), b.len());
            for i in 0..a.len() {
                prop_assert_eq!(a.get(i), b.get(i));
            }
        }
    }

    #[test]
    fn empty_and_large() {
        let empty = KeyList::from_joined(String::new()).expect("empty");
        assert!(empty.is_empty());
        let index = KeyIndex::build(&empty).expect("no keys");
        assert_eq!(index.find(&empty, "a"), None);
        let keys: Vec<String> = (0..50_000).map(|i| format!("d{}/m_{i}", i % 97)).collect();
        let list = KeyList::from_joined(keys.join("\n")).expect("keys");
        let index = KeyIndex::build(&list).expect("distinct");
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(index.find(&list, k), Some(i as u32));
        }
        assert_eq!(index.find(&list, "d1/m_0"), None);
        // A key with an empty line in the middle is two keys around an empty one.
        let odd = KeyList::from_joined("a\n\nb".to_owned()).expect("keys");
        assert_eq!((odd.len(), odd.get(1)), (3, ""));
    }
}
