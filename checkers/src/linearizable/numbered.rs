//! Values numbered in order of first appearance, each stored once (the adapter's states and
//! ops).

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::{BuildHasher, Hash};

pub struct Numbered<T> {
    items: Vec<T>,
    /// (hash, id) of each item: growing the table hashes no item again.
    index: HashTable<(u64, u32)>,
}

fn hash<T: Hash>(item: &T) -> u64 {
    FxBuildHasher.hash_one(item)
}

impl<T: Eq + Hash> Numbered<T> {
    pub fn new() -> Self {
        Numbered {
            items: Vec::new(),
            index: HashTable::new(),
        }
    }

    /// The id of `item`, which is stored if it is new.
    pub fn id(&mut self, item: T) -> u32 {
        let h = hash(&item);
        let items = &self.items;
        let same = |&(g, i): &(u64, u32)| g == h && items[i as usize] == item;
        if let Some(&(_, id)) = self.index.find(h, same) {
            return id;
        }
        let id = self.items.len() as u32;
        self.items.push(item);
        self.index.insert_unique(h, (h, id), |&(g, _)| g);
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
