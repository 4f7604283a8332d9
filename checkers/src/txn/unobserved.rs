//! List appends that no read shows, and where they must go.
//!
//! A list only grows, so an append that happened but that no read shows came after every
//! version any read showed: after the key's longest observed version. In every serial
//! order it therefore follows the writer of that version's last value (`ww`) and every
//! transaction that observed that version (`rw`; the readers of shorter versions precede
//! it through the key's other edges). Without these edges, anomalies whose appends are
//! never read back go unseen: in a write skew, T1 reads x = [] and appends to y while T2
//! reads y = [] and appends to x, and no later read shows either append; the two `rw`
//! edges close a `G2-item` cycle. (Elle's `si-without-g-single` history is such a case.)
//!
//! The appends that count are those known to have happened: every append of an `ok`
//! transaction, and every append of an `info` transaction another of whose appends some
//! read shows.

use super::budget::{Clock, TimeUp};
use super::graph::{DepGraph, RW, WW};
use super::txns::{KeyId, Mop, Status, Txn, TxnId, Txns, ValId};
use rustc_hash::FxHashMap;

/// What the edges are drawn from, for one key with a usable order.
pub struct Key {
    /// The writer of the last value of the order whose writer may have committed.
    pub last_writer: Option<TxnId>,
    /// The ok transactions that observed the whole order.
    pub readers: Vec<TxnId>,
}

/// Whether `txn`'s appends are known to have happened; `pos` holds every (key, value) some
/// read shows.
pub fn happened(txn: &Txn, pos: &FxHashMap<u64, u32>) -> bool {
    match txn.status {
        Status::Ok => true,
        Status::Info => txn.mops.iter().any(
            |m| matches!(m, Mop::Write { key, value } if pos.contains_key(&Txns::kv(*key, *value))),
        ),
        Status::Fail => false,
    }
}

/// The appends of `txn` to keys with a usable order (`keys[k]` Some) that no read shows.
pub fn unseen<'t>(
    txn: &'t Txn,
    keys: &'t [Option<Key>],
    pos: &'t FxHashMap<u64, u32>,
) -> impl Iterator<Item = (KeyId, ValId)> + 't {
    txn.mops.iter().filter_map(move |m| match m {
        Mop::Write { key, value }
            if keys[*key as usize].is_some() && !pos.contains_key(&Txns::kv(*key, *value)) =>
        {
            Some((*key, *value))
        }
        _ => None,
    })
}

/// Draw the edges into every transaction known to have happened with an append no read
/// shows.
pub fn add_edges(
    txns: &Txns,
    keys: &[Option<Key>],
    pos: &FxHashMap<u64, u32>,
    g: &mut DepGraph,
    clock: &mut Clock,
) -> Result<(), TimeUp> {
    for (t, txn) in txns.list.iter().enumerate() {
        clock.tick()?;
        if !happened(txn, pos) {
            continue;
        }
        let t = t as TxnId;
        let mut done: Vec<KeyId> = Vec::new();
        for (k, _) in unseen(txn, keys, pos) {
            if done.contains(&k) {
                continue;
            }
            done.push(k);
            let key = keys[k as usize].as_ref().expect("a usable order");
            if let Some(w) = key.last_writer {
                g.add(w, t, WW);
            }
            for &r in &key.readers {
                clock.tick()?;
                g.add(r, t, RW);
            }
        }
    }
    Ok(())
}
