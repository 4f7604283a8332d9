//! What `corrupt-file` does to a file's bytes, pure and seeded: flip bits in a chunk, zero
//! a chunk, or cut the file short. Each returns what it did, for the history: the offset,
//! how many bytes, and those bytes before and after (in hex, at most [`SHOWN_BYTES`]).
//!
//! The damage lands where the file has data: offsets are drawn below its last non-zero
//! byte (its whole size when it is all zeros). A preallocated file (etcd's write-ahead log
//! is 64 MB of zeros after its records) would otherwise be hit in its unused tail nearly
//! every time, which the program never reads.

use crate::named::named;
use history::rng::Rng;
use serde::Serialize;

/// At most this many bytes of a damaged chunk are written into the history.
pub const SHOWN_BYTES: usize = 64;

named! {
    /// How a file is damaged.
    pub enum Mode {
        /// Every byte of a chunk gets 1 to 8 of its bits flipped.
        Flip = "flip",
        /// A chunk is overwritten with zeros.
        Zero = "zero",
        /// The file is cut at an offset (its tail lost, as a torn write leaves it).
        Truncate = "truncate",
    }
}

/// What was done to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Damage {
    pub mode: &'static str,
    /// Where the damage begins.
    pub offset: u64,
    /// How many bytes it covers (for a truncation, how many were cut).
    pub bytes: u64,
    /// The file's size before.
    pub size: u64,
    /// Where its data ends: one past its last non-zero byte (the size when all zeros); the
    /// damage begins below it.
    pub data_end: u64,
    /// The first bytes of the chunk, before and after (after: empty for a truncation).
    pub before_hex: String,
    pub after_hex: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(SHOWN_BYTES)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Damage `data` (non-empty) in `mode`, touching at most `max_bytes` bytes for flip and
/// zero (a truncation cuts wherever the seed says).
pub fn apply(mode: Mode, data: &mut Vec<u8>, max_bytes: u64, rng: &mut Rng) -> Damage {
    assert!(!data.is_empty(), "damage of an empty file");
    let size = data.len() as u64;
    let data_end = data
        .iter()
        .rposition(|b| *b != 0)
        .map_or(size, |i| i as u64 + 1);
    let damage = |offset: u64, before: &[u8], after: &[u8]| Damage {
        mode: mode.name(),
        offset,
        bytes: before.len() as u64,
        size,
        data_end,
        before_hex: hex(before),
        after_hex: hex(after),
    };
    if mode == Mode::Truncate {
        let offset = rng.below(data_end);
        let cut = data.split_off(offset as usize);
        return damage(offset, &cut, &[]);
    }
    let len = rng.between(1, max_bytes.clamp(1, data_end));
    let offset = rng.below(data_end - len + 1);
    let chunk = &mut data[offset as usize..(offset + len) as usize];
    let before = chunk.to_vec();
    for b in chunk.iter_mut() {
        *b = match mode {
            Mode::Flip => *b ^ (1 + rng.below(255) as u8),
            _ => 0,
        };
    }
    damage(offset, &before, chunk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mode_damages_what_it_says_and_tells_where() {
        for seed in 0..50 {
            let original: Vec<u8> = (0..200u32).map(|i| (i % 251) as u8 + 1).collect();
            for mode in Mode::ALL {
                let mut data = original.clone();
                let d = apply(mode, &mut data, 16, &mut Rng::new(seed));
                let (o, n) = (d.offset as usize, d.bytes as usize);
                assert_eq!(d.size, 200);
                assert_eq!(d.before_hex, hex(&original[o..o + n]));
                match mode {
                    Mode::Truncate => {
                        assert_eq!(data, original[..o]);
                        assert_eq!(o + n, 200);
                    }
                    Mode::Flip | Mode::Zero => {
                        assert!((1..=16).contains(&n), "{n}");
                        assert_eq!(data.len(), 200);
                        assert_eq!(data[..o], original[..o]);
                        assert_eq!(data[o + n..], original[o + n..]);
                        for i in o..o + n {
                            let want_changed = data[i] != original[i];
                            assert!(want_changed, "{mode:?} left byte {i} alone");
                        }
                        if mode == Mode::Zero {
                            assert!(data[o..o + n].iter().all(|b| *b == 0));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_preallocated_file_is_damaged_where_it_has_data() {
        for seed in 0..50 {
            for mode in Mode::ALL {
                let mut data = vec![0u8; 1000];
                data[..100].fill(9);
                data[300] = 1; // data ends at 301; zeros after it
                let d = apply(mode, &mut data, 16, &mut Rng::new(seed));
                assert_eq!(d.data_end, 301);
                assert!(d.offset < 301, "{mode:?} at {}", d.offset);
                if mode != Mode::Truncate {
                    assert!(d.offset + d.bytes <= 301, "{d:?}");
                }
            }
            let mut zeros = vec![0u8; 50];
            let d = apply(Mode::Flip, &mut zeros, 4, &mut Rng::new(seed));
            assert_eq!(d.data_end, 50);
        }
    }

    #[test]
    fn the_same_seed_damages_the_same_way() {
        let mut a = vec![7u8; 100];
        let mut b = a.clone();
        let da = apply(Mode::Flip, &mut a, 8, &mut Rng::new(3));
        let db = apply(Mode::Flip, &mut b, 8, &mut Rng::new(3));
        assert_eq!((da, a), (db, b));
        assert_eq!(Mode::from_name("zero"), Some(Mode::Zero));
        assert_eq!(Mode::from_name("melt"), None);
    }
}
