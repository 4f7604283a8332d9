//! Values numbered in order of first appearance, each stored once (the adapter's states and
//! ops).

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::{BuildHasher, Hash};

pub struct Numbered<T> {
    items: Vec<T>,
    /// 32 bits of each item's hash: growing the table hashes no item again, and a probe
    /// reads an item only when those bits match.
    hashes: Vec<u32>,
    /// Ids, by hash.
    index: HashTable<u32>,
}

fn hash<T: Hash>(item: &T) -> u32 {
    let h = FxBuildHasher.hash_one(item);
    (h ^ (h >> 32)) as u32
}

/// The table's 64-bit hash, from the 32 bits it keeps.
fn spread(h: u32) -> u64 {
    (h as u64 | (h as u64) << 32).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl<T: Eq + Hash> Numbered<T> {
    pub fn new() -> Self {
        Numbered {
            items: Vec::new(),
            hashes: Vec::new(),
            index: HashTable::new(),
        }
    }

    /// The id of `item`, which is stored if it is new.
    pub fn id(&mut self, item: T) -> u32 {
        let h = hash(&item);
        let (items, hashes) = (&self.items, &self.hashes);
        let same = |&i: &u32| hashes[i as usize] == h && items[i as usize] == item;
        if let Some(&id) = self.index.find(spread(h), same) {
            return id;
        }
        let id = self.items.len() as u32;
        self.items.push(item);
        self.hashes.push(h);
        let hashes = &self.hashes;
        self.index
            .insert_unique(spread(h), id, |&i| spread(hashes[i as usize]));
        id
    }

    /// How many items are numbered.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn get(&self, id: u32) -> &T {
        &self.items[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::Numbered;

    #[test]
    fn the_same_item_gets_the_same_id_in_order_of_first_appearance() {
        let mut n = Numbered::new();
        assert_eq!(n.id("b".to_string()), 0);
        assert_eq!(n.id("a".to_string()), 1);
        assert_eq!(n.id("b".to_string()), 0);
        for i in 0..1000 {
            assert_eq!(n.id(i.to_string()), i as u32 + 2);
        }
        assert_eq!(n.id("999".to_string()), 1001);
        assert_eq!((n.len(), n.get(1).as_str()), (1002, "a"));
    }
}
