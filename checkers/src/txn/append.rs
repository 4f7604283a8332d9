//! What list-append histories tell: the order of each key's versions, the dependencies
//! between transactions, and the anomalies visible without any cycle.
//!
//! **What a transaction saw.** Inside a transaction, each read of a key must be what its
//! earlier reads and appends imply (else `internal`): the first read must end with the
//! transaction's own appends so far, a later one must equal the earlier read plus the
//! appends since. The first read with the transaction's own appends stripped from its end
//! is what it *observed* of the key: a version of the key before the transaction. An
//! observed version holding a value the transaction appends itself is `internal` too.
//!
//! **Version order.** A read returns the whole list, so every observation names a version,
//! and the versions of a key are the prefixes of its final list. We take the longest
//! version any ok transaction observed as the key's order; every other observation must be
//! a prefix of it, or the key has no single order (`incompatible-order`) and no edges are
//! drawn from it. A longest version holding a value twice is `duplicate`, and its key
//! gives no edges either. Only observations count: the part of a read that shows the
//! reader's own appends says how its transaction saw itself, not where its appends landed
//! (under read committed, another append may commit in between). Appends no read shows have
//! no place in the order, but they come after all of it (module `unobserved`).
//!
//! **Edges**, for keys with a usable order:
//! - `ww`: between the writers of consecutive values of the order (values whose writer is
//!   unknown or failed are stepped over);
//! - `wr`: from the writer of the last value a transaction observed, to it;
//! - `rw`: from a transaction to the writer of the value right after the version it
//!   observed;
//! - and into each transaction known to have happened with an append no read shows: `ww`
//!   from the writer of the order's last value, `rw` from the readers of the whole order
//!   (module `unobserved`).
//!
//! **Anomalies without cycles**:
//! - `G1a`: a read shows a value appended by a failed transaction;
//! - `garbage-read`: a read shows a value no transaction appended;
//! - `G1b`: a transaction observed a version ending with an append that was not its
//!   writer's last append to the key (no edges are drawn from that observation);
//! - `lost-update`: two ok transactions observed the same version of a key and both
//!   appended to it (both would have to come right after that version);
//! - `lost`: an ok append that no read ever shows, though an ok transaction invoked after
//!   the append completed read the key: under strict serializability that read had to see
//!   it. (Serializability alone allows it: the appender may be ordered after every read.)

use super::budget::{Clock, TimeUp};
use super::found::{Ctx, Found};
use super::graph::{DepGraph, EdgeKind, RW, WR, WW};
use super::txns::{KeyId, Mop, Seen, Status, Txn, TxnId, Txns, ValId};
use super::unobserved::{self, unseen};
use super::writes::{
    self, internal, writers, writes_later, Ambiguous, Problem, Unwritten, Writers,
};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::json;

/// What an ok transaction observed of a key (see [`observe`]).
#[derive(Debug, Clone, Copy)]
struct Read<'a> {
    t: TxnId,
    key: KeyId,
    list: &'a [ValId],
}

/// What the list-append analysis keeps to explain the edges it drew.
pub struct Appends<'a> {
    txns: &'a Txns,
    /// The append of each (key, value): (transaction, micro-op); the first, when several.
    writer: Writers,
    /// Each key's longest observation, when it gives a usable order.
    order: Vec<Option<&'a [ValId]>>,
    /// Position of each (key, value) in its key's usable order.
    pos: FxHashMap<u64, u32>,
    /// Per key with a usable order, what orders the appends no read shows.
    unobserved: Vec<Option<unobserved::Key>>,
    /// Appends of one value to one key by two micro-ops: (how many, the first).
    pub ambiguous: Ambiguous,
}

/// What a transaction observed of a key: the version before its own appends.
struct Observation<'t> {
    key: KeyId,
    prefix: &'t [ValId],
}

/// What an ok transaction observed of each key it read, and its internal problems.
fn observe<'t>(txns: &Txns, txn: &'t Txn) -> (Vec<Observation<'t>>, Vec<Problem>) {
    struct State {
        key: KeyId,
        /// The whole list, once a read told it.
        known: Option<Vec<ValId>>,
        /// Own appends before the first read.
        own: Vec<ValId>,
    }
    let mut states: Vec<State> = Vec::new();
    let mut obs = Vec::new();
    let mut problems = Vec::new();
    let writes = |k: KeyId, v: ValId| {
        txn.mops
            .iter()
            .position(|m| matches!(m, Mop::Write { key, value } if *key == k && *value == v))
    };
    for (i, m) in txn.mops.iter().enumerate() {
        let key = m.key();
        let s = match states.iter().position(|s| s.key == key) {
            Some(p) => &mut states[p],
            None => {
                states.push(State {
                    key,
                    known: None,
                    own: Vec::new(),
                });
                states.last_mut().expect("just pushed")
            }
        };
        match m {
            Mop::Write { value, .. } => match &mut s.known {
                Some(l) => l.push(*value),
                None => s.own.push(*value),
            },
            Mop::Read {
                seen: Seen::List(r),
                ..
            } => {
                match &s.known {
                    Some(expected) if expected[..] != r[..] => problems.push(Problem {
                        key,
                        mop: i as u32,
                        why: format!(
                            "its earlier micro-ops say the list was {} at that point",
                            txns.list_name(expected)
                        ),
                    }),
                    Some(_) => {}
                    None if !r.ends_with(&s.own) => problems.push(Problem {
                        key,
                        mop: i as u32,
                        why: format!(
                            "it does not end with the transaction's own appends {}",
                            txns.list_name(&s.own)
                        ),
                    }),
                    None => {
                        let prefix = &r[..r.len() - s.own.len()];
                        let own = prefix.iter().find_map(|&v| writes(key, v).map(|w| (v, w)));
                        match own {
                            Some((v, w)) => problems.push(Problem {
                                key,
                                mop: i as u32,
                                why: if w > i {
                                    format!(
                                        "it holds {}, which the transaction itself only appends later",
                                        txns.val_name(v)
                                    )
                                } else {
                                    format!(
                                        "it holds {}, the transaction's own append, before the \
                                         versions of other transactions",
                                        txns.val_name(v)
                                    )
                                },
                            }),
                            None => obs.push(Observation { key, prefix }),
                        }
                    }
                }
                s.known = Some(r.to_vec());
            }
            Mop::Read { .. } => {}
        }
    }
    (obs, problems)
}

impl<'a> Appends<'a> {
    /// Analyse the list-append transactions of `ctx`: edges into `g`, anomalies into
    /// `found`.
    pub fn infer(
        ctx: &Ctx<'a>,
        g: &mut DepGraph,
        found: &mut Found,
        clock: &mut Clock,
    ) -> Result<Appends<'a>, TimeUp> {
        let txns = ctx.txns;
        let nkeys = txns.keys.len();
        let (writer, ambiguous) = writers(txns, clock)?;
        let mut a = Appends {
            txns,
            writer,
            order: vec![None; nkeys],
            pos: FxHashMap::default(),
            unobserved: Vec::new(),
            ambiguous,
        };
        // What each ok transaction observed, by key; the longest observation of each.
        let mut observed: Vec<Read<'a>> = Vec::new();
        let mut by_key: Vec<Vec<u32>> = vec![Vec::new(); nkeys];
        let mut longest: Vec<Option<u32>> = vec![None; nkeys];
        for (t, txn) in txns.list.iter().enumerate() {
            clock.tick()?;
            if txn.status != Status::Ok {
                continue;
            }
            let (obs, problems) = observe(txns, txn);
            for p in problems {
                internal(ctx, found, t as TxnId, p);
            }
            for o in obs {
                let k = o.key as usize;
                let i = observed.len() as u32;
                observed.push(Read {
                    t: t as TxnId,
                    key: o.key,
                    list: o.prefix,
                });
                by_key[k].push(i);
                if !matches!(longest[k], Some(b) if observed[b as usize].list.len() >= o.prefix.len())
                {
                    longest[k] = Some(i);
                }
            }
        }
        // Each key's order, and what its observations show.
        let mut shown: FxHashSet<u64> = FxHashSet::default();
        for k in 0..nkeys {
            let Some(long) = longest[k].map(|i| observed[i as usize]) else {
                continue;
            };
            let reads = || by_key[k].iter().map(|&i| observed[i as usize]);
            let mut usable = true;
            for r in reads() {
                clock.tick()?;
                if !long.list.starts_with(r.list) {
                    a.incompatible(ctx, found, r, long);
                    usable = false;
                    break;
                }
            }
            if usable {
                if let Some(v) = duplicated(long.list) {
                    a.duplicate(ctx, found, long, v);
                    usable = false;
                }
            } else if let Some((r, v)) = reads().find_map(|r| duplicated(r.list).map(|v| (r, v))) {
                a.duplicate(ctx, found, r, v);
            }
            // The values shown: with a usable order, every observation is a prefix of it.
            let sources: Vec<Read> = if usable {
                vec![long]
            } else {
                reads().collect()
            };
            for r in sources {
                for (p, &v) in r.list.iter().enumerate() {
                    clock.tick()?;
                    let kv = Txns::kv(k as KeyId, v);
                    match a.writer.get(&kv) {
                        Some(&(w, _)) if txns.list[w as usize].status != Status::Fail => {}
                        w => {
                            if shown.insert(kv) {
                                let first = reads()
                                    .find(|r| r.list.len() > p)
                                    .filter(|_| usable)
                                    .unwrap_or(r);
                                a.unwritten(ctx, found, first, v, w.map(|w| w.0));
                            }
                        }
                    }
                }
            }
            if usable {
                a.order[k] = Some(long.list);
                let mut prev: Option<TxnId> = None;
                for (p, &v) in long.list.iter().enumerate() {
                    let kv = Txns::kv(k as KeyId, v);
                    a.pos.insert(kv, p as u32);
                    if let Some(w) = a.committed_writer(kv) {
                        if let Some(q) = prev {
                            g.add(q, w, WW);
                        }
                        prev = Some(w);
                    }
                }
            }
        }
        // Edges from what each transaction observed.
        let mut g1b: FxHashSet<u64> = FxHashSet::default();
        let mut updated: FxHashMap<u64, TxnId> = FxHashMap::default();
        for &o in &observed {
            clock.tick()?;
            let Some(order) = a.order[o.key as usize] else {
                continue;
            };
            let t = o.t;
            if let Some(&last) = o.list.last() {
                let kv = Txns::kv(o.key, last);
                let Some(w) = a.committed_writer(kv) else {
                    continue;
                };
                let (_, wm) = a.writer[&kv];
                if writes_later(&txns.list[w as usize], o.key, wm) {
                    if g1b.insert(kv) {
                        a.intermediate(ctx, found, o, w);
                    }
                    continue;
                }
                g.add(w, t, WR);
            }
            if let Some(&next) = order.get(o.list.len()) {
                if let Some(w) = a.committed_writer(Txns::kv(o.key, next)) {
                    g.add(t, w, RW);
                }
            }
            if writes::writes(&txns.list[t as usize], o.key) {
                match updated.entry(Txns::kv(o.key, o.list.len() as u32)) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(t);
                    }
                    std::collections::hash_map::Entry::Occupied(e) => {
                        a.lost_update(ctx, found, *e.get(), o);
                    }
                }
            }
        }
        // Appends no read shows come after every version read.
        a.unobserved = (0..nkeys)
            .map(|k| {
                a.order[k].map(|order| unobserved::Key {
                    last_writer: order
                        .iter()
                        .rev()
                        .find_map(|&v| a.committed_writer(Txns::kv(k as KeyId, v))),
                    readers: Vec::new(),
                })
            })
            .collect();
        for o in &observed {
            if let (Some(key), Some(order)) =
                (&mut a.unobserved[o.key as usize], a.order[o.key as usize])
            {
                if o.list.len() == order.len() {
                    key.readers.push(o.t);
                }
            }
        }
        unobserved::add_edges(txns, &a.unobserved, &a.pos, g, clock)?;
        a.lost(ctx, found, &observed, &by_key, clock)?;
        Ok(a)
    }

    /// The writer of (key, value), if it may have committed.
    fn committed_writer(&self, kv: u64) -> Option<TxnId> {
        let &(w, _) = self.writer.get(&kv)?;
        self.txns.list[w as usize]
            .status
            .maybe_committed()
            .then_some(w)
    }

    /// Ok appends that no read shows, though a later transaction read the key.
    fn lost(
        &self,
        ctx: &Ctx,
        found: &mut Found,
        observed: &[Read],
        by_key: &[Vec<u32>],
        clock: &mut Clock,
    ) -> Result<(), TimeUp> {
        let txns = self.txns;
        // The last-invoked ok transaction that observed each key.
        let last: Vec<Option<Read>> = by_key
            .iter()
            .map(|r| r.last().map(|&i| observed[i as usize]))
            .collect();
        for (t, txn) in txns.list.iter().enumerate() {
            clock.tick()?;
            let Some(done) = txn.complete.filter(|_| txn.status == Status::Ok) else {
                continue;
            };
            for m in txn.mops.iter() {
                let Mop::Write { key, value } = m else {
                    continue;
                };
                let kv = Txns::kv(*key, *value);
                if self.order[*key as usize].is_none() || self.pos.contains_key(&kv) {
                    continue;
                }
                let Some(r) = last[*key as usize] else {
                    continue;
                };
                if txns.list[r.t as usize].invoke < done {
                    continue;
                }
                found.report(ctx, "lost", Some(*key), &[t as TxnId, r.t], || {
                    (
                        format!(
                            "T1 appended {v} to key {k} and completed ok (op {done}), but no \
                             read ever shows {v}: T2, invoked later (op {}), read key {k} = {} \
                             without it.\nLet:\n  {}\n  {}",
                            txns.list[r.t as usize].invoke,
                            txns.list_name(r.list),
                            ctx.let_line("T1", t as TxnId),
                            ctx.let_line("T2", r.t),
                            v = txns.val_name(*value),
                            k = txns.key_name(*key),
                        ),
                        self.value_data(*value),
                    )
                });
            }
        }
        Ok(())
    }

    /// The data of an anomaly about one value.
    fn value_data(&self, v: ValId) -> serde_json::Value {
        json!({"value": self.txns.vals[v as usize].to_string()})
    }

    fn incompatible(&self, ctx: &Ctx, found: &mut Found, r: Read, long: Read) {
        let txns = self.txns;
        found.report(
            ctx,
            "incompatible-order",
            Some(r.key),
            &[r.t, long.t],
            || {
                (
                    format!(
                        "Key {} was read as {} and as {}: neither is a prefix of the other, so no \
                     single order of appends explains both reads.\nLet:\n  {}\n  {}",
                        txns.key_name(r.key),
                        txns.list_name(r.list),
                        txns.list_name(long.list),
                        ctx.let_line("T1", r.t),
                        ctx.let_line("T2", long.t),
                    ),
                    json!(null),
                )
            },
        );
    }

    fn duplicate(&self, ctx: &Ctx, found: &mut Found, r: Read, v: ValId) {
        let txns = self.txns;
        found.report(ctx, "duplicate", Some(r.key), &[r.t], || {
            (
                format!(
                    "T1 read key {} = {}, which holds {} more than once; each value is \
                     appended once.\nLet:\n  {}",
                    txns.key_name(r.key),
                    txns.list_name(r.list),
                    txns.val_name(v),
                    ctx.let_line("T1", r.t),
                ),
                self.value_data(v),
            )
        });
    }

    /// A read shows a value that was never appended (`w` None) or whose append failed.
    fn unwritten(&self, ctx: &Ctx, found: &mut Found, r: Read, v: ValId, w: Option<TxnId>) {
        let txns = self.txns;
        writes::unwritten(ctx, found, r.t, r.key, w, || Unwritten {
            head: format!(
                "T1 read key {} = {}, which holds {}",
                txns.key_name(r.key),
                txns.list_name(r.list),
                txns.val_name(v)
            ),
            written: "appended",
            never: format!("appended {}", txns.val_name(v)),
            data: self.value_data(v),
        });
    }

    fn intermediate(&self, ctx: &Ctx, found: &mut Found, o: Read, w: TxnId) {
        let txns = self.txns;
        found.report(ctx, "G1b", Some(o.key), &[o.t, w], || {
            let last = *o.list.last().expect("a non-empty observation");
            (
                format!(
                    "T1 read key {} = {}, ending with {}, which T2 appended; but T2 appended \
                     to key {} again afterwards, so T1 saw T2's intermediate state.\nLet:\n  \
                     {}\n  {}",
                    txns.key_name(o.key),
                    txns.list_name(o.list),
                    txns.val_name(last),
                    txns.key_name(o.key),
                    ctx.let_line("T1", o.t),
                    ctx.let_line("T2", w),
                ),
                self.value_data(last),
            )
        });
    }

    fn lost_update(&self, ctx: &Ctx, found: &mut Found, t1: TxnId, o: Read) {
        let txns = self.txns;
        found.report(ctx, "lost-update", Some(o.key), &[t1, o.t], || {
            (
                format!(
                    "T1 and T2 both read key {} = {} and both appended to it: in a serial \
                     order (or under snapshot isolation) the later one would have seen the \
                     earlier one's append.\nLet:\n  {}\n  {}",
                    txns.key_name(o.key),
                    txns.list_name(o.list),
                    ctx.let_line("T1", t1),
                    ctx.let_line("T2", o.t),
                ),
                json!(null),
            )
        });
    }
}

impl super::explain::Why for Appends<'_> {
    fn writers(&self) -> &Writers {
        &self.writer
    }

    /// Why `a` precedes `b` by an edge of `kind` (a data kind), told with their labels.
    fn why(&self, a: TxnId, la: &str, b: TxnId, lb: &str, kind: EdgeKind) -> String {
        let txns = self.txns;
        let ta = &txns.list[a as usize];
        let tb = &txns.list[b as usize];
        match kind {
            WW => {
                for m in ta.mops.iter() {
                    let Mop::Write { key, value } = m else {
                        continue;
                    };
                    let (Some(order), Some(&p)) = (
                        self.order[*key as usize],
                        self.pos.get(&Txns::kv(*key, *value)),
                    ) else {
                        continue;
                    };
                    let next = order[p as usize + 1..]
                        .iter()
                        .enumerate()
                        .find_map(|(d, &v)| {
                            self.committed_writer(Txns::kv(*key, v)).map(|w| (d, v, w))
                        });
                    if let Some((d, v, _)) = next.filter(|n| n.2 == b) {
                        let how = if d == 0 { "right after it" } else { "after it" };
                        return format!(
                            "on key {}, {la} appended {} and {lb} appended {} {how}",
                            txns.key_name(*key),
                            txns.val_name(*value),
                            txns.val_name(v)
                        );
                    }
                }
                for (k, v) in unseen(tb, &self.unobserved, &self.pos) {
                    let (Some(key), Some(order)) =
                        (&self.unobserved[k as usize], self.order[k as usize])
                    else {
                        continue;
                    };
                    if key.last_writer != Some(a) {
                        continue;
                    }
                    let last = order
                        .iter()
                        .rev()
                        .find(|&&x| self.committed_writer(Txns::kv(k, x)) == Some(a));
                    if let Some(&last) = last {
                        return format!(
                            "on key {}, {la} appended {}, the last value any read shows, and \
                             {lb} appended {}, which no read shows, so after it",
                            txns.key_name(k),
                            txns.val_name(last),
                            txns.val_name(v)
                        );
                    }
                }
            }
            WR => {
                for o in observe(txns, tb).0 {
                    let Some(&last) = o.prefix.last() else {
                        continue;
                    };
                    if self.committed_writer(Txns::kv(o.key, last)) == Some(a) {
                        return format!(
                            "{lb} read key {} = {}, which ends with {}, appended by {la}",
                            txns.key_name(o.key),
                            txns.list_tail(o.prefix),
                            txns.val_name(last)
                        );
                    }
                }
            }
            RW => {
                for o in observe(txns, ta).0 {
                    let Some(order) = self.order[o.key as usize] else {
                        continue;
                    };
                    let Some(&next) = order.get(o.prefix.len()) else {
                        continue;
                    };
                    if self.committed_writer(Txns::kv(o.key, next)) == Some(b) {
                        let place = if o.prefix.is_empty() { "first" } else { "next" };
                        return format!(
                            "{la} read key {} = {} without {}, which {lb} appended {place}",
                            txns.key_name(o.key),
                            txns.list_tail(o.prefix),
                            txns.val_name(next)
                        );
                    }
                }
                for o in observe(txns, ta).0 {
                    if self.order[o.key as usize].map(|l| l.len()) != Some(o.prefix.len()) {
                        continue;
                    }
                    let later = unseen(tb, &self.unobserved, &self.pos).find(|u| u.0 == o.key);
                    if let Some((k, v)) = later {
                        return format!(
                            "{la} read key {} = {} without {}, which {lb} appended; no read \
                             shows {}, so it came after every version read",
                            txns.key_name(k),
                            txns.list_tail(o.prefix),
                            txns.val_name(v),
                            txns.val_name(v)
                        );
                    }
                }
            }
            _ => {}
        }
        format!("{la} precedes {lb}")
    }
}

/// A value a list holds twice, if any.
fn duplicated(l: &[ValId]) -> Option<ValId> {
    let mut seen = FxHashSet::default();
    l.iter().copied().find(|v| !seen.insert(*v))
}

#[cfg(test)]
mod tests {
    use super::super::txns::Datatype;
    use super::super::writes::one_txn;
    use super::*;
    use serde_json::{json, Value};

    /// (key, observed prefix) and the micro-ops with problems. Values and keys are interned
    /// in order of appearance, so these small tests name them by position.
    fn seen(mops: Value) -> (Vec<(u32, usize)>, Vec<u32>) {
        let txns = one_txn(mops, Datatype::ListAppend);
        let (o, p) = observe(&txns, &txns.list[0]);
        (
            o.iter().map(|o| (o.key, o.prefix.len())).collect(),
            p.iter().map(|p| p.mop).collect(),
        )
    }

    #[test]
    fn a_first_read_is_an_observation_with_own_appends_stripped() {
        assert_eq!(seen(json!([["r", 1, [1, 2]]])), (vec![(0, 2)], vec![]));
        assert_eq!(
            seen(json!([["append", 1, 5], ["r", 1, [1, 5]]])),
            (vec![(0, 1)], vec![])
        );
        assert_eq!(
            seen(json!([["r", 1, [1]], ["append", 1, 5], ["r", 1, [1, 5]]])),
            (vec![(0, 1)], vec![])
        );
    }

    #[test]
    fn reads_that_contradict_their_own_transaction_are_problems() {
        // Own append missing.
        assert_eq!(
            seen(json!([["append", 1, 5], ["r", 1, [1]]])),
            (vec![], vec![1])
        );
        // A second read that changed without an append in between.
        assert_eq!(
            seen(json!([["r", 1, [1]], ["r", 1, [1, 2]]])),
            (vec![(0, 1)], vec![1])
        );
        // A read of the transaction's own later append.
        assert_eq!(
            seen(json!([["r", 1, [5]], ["append", 1, 5]])),
            (vec![], vec![0])
        );
        // Its own earlier append shown twice.
        assert_eq!(
            seen(json!([["append", 1, 5], ["r", 1, [5, 5]]])),
            (vec![], vec![1])
        );
    }

    #[test]
    fn duplicates_are_found() {
        assert_eq!(duplicated(&[1, 2, 3]), None);
        assert_eq!(duplicated(&[1, 2, 1]), Some(1));
    }
}
