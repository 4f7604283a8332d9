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

/// A set of configurations, each a slice of words plus the set of indeterminate ops taken
/// into effect. A configuration is *dominated* by a stored one with the same words and
/// fewer ops taken: whatever it can still do, the stored one could too (an indeterminate op
/// may also never take effect), so it need not be explored.
#[derive(Default)]
pub struct Memo {
    arena: Vec<u64>,
    /// (arena offset, 32 bits of hash): growing the table needs no arena reads.
    table: HashTable<(u32, u32)>,
    /// Further taken-sets stored under one configuration's words (rare).
    more: FxHashMap<u32, Vec<u32>>,
    more_len: usize,
}

/// The table's 64-bit hash, recomputed from the 32 bits it stores.
#[inline]
fn spread(h: u32) -> u64 {
    (h as u64 | (h as u64) << 32).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Memo {
    /// A memo expecting about `n` configurations.
    pub fn with_capacity(n: usize) -> Memo {
        Memo {
            arena: Vec::with_capacity(n * 4),
            table: HashTable::with_capacity(n),
            ..Memo::default()
        }
    }

    /// Record a configuration; false when it (or one that dominates it) was already there.
    /// `le(a, b)`: taken-set `a` is a subset of `b`.
    pub fn visit(&mut self, key: &[u64], fired: u32, le: impl Fn(u32, u32) -> bool) -> bool {
        let h32 = hash_words(key) as u32;
        let hash = spread(h32);
        let arena = &self.arena;
        let found = self.table.find(hash, |&(off, h)| {
            let off = off as usize;
            let len = arena[off] as usize;
            h == h32 && len == key.len() && arena[off + 1..off + 1 + len] == *key
        });
        if let Some(&(off, _)) = found {
            let first = self.arena[off as usize + 1 + key.len()] as u32;
            if le(first, fired) {
                return false;
            }
            let more = self.more.entry(off).or_default();
            if more.iter().any(|&f| le(f, fired)) {
                return false;
            }
            more.push(fired);
            self.more_len += 1;
            return true;
        }
        let off = self.arena.len();
        assert!(off < u32::MAX as usize, "memo arena beyond 4G words");
        self.arena.push(key.len() as u64);
        self.arena.extend_from_slice(key);
        self.arena.push(fired as u64);
        self.table
            .insert_unique(hash, (off as u32, h32), |&(_, h)| spread(h));
        true
    }

    pub fn len(&self) -> usize {
        self.table.len() + self.more_len
    }

    pub fn memory_bytes(&self) -> usize {
        self.arena.capacity() * 8
            + self.table.capacity() * 5
            + self.more_len * 8
            + self.more.len() * 48
    }
}

/// Interned sets of indeterminate ops taken into effect. Ops of one class are always taken
/// in call order (any one of them will do, so the search takes the first), so a set is a
/// count per class. Id 0 is the empty set.
pub struct FiredSets {
    width: usize,
    counts: Vec<u32>,
    index: HashTable<u32>,
    added: FxHashMap<(u32, u32), u32>,
}

impl FiredSets {
    /// Sets over `classes` classes of indeterminate ops.
    pub fn new(classes: usize) -> FiredSets {
        let mut f = FiredSets {
            width: classes,
            counts: Vec::new(),
            index: HashTable::new(),
            added: FxHashMap::default(),
        };
        f.intern(vec![0; classes]);
        f
    }

    fn get(&self, set: u32) -> &[u32] {
        let at = set as usize * self.width;
        &self.counts[at..at + self.width]
    }

    fn intern(&mut self, counts: Vec<u32>) -> u32 {
        let hash = hash_words(&counts.iter().map(|&c| c as u64).collect::<Vec<_>>());
        let (w, all) = (self.width, &self.counts);
        if let Some(&id) = self.index.find(hash, |&id| {
            all[id as usize * w..(id as usize + 1) * w] == *counts
        }) {
            return id;
        }
        let id = (self.counts.len() / self.width.max(1)) as u32;
        self.counts.extend_from_slice(&counts);
        let (w, all) = (self.width, &self.counts);
        self.index.insert_unique(hash, id, |&i| {
            let c = &all[i as usize * w..(i as usize + 1) * w];
            hash_words(&c.iter().map(|&c| c as u64).collect::<Vec<_>>())
        });
        id
    }

    /// How many ops of `class` the set has taken.
    pub fn count(&self, set: u32, class: usize) -> u32 {
        self.get(set)[class]
    }

    /// The set with one more op of `class` taken.
    pub fn add(&mut self, set: u32, class: usize) -> u32 {
        if let Some(&id) = self.added.get(&(set, class as u32)) {
            return id;
        }
        let mut counts = self.get(set).to_vec();
        counts[class] += 1;
        let id = self.intern(counts);
        self.added.insert((set, class as u32), id);
        id
    }

    /// Whether set `a` is a subset of set `b`.
    pub fn le(&self, a: u32, b: u32) -> bool {
        a == b || self.get(a).iter().zip(self.get(b)).all(|(x, y)| x <= y)
    }

    pub fn memory_bytes(&self) -> usize {
        self.counts.capacity() * 4 + self.index.capacity() * 5 + self.added.capacity() * 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_tells_seen_from_new() {
        let mut m = Memo::default();
        let eq = |a: u32, b: u32| a == b;
        assert!(m.visit(&[1, 2, 3], 0, eq));
        assert!(m.visit(&[1, 2], 0, eq));
        assert!(m.visit(&[1, 2, 3, 0], 0, eq));
        assert!(!m.visit(&[1, 2, 3], 0, eq));
        assert!(!m.visit(&[1, 2], 0, eq));
        for i in 0..10_000u64 {
            assert!(m.visit(&[i, i * 7], 0, eq));
        }
        for i in 0..10_000u64 {
            assert!(!m.visit(&[i, i * 7], 0, eq));
        }
        assert_eq!(m.len(), 10_003);
    }

    #[test]
    fn a_configuration_with_more_ops_taken_is_dominated() {
        let mut f = FiredSets::new(2);
        let a = f.add(0, 0);
        let ab = f.add(a, 1);
        let b = f.add(0, 1);
        assert_eq!(f.add(b, 0), ab, "the same counts are the same set");
        assert!(f.le(0, a) && f.le(a, ab) && f.le(b, ab) && !f.le(a, b) && !f.le(ab, a));
        assert_eq!(f.count(ab, 0), 1);
        let mut m = Memo::default();
        let le = |x: u32, y: u32| f.le(x, y);
        assert!(m.visit(&[7], a, le));
        assert!(!m.visit(&[7], ab, le), "dominated by the stored one");
        assert!(m.visit(&[7], b, le), "not comparable: explore");
        assert!(!m.visit(&[7], b, le));
        assert!(m.visit(&[7], 0, le), "fewer taken: explore");
    }
}
