//! What rw-register histories tell. A read returns one value, not a history of them, so
//! far less is known than with lists: a version order is inferred only where the history
//! forces it, and every inference is sound (it never invents a cycle).
//!
//! **What a transaction saw.** Inside a transaction, a read after the transaction's own
//! write of the key must return that write, and a read after a read (with no write
//! between) the same value; otherwise `internal`. A read that comes before any write of
//! the key in its transaction is what the transaction *observed* of the key. Observing a
//! value the transaction itself writes later is `internal` too.
//!
//! **Version order**, per key: the initial nil precedes every written value; and when a
//! transaction observed version `v` and then wrote the key, `v` precedes its write (writes
//! follow reads, as in Elle). Nothing else: neither process nor real-time order of writes
//! is assumed.
//!
//! **Edges**:
//! - `wr`: from the writer of an observed value to the reader;
//! - `ww`: from the writer of an observed value to the reader, when the reader then wrote
//!   the key;
//! - `rw`: from a transaction that observed `v` to every transaction that also observed
//!   `v` and then wrote the key (their writes come after `v`); from a transaction that
//!   observed nil to every writer of the key whose write has no known predecessor (the
//!   others follow those by `ww` edges).
//!
//! **Anomalies without cycles**: `G1a` (an observed value written by a failed
//! transaction), `garbage-read` (written by no one), `G1b` (a value its writer overwrote
//! within the same transaction; no edges are drawn from that observation), and
//! `lost-update` (two ok transactions observed the same version and both wrote the key).
//! `lost` is not defined for registers: a write overwritten before anyone read it is
//! normal.

use super::budget::{Clock, TimeUp};
use super::found::{Ctx, Found};
use super::graph::{DepGraph, EdgeKind, RW, WR, WW};
use super::txns::{KeyId, Mop, Seen, Status, Txn, TxnId, Txns, ValId};
use super::writes::{
    self, internal, writers, writes_later, Ambiguous, Problem, Unwritten, Writers,
};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::json;

/// The value id standing for the initial nil in (key, value) map keys.
const NIL: ValId = ValId::MAX;

/// What the rw-register analysis keeps to explain the edges it drew.
pub struct Registers<'a> {
    txns: &'a Txns,
    /// The write of each (key, value): (transaction, micro-op); the first, when several.
    writer: Writers,
    /// (key, version observed) -> the ok transactions that observed it and then wrote the
    /// key.
    successors: FxHashMap<u64, Vec<TxnId>>,
    /// (transaction, key) pairs whose write of the key has a known predecessor.
    preceded: FxHashSet<u64>,
    /// Per key, the writers (ok or info) with no known predecessor.
    roots: Vec<Vec<TxnId>>,
    /// Writes of one value to one key by two micro-ops: (how many, the first).
    pub ambiguous: Ambiguous,
}

/// What a transaction observed of a key.
struct Observation {
    key: KeyId,
    value: Option<ValId>,
    /// The transaction's first write of the key after the read, if any.
    then_wrote: Option<ValId>,
}

/// What an ok transaction observed, and its internal problems.
fn observe(txns: &Txns, txn: &Txn) -> (Vec<Observation>, Vec<Problem>) {
    // Per key: the value the transaction's own micro-ops imply, once known.
    let mut known: Vec<(KeyId, Option<ValId>)> = Vec::new();
    let mut obs: Vec<Observation> = Vec::new();
    let mut problems = Vec::new();
    for (i, m) in txn.mops.iter().enumerate() {
        let key = m.key();
        let slot = known.iter().position(|(k, _)| *k == key);
        match m {
            Mop::Write { value, .. } => {
                if slot.is_none() {
                    known.push((key, Some(*value)));
                } else if let Some(p) = slot {
                    known[p].1 = Some(*value);
                }
                if let Some(o) = obs
                    .iter_mut()
                    .find(|o| o.key == key && o.then_wrote.is_none())
                {
                    o.then_wrote = Some(*value);
                }
            }
            Mop::Read {
                seen: Seen::Reg(r), ..
            } => match slot {
                Some(p) if known[p].1 != *r => {
                    problems.push(Problem {
                        key,
                        mop: i as u32,
                        why: format!(
                            "its earlier micro-ops say the key held {} at that point",
                            txns.reg_name(known[p].1)
                        ),
                    });
                    known[p].1 = *r;
                }
                Some(_) => {}
                None => {
                    known.push((key, *r));
                    let later = txn.mops[i + 1..].iter().any(
                        |m| matches!(m, Mop::Write { key: k, value } if *k == key && Some(*value) == *r),
                    );
                    if later {
                        problems.push(Problem {
                            key,
                            mop: i as u32,
                            why: "the transaction itself only writes that value later".into(),
                        });
                    } else {
                        obs.push(Observation {
                            key,
                            value: *r,
                            then_wrote: None,
                        });
                    }
                }
            },
            Mop::Read { .. } => {}
        }
    }
    (obs, problems)
}

impl<'a> Registers<'a> {
    /// Analyse the rw-register transactions of `ctx`: edges into `g`, anomalies into
    /// `found`.
    pub fn infer(
        ctx: &Ctx<'a>,
        g: &mut DepGraph,
        found: &mut Found,
        clock: &mut Clock,
    ) -> Result<Registers<'a>, TimeUp> {
        let txns = ctx.txns;
        let (writer, ambiguous) = writers(txns, clock)?;
        let mut r = Registers {
            txns,
            writer,
            successors: FxHashMap::default(),
            preceded: FxHashSet::default(),
            roots: vec![Vec::new(); txns.keys.len()],
            ambiguous,
        };
        // Observations: wr and ww edges, and who wrote after which version.
        let mut shown: FxHashSet<u64> = FxHashSet::default();
        let mut valid: Vec<(TxnId, KeyId, ValId)> = Vec::new();
        for (t, txn) in txns.list.iter().enumerate() {
            clock.tick()?;
            if txn.status != Status::Ok {
                continue;
            }
            let t = t as TxnId;
            let (obs, problems) = observe(txns, txn);
            for p in problems {
                internal(ctx, found, t, p);
            }
            for o in obs {
                let version = match o.value {
                    None => NIL,
                    Some(v) => {
                        let kv = Txns::kv(o.key, v);
                        let Some(&(w, wm)) = r.writer.get(&kv) else {
                            if shown.insert(kv) {
                                r.unwritten(ctx, found, t, &o, None);
                            }
                            continue;
                        };
                        let wt = &txns.list[w as usize];
                        if wt.status == Status::Fail {
                            if shown.insert(kv) {
                                r.unwritten(ctx, found, t, &o, Some(w));
                            }
                            continue;
                        }
                        if writes_later(wt, o.key, wm) {
                            if shown.insert(kv) {
                                r.intermediate(ctx, found, t, &o, w);
                            }
                            continue;
                        }
                        g.add(w, t, WR);
                        if o.then_wrote.is_some() {
                            g.add(w, t, WW);
                            r.preceded.insert(Txns::kv(t, o.key));
                        }
                        v
                    }
                };
                valid.push((t, o.key, version));
                if o.then_wrote.is_some() {
                    let after = r.successors.entry(Txns::kv(o.key, version)).or_default();
                    let first = after.first().copied();
                    after.push(t);
                    if let Some(first) = first {
                        r.lost_update(ctx, found, first, t, &o);
                    }
                }
            }
        }
        // Writers with no known predecessor follow the initial nil directly.
        for (t, txn) in txns.list.iter().enumerate() {
            clock.tick()?;
            if !txn.status.maybe_committed() {
                continue;
            }
            let mut keys: Vec<KeyId> = txn
                .mops
                .iter()
                .filter(|m| matches!(m, Mop::Write { .. }))
                .map(|m| m.key())
                .collect();
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                if !r.preceded.contains(&Txns::kv(t as TxnId, k)) {
                    r.roots[k as usize].push(t as TxnId);
                }
            }
        }
        // Anti-dependencies: from each observation to the writes known to follow it.
        for (t, key, version) in valid {
            clock.tick()?;
            let after: &[TxnId] = if version == NIL {
                &r.roots[key as usize]
            } else {
                r.successors.get(&Txns::kv(key, version)).map_or(&[], |v| v)
            };
            for &w in after {
                clock.tick()?;
                g.add(t, w, RW);
            }
        }
        Ok(r)
    }

    fn unwritten(&self, ctx: &Ctx, found: &mut Found, t: TxnId, o: &Observation, w: Option<TxnId>) {
        let txns = self.txns;
        writes::unwritten(ctx, found, t, o.key, w, || Unwritten {
            head: format!(
                "T1 read key {} = {}",
                txns.key_name(o.key),
                txns.reg_name(o.value)
            ),
            written: "written",
            never: "wrote that value".into(),
            data: json!(null),
        });
    }

    fn intermediate(&self, ctx: &Ctx, found: &mut Found, t: TxnId, o: &Observation, w: TxnId) {
        let txns = self.txns;
        found.report(ctx, "G1b", Some(o.key), &[t, w], || {
            (
                format!(
                    "T1 read key {} = {}, which T2 wrote; but T2 wrote key {} again \
                     afterwards, so T1 saw T2's intermediate state.\nLet:\n  {}\n  {}",
                    txns.key_name(o.key),
                    txns.reg_name(o.value),
                    txns.key_name(o.key),
                    ctx.let_line("T1", t),
                    ctx.let_line("T2", w),
                ),
                json!(null),
            )
        });
    }

    fn lost_update(&self, ctx: &Ctx, found: &mut Found, t1: TxnId, t2: TxnId, o: &Observation) {
        let txns = self.txns;
        found.report(ctx, "lost-update", Some(o.key), &[t1, t2], || {
            (
                format!(
                    "T1 and T2 both read key {} = {} and then both wrote it: each write had \
                     to follow that version directly, so one of them overwrote the other \
                     unseen.\nLet:\n  {}\n  {}",
                    txns.key_name(o.key),
                    txns.reg_name(o.value),
                    ctx.let_line("T1", t1),
                    ctx.let_line("T2", t2),
                ),
                json!(null),
            )
        });
    }

    /// The first value `t` wrote to `key`.
    fn first_write(&self, t: TxnId, key: KeyId) -> String {
        self.txns.list[t as usize]
            .mops
            .iter()
            .find_map(|m| match m {
                Mop::Write { key: k, value } if *k == key => Some(self.txns.val_name(*value)),
                _ => None,
            })
            .unwrap_or_else(|| "?".into())
    }
}

impl super::explain::Why for Registers<'_> {
    fn writers(&self) -> &Writers {
        &self.writer
    }

    /// Why `a` precedes `b` by an edge of `kind` (a data kind), told with their labels.
    fn why(&self, a: TxnId, la: &str, b: TxnId, lb: &str, kind: EdgeKind) -> String {
        let txns = self.txns;
        let writer_of = |k: KeyId, v: Option<ValId>| {
            v.and_then(|v| self.writer.get(&Txns::kv(k, v)).map(|w| w.0))
        };
        match kind {
            WW | WR => {
                for o in observe(txns, &txns.list[b as usize]).0 {
                    if writer_of(o.key, o.value) != Some(a) {
                        continue;
                    }
                    let (k, v) = (txns.key_name(o.key), txns.reg_name(o.value));
                    match (kind, o.then_wrote) {
                        (WR, _) => return format!("{lb} read key {k} = {v}, which {la} wrote"),
                        (_, Some(w)) => {
                            return format!(
                                "{lb} read key {k} = {v}, which {la} wrote, then wrote {} over it",
                                txns.val_name(w)
                            )
                        }
                        _ => {}
                    }
                }
            }
            RW => {
                for o in observe(txns, &txns.list[a as usize]).0 {
                    let (k, v) = (txns.key_name(o.key), txns.reg_name(o.value));
                    let w = self.first_write(b, o.key);
                    match o.value {
                        None if self.roots[o.key as usize].contains(&b) => {
                            return format!(
                                "{la} read key {k} = nil, the initial state, and {lb} wrote {w}, \
                                 a later version"
                            )
                        }
                        Some(x)
                            if self
                                .successors
                                .get(&Txns::kv(o.key, x))
                                .is_some_and(|s| s.contains(&b)) =>
                        {
                            return format!(
                                "{la} read key {k} = {v}; {lb} read {v} too and then wrote {w} \
                                 over it, a later version"
                            )
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        format!("{la} precedes {lb}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::txns::Datatype;
    use super::super::writes::one_txn;
    use super::*;
    use serde_json::{json, Value};

    /// (key, observed value id or None, then-wrote value id) and the micro-ops with
    /// problems. Keys and values are interned in order of appearance.
    #[allow(clippy::type_complexity)]
    fn seen(mops: Value) -> (Vec<(u32, Option<u32>, Option<u32>)>, Vec<u32>) {
        let txns = one_txn(mops, Datatype::RwRegister);
        let (o, p) = observe(&txns, &txns.list[0]);
        (
            o.iter().map(|o| (o.key, o.value, o.then_wrote)).collect(),
            p.iter().map(|p| p.mop).collect(),
        )
    }

    #[test]
    fn observations_are_reads_before_writes() {
        assert_eq!(
            seen(json!([["r", 1, 7], ["w", 1, 8], ["r", 1, 8]])),
            (vec![(0, Some(0), Some(1))], vec![])
        );
        assert_eq!(
            seen(json!([["w", 1, 8], ["r", 1, 8], ["r", 2, null]])),
            (vec![(1, None, None)], vec![])
        );
    }

    #[test]
    fn inconsistent_reads_are_problems() {
        assert_eq!(seen(json!([["w", 1, 8], ["r", 1, 7]])), (vec![], vec![1]));
        assert_eq!(
            seen(json!([["r", 1, 7], ["r", 1, 9]])).1,
            vec![1],
            "a non-repeatable read"
        );
        assert_eq!(
            seen(json!([["r", 1, 8], ["w", 1, 8]])),
            (vec![], vec![0]),
            "a read of its own later write"
        );
    }
}
