//! The search's memory: configurations already explored, and the sets of indeterminate
//! ops already taken into effect.
//!
//! A configuration is stored as a short run of words in one arena (no allocation per
//! configuration); the hash table holds only arena offsets.

use hashbrown::HashTable;
use rustc_hash::FxHashMap;

#[inline]
fn mix(h: u64, w: u64) -> u64 {
    (h.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

fn hash_words(words: &[u64]) -> u64 {
    let h = words.iter().fold(words.len() as u64, |h, &w| mix(h, w));
    // Finalise so that the table's top bits (its control bytes) are well spread.
    (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
}

/// A set of configurations, each a slice of words.
#[derive(Default)]
pub struct Memo {
    arena: Vec<u64>,
    table: HashTable<u32>,
}

impl Memo {
    /// Insert a configuration; false when it was already there.
    pub fn insert(&mut self, key: &[u64]) -> bool {
        let hash = hash_words(key);
        let arena = &self.arena;
        let found = self.table.find(hash, |&off| {
            let off = off as usize;
            let len = arena[off] as usize;
            len == key.len() && arena[off + 1..off + 1 + len] == *key
        });
        if found.is_some() {
            return false;
        }
        let off = self.arena.len();
        assert!(off < u32::MAX as usize, "memo arena beyond 4G words");
        self.arena.push(key.len() as u64);
        self.arena.extend_from_slice(key);
        let arena = &self.arena;
        self.table.insert_unique(hash, off as u32, |&o| {
            let o = o as usize;
            hash_words(&arena[o + 1..o + 1 + arena[o] as usize])
        });
        true
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn memory_bytes(&self) -> usize {
        self.arena.capacity() * 8 + self.table.capacity() * 5
    }
}

/// Interned sets of indeterminate ops (ids), so a configuration names its set with one
/// number. Id 0 is the empty set.
pub struct FiredSets {
    sets: Vec<Box<[u32]>>,
    index: FxHashMap<Box<[u32]>, u32>,
    added: FxHashMap<(u32, u32), u32>,
    bytes: usize,
}

impl Default for FiredSets {
    fn default() -> Self {
        let empty: Box<[u32]> = Box::new([]);
        let mut index = FxHashMap::default();
        index.insert(empty.clone(), 0);
        FiredSets {
            sets: vec![empty],
            index,
            added: FxHashMap::default(),
            bytes: 0,
        }
    }
}

impl FiredSets {
    /// The id of `set ∪ {x}`.
    pub fn add(&mut self, set: u32, x: u32) -> u32 {
        if let Some(&id) = self.added.get(&(set, x)) {
            return id;
        }
        let old = &self.sets[set as usize];
        let pos = old.partition_point(|&y| y < x);
        debug_assert!(old.get(pos) != Some(&x), "op {x} fired twice");
        let mut new = Vec::with_capacity(old.len() + 1);
        new.extend_from_slice(&old[..pos]);
        new.push(x);
        new.extend_from_slice(&old[pos..]);
        let new: Box<[u32]> = new.into();
        let id = match self.index.get(&new) {
            Some(&id) => id,
            None => {
                let id = self.sets.len() as u32;
                self.bytes += new.len() * 8 + 48;
                self.sets.push(new.clone());
                self.index.insert(new, id);
                id
            }
        };
        self.added.insert((set, x), id);
        self.bytes += 24;
        id
    }

    pub fn contains(&self, set: u32, x: u32) -> bool {
        self.sets[set as usize].binary_search(&x).is_ok()
    }

    pub fn memory_bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_tells_seen_from_new() {
        let mut m = Memo::default();
        assert!(m.insert(&[1, 2, 3]));
        assert!(m.insert(&[1, 2]));
        assert!(m.insert(&[1, 2, 3, 0]));
        assert!(!m.insert(&[1, 2, 3]));
        assert!(!m.insert(&[1, 2]));
        for i in 0..10_000u64 {
            assert!(m.insert(&[i, i * 7]));
        }
        for i in 0..10_000u64 {
            assert!(!m.insert(&[i, i * 7]));
        }
        assert_eq!(m.len(), 10_003);
    }

    #[test]
    fn fired_sets_are_canonical_whatever_the_order() {
        let mut f = FiredSets::default();
        let a5 = f.add(0, 5);
        let a = f.add(a5, 2);
        let b2 = f.add(0, 2);
        let b = f.add(b2, 5);
        assert_eq!(a, b);
        assert!(f.contains(a, 5) && f.contains(a, 2) && !f.contains(a, 3));
        assert_ne!(f.add(0, 5), a);
    }
}
