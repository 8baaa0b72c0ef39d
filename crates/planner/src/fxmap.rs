//! A fast hasher for the planner's integer-keyed maps (edge ids, asset ids, fingerprints). The keys are dense ids
//! chosen by us, not by an attacker, so SipHash's DoS protection buys nothing and costs ~20 ns a lookup.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Multiplicative (Fx-style) hasher for small integer keys.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A `HashMap` keyed by ids, with [`IdHasher`].
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Bytes a `HashMap` holds in its table, from its capacity (not its length): the slots, one control
/// byte per slot and a trailing group of 16 control bytes. Mirrors the swiss table behind `HashMap`
/// (slots: a power of two with at most 7/8 of them used, or `capacity + 1` below 8). Keys and values
/// that own heap memory (strings, boxes) are not followed: add those separately.
pub(crate) fn map_bytes<K, V, S>(m: &HashMap<K, V, S>) -> usize {
    let cap = m.capacity();
    if cap == 0 {
        return 0;
    }
    let slots = if cap < 8 { cap + 1 } else { cap / 7 * 8 };
    slots * (std::mem::size_of::<(K, V)>() + 1) + 16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_bytes_follow_the_table() {
        let mut m: IdMap<u32, u64> = IdMap::default();
        assert_eq!(map_bytes(&m), 0);
        m.insert(1, 2);
        let small = map_bytes(&m);
        assert!(small >= 16 * m.capacity() + 16, "{small}");
        for i in 0..1000 {
            m.insert(i, 0);
        }
        // 1000 entries need 2048 slots of 16 + 1 bytes (at most 7/8 of the slots are used).
        assert_eq!(m.capacity(), 1792);
        assert_eq!(map_bytes(&m), 2048 * 17 + 16);
        m.clear();
        assert_eq!(map_bytes(&m), 2048 * 17 + 16, "clearing keeps the table");
    }
}
