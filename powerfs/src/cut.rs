//! How a power loss cuts the unsynced writes of a file: all of them, or torn at a random
//! byte (seeded), as a disk that was part way through writing its cache back.

/// What a power loss keeps of each file's unsynced writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Nothing: every write since the file's last fsync is dropped.
    All,
    /// A prefix: for each file, the writes since its last fsync are kept, in the order
    /// they were made, up to a byte drawn from this seed; the write at the cut is torn
    /// there and every later one is dropped.
    Torn { seed: u64 },
}

/// A small seeded generator (SplitMix64): the cut of each file, reproducible from the
/// seed and the order the files were first written in.
#[derive(Debug, Clone)]
pub struct Draw(u64);

impl Draw {
    pub fn new(seed: u64) -> Draw {
        Draw(seed)
    }

    /// A number in 0..=n.
    pub fn up_to(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        if n == u64::MAX {
            z
        } else {
            z % (n + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_range_and_repeat_with_the_seed() {
        for n in [0u64, 1, 7, 4096] {
            let (mut a, mut b) = (Draw::new(n), Draw::new(n));
            for _ in 0..100 {
                let x = a.up_to(n);
                assert!(x <= n);
                assert_eq!(x, b.up_to(n));
            }
        }
    }
}
