//! The database a serial order is run on: every key's list (list-append) or register
//! (rw-register), changed one transaction at a time and changed back on backtracking (an
//! undo log), with a hash of the whole state kept up to date so that states already
//! explored can be recognised.
//!
//! A key's *version* is what a transaction can observe of it: a list's length (values are
//! unique and lists only grow, so the length names the version), or a register's value
//! ([`NIL`] for the initial nil).

use crate::txn::txns::{Datatype, KeyId, Mop, Seen, TxnId, ValId};

/// The initial nil of a register, as a version.
pub const NIL: u32 = u32::MAX;

/// What running a transaction found wrong: its micro-op `mop` read something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Misread {
    pub mop: u32,
}

pub struct State {
    dt: Datatype,
    lists: Vec<Vec<ValId>>,
    /// Per key, the hash of each prefix of its list (lists only): `hashes[k][i]` is the
    /// hash of the first `i + 1` values.
    hashes: Vec<Vec<u64>>,
    regs: Vec<u32>,
    /// Undo log: (key, the register's old value; unused for lists).
    undo: Vec<(KeyId, u32)>,
    hash: u64,
}

/// A well-mixed 64-bit function of `x` (SplitMix64's finaliser).
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What key `k` at version hash `h` adds to the state's hash (0 for the initial state).
fn part(k: KeyId, h: u64) -> u64 {
    if h == 0 {
        0
    } else {
        mix(h ^ mix(k as u64))
    }
}

impl State {
    pub fn new(dt: Datatype, keys: usize) -> State {
        let lists = dt == Datatype::ListAppend;
        State {
            dt,
            lists: vec![Vec::new(); if lists { keys } else { 0 }],
            hashes: vec![Vec::new(); if lists { keys } else { 0 }],
            regs: vec![NIL; if lists { 0 } else { keys }],
            undo: Vec::new(),
            hash: 0,
        }
    }

    /// The version of key `k` now.
    pub fn version(&self, k: KeyId) -> u32 {
        match self.dt {
            Datatype::ListAppend => self.lists[k as usize].len() as u32,
            Datatype::RwRegister => self.regs[k as usize],
        }
    }

    /// The list of key `k` now (list-append).
    pub fn list(&self, k: KeyId) -> &[ValId] {
        &self.lists[k as usize]
    }

    /// The hash of the whole state.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// A mark to roll back to.
    pub fn mark(&self) -> usize {
        self.undo.len()
    }

    fn write(&mut self, k: KeyId, v: ValId) {
        let ku = k as usize;
        match self.dt {
            Datatype::ListAppend => {
                let old = self.hashes[ku].last().copied().unwrap_or(0);
                let new = old.wrapping_mul(0x100_0000_01B3).wrapping_add(v as u64 + 1) | 1;
                self.hash ^= part(k, old) ^ part(k, new);
                self.lists[ku].push(v);
                self.hashes[ku].push(new);
                self.undo.push((k, 0));
            }
            Datatype::RwRegister => {
                let old = self.regs[ku];
                self.hash ^= part(k, reg_hash(k, old)) ^ part(k, reg_hash(k, v));
                self.regs[ku] = v;
                self.undo.push((k, old));
            }
        }
    }

    /// Undo every write since `mark`.
    pub fn roll_back(&mut self, mark: usize) {
        while self.undo.len() > mark {
            let (k, old) = self.undo.pop().expect("above the mark");
            let ku = k as usize;
            match self.dt {
                Datatype::ListAppend => {
                    self.lists[ku].pop();
                    let new = self.hashes[ku].pop().unwrap_or(0);
                    let back = self.hashes[ku].last().copied().unwrap_or(0);
                    self.hash ^= part(k, new) ^ part(k, back);
                }
                Datatype::RwRegister => {
                    let now = self.regs[ku];
                    self.hash ^= part(k, reg_hash(k, now)) ^ part(k, reg_hash(k, old));
                    self.regs[ku] = old;
                }
            }
        }
    }

    /// Run `mops` (reads checked only if `known`); on a misread, nothing is changed.
    pub fn run(&mut self, mops: &[Mop], known: bool) -> Result<(), Misread> {
        let mark = self.mark();
        for (i, m) in mops.iter().enumerate() {
            let ok = match m {
                Mop::Write { key, value } => {
                    self.write(*key, *value);
                    true
                }
                Mop::Read { .. } if !known => true,
                Mop::Read {
                    key,
                    seen: Seen::List(l),
                } => self.dt == Datatype::ListAppend && self.lists[*key as usize][..] == l[..],
                Mop::Read {
                    key,
                    seen: Seen::Reg(v),
                } => {
                    self.dt == Datatype::RwRegister && self.regs[*key as usize] == v.unwrap_or(NIL)
                }
                Mop::Read { .. } => true,
            };
            if !ok {
                self.roll_back(mark);
                return Err(Misread { mop: i as u32 });
            }
        }
        Ok(())
    }
}

/// The version hash of register value `v` of key `k` (0 for nil).
fn reg_hash(k: KeyId, v: u32) -> u64 {
    if v == NIL {
        0
    } else {
        mix(((k as u64) << 32 | v as u64) ^ 0x5851_F42D_4C95_7F2D) | 1
    }
}

/// The hash of a set of transactions holding `t`, from that of the set without it (and
/// back).
pub fn toggle(set: u64, t: TxnId) -> u64 {
    set ^ mix(t as u64 ^ 0xD1B5_4A32_D192_ED03)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_check_reads_and_roll_back_to_the_same_hash() {
        let mut s = State::new(Datatype::ListAppend, 2);
        let w = |key, value| Mop::Write { key, value };
        let r = |key, l: &[u32]| Mop::Read {
            key,
            seen: Seen::List(l.into()),
        };
        assert_eq!(s.hash(), 0);
        s.run(&[w(0, 7), r(0, &[7])], true).unwrap();
        let h = s.hash();
        assert_ne!(h, 0);
        assert_eq!(s.run(&[w(0, 8), r(0, &[8])], true), Err(Misread { mop: 1 }));
        assert_eq!(
            (s.hash(), s.version(0)),
            (h, 1),
            "a misread changes nothing"
        );
        assert!(s.run(&[r(0, &[9])], false).is_ok(), "unknown reads pass");
        let m = s.mark();
        s.run(&[w(1, 3)], true).unwrap();
        s.roll_back(m);
        assert_eq!(s.hash(), h);
        s.roll_back(0);
        assert_eq!((s.hash(), s.list(0)), (0, &[][..]));

        let mut s = State::new(Datatype::RwRegister, 1);
        let rr = |v: Option<u32>| Mop::Read {
            key: 0,
            seen: Seen::Reg(v),
        };
        s.run(&[rr(None), w(0, 4), rr(Some(4))], true).unwrap();
        assert_eq!(s.version(0), 4);
        assert!(s.run(&[rr(None)], true).is_err());
        s.roll_back(0);
        assert_eq!((s.hash(), s.version(0)), (0, NIL));
        assert_ne!(toggle(0, 1), toggle(0, 2));
    }
}
