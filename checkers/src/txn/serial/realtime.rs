//! Orders between rw-register transactions that real time and the reads force together,
//! where neither forces them alone.
//!
//! When R read value v of key x, written by W, no other write of x comes between W and R.
//! So for another writer W' of x:
//!
//! - if W' precedes R, W' precedes W too. W' precedes R when some transaction that must
//!   follow W' (or W' itself) completed before R was invoked: when W''s *deadline* (the
//!   earliest completion among it and all that must follow it) is before R's invocation;
//! - if W completed before W' was invoked (W precedes W'), R precedes W'.
//!
//! These hold in every order that respects real time (and the edges the deadline was
//! computed over). The graph's version orders come from reads followed by writes only, so
//! without these a search would often put two concurrent blind writes (or an indeterminate
//! one that took effect late) in the wrong order and find out only much later. Only pairs
//! not already ordered are returned: W' whose deadline is after W's invocation for the
//! first rule, W' invoked before R completed for the second.
//!
//! A *floating* transaction (module `frontier`) is not bound by real time: the first rule
//! does not apply to it as R, and it is not already ordered as W; the second does not
//! apply to it as W or W'; its own completion does not count in its deadline.

use super::edges::{Edge, FACT};
use super::state::NIL;
use super::Problem;
use crate::txn::budget::{Clock, TimeUp};
use crate::txn::graph::DATA;
use crate::txn::txns::{KeyId, Mop, Status, TxnId, Txns};

/// The reads the rules apply to, and the writers of their keys.
pub struct Reads {
    /// (reader, writer of the value it read, key), on keys with two writers or more.
    reads: Vec<(TxnId, TxnId, KeyId)>,
    /// The writers of key `k`: `invoked[at[k]..at[k + 1]]`, by invocation.
    at: Vec<u32>,
    invoked: Vec<(u32, TxnId)>,
}

impl Reads {
    pub fn new(p: &Problem, clock: &mut Clock) -> Result<Reads, TimeUp> {
        let txns = p.txns;
        let nkeys = txns.keys.len();
        // Each member's keys written, once each, in invocation order.
        let written = |t: usize| {
            let mops = &txns.list[t].mops;
            mops.iter().enumerate().filter_map(move |(i, m)| match m {
                Mop::Write { key, .. }
                    if !mops[..i]
                        .iter()
                        .any(|o| matches!(o, Mop::Write { key: k, .. } if k == key)) =>
                {
                    Some(*key)
                }
                _ => None,
            })
        };
        let mut at = vec![0u32; nkeys + 1];
        for t in (0..txns.len()).filter(|&t| p.member[t]) {
            clock.tick()?;
            for k in written(t) {
                at[k as usize + 1] += 1;
            }
        }
        for k in 0..nkeys {
            at[k + 1] += at[k];
        }
        let mut fill = at.clone();
        let mut invoked = vec![(0, 0); at[nkeys] as usize];
        for t in (0..txns.len()).filter(|&t| p.member[t]) {
            for k in written(t) {
                invoked[fill[k as usize] as usize] = (txns.list[t].invoke, t as TxnId);
                fill[k as usize] += 1;
            }
        }
        // Each read of a value, on a key with two writers or more.
        let mut reads = Vec::new();
        for r in (0..txns.len() as TxnId).filter(|&r| p.member[r as usize]) {
            for &(k, v) in p.obs(r) {
                clock.tick()?;
                if v == NIL || at[k as usize + 1] - at[k as usize] < 2 {
                    continue;
                }
                match p.writers.get(&Txns::kv(k, v)) {
                    Some(&(w, _)) if p.member[w as usize] && w != r => reads.push((r, w, k)),
                    _ => {}
                }
            }
        }
        Ok(Reads { reads, at, invoked })
    }

    /// The orders the reads force with the data edges alone, which hold in every serial
    /// order: the rules above where W' precedes R, or W precedes W', by a data edge.
    pub fn facts(&self, p: &Problem, clock: &mut Clock) -> Result<Vec<Edge>, TimeUp> {
        let txns = p.txns;
        let mut by_reader = self.reads.clone();
        by_reader.sort_unstable();
        let mut by_writer: Vec<(TxnId, TxnId, KeyId)> =
            self.reads.iter().map(|&(r, w, k)| (w, r, k)).collect();
        by_writer.sort_unstable();
        let writes = |t: TxnId, k: KeyId| {
            txns.list[t as usize]
                .mops
                .iter()
                .any(|m| matches!(m, Mop::Write { key, .. } if *key == k))
        };
        let mut out = Vec::new();
        for e in p.g.g.raw_edges() {
            let (a, b) = (e.source().index() as TxnId, e.target().index() as TxnId);
            if e.weight & DATA == 0 || !p.member[a as usize] || !p.member[b as usize] {
                continue;
            }
            clock.tick()?;
            // a precedes b, which read k from w: a writes k, so it precedes w.
            for &(_, w, k) in of_first(&by_reader, b) {
                if a != w && writes(a, k) {
                    out.push((a, w, FACT));
                }
            }
            // a precedes b; r read k from a: b writes k, so r precedes b.
            for &(_, r, k) in of_first(&by_writer, a) {
                if b != r && writes(b, k) {
                    out.push((r, b, FACT));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    fn writers(&self, k: KeyId) -> std::ops::Range<usize> {
        self.at[k as usize] as usize..self.at[k as usize + 1] as usize
    }

    /// The edges the rules give under `p`'s current deadlines, sorted and without repeats;
    /// each rests on R (first rule) or W' (second).
    pub fn edges(&self, p: &Problem, clock: &mut Clock) -> Result<Vec<Edge>, TimeUp> {
        let txns = p.txns;
        let floating = |t: TxnId| p.floating[t as usize];
        // Each key's writers by deadline.
        let mut due: Vec<(u32, TxnId)> = self
            .invoked
            .iter()
            .map(|&(_, t)| (p.deadline[t as usize], t))
            .collect();
        for k in 0..self.at.len() - 1 {
            due[self.writers(k as KeyId)].sort_unstable();
        }
        let mut out = Vec::new();
        for &(r, w, k) in &self.reads {
            clock.tick()?;
            let (rt, wt) = (&txns.list[r as usize], &txns.list[w as usize]);
            if !floating(r) {
                // W' precedes R: before W, unless real time orders them already.
                let from = if floating(w) { 0 } else { wt.invoke };
                for other in between(&due[self.writers(k)], from, rt.invoke) {
                    if other != w && other != r {
                        out.push((other, w, r));
                    }
                }
            }
            if let (Status::Ok, Some(wc), Some(rc), false) =
                (wt.status, wt.complete, rt.complete, floating(w))
            {
                for other in between(&self.invoked[self.writers(k)], wc, rc) {
                    if other != w && other != r && !floating(other) {
                        out.push((r, other, other));
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

/// The writers of `list` (sorted by op index) whose index is strictly between `lo` and `hi`.
fn between(list: &[(u32, TxnId)], lo: u32, hi: u32) -> impl Iterator<Item = TxnId> + '_ {
    let from = list.partition_point(|e| e.0 <= lo);
    let to = list.partition_point(|e| e.0 < hi).max(from);
    list[from..to].iter().map(|e| e.1)
}

/// The entries of `list` (sorted) whose first element is `t`.
fn of_first(list: &[(TxnId, TxnId, KeyId)], t: TxnId) -> &[(TxnId, TxnId, KeyId)] {
    let from = list.partition_point(|e| e.0 < t);
    let to = list.partition_point(|e| e.0 <= t);
    &list[from..to]
}
