//! What the list-append (`append`) and rw-register (`register`) analyses share: who wrote
//! each (key, value), and the anomalies both tell the same way.

use super::budget::{Clock, TimeUp};
use super::found::{Ctx, Found};
use super::txns::{KeyId, Mop, Txn, TxnId, Txns, ValId};
use rustc_hash::FxHashMap;
use serde_json::{json, Value};
use std::collections::hash_map::Entry;

/// The write of each (key, value): (transaction, micro-op); the first, when several.
pub type Writers = FxHashMap<u64, (TxnId, u32)>;

/// Writes of one value to one key by two micro-ops: (how many, the first).
pub type Ambiguous = (usize, Option<(KeyId, ValId)>);

/// The writer of each (key, value) of `txns`, and the writes that repeat one.
pub fn writers(txns: &Txns, clock: &mut Clock) -> Result<(Writers, Ambiguous), TimeUp> {
    let mut writer = Writers::default();
    let mut ambiguous: Ambiguous = (0, None);
    for (t, txn) in txns.list.iter().enumerate() {
        clock.tick()?;
        for (i, m) in txn.mops.iter().enumerate() {
            if let Mop::Write { key, value } = m {
                if let Entry::Vacant(e) = writer.entry(Txns::kv(*key, *value)) {
                    e.insert((t as TxnId, i as u32));
                } else {
                    ambiguous.0 += 1;
                    ambiguous.1.get_or_insert((*key, *value));
                }
            }
        }
    }
    Ok((writer, ambiguous))
}

/// Whether `txn` writes `key` at all.
pub fn writes(txn: &Txn, key: KeyId) -> bool {
    txn.mops
        .iter()
        .any(|m| matches!(m, Mop::Write { key: k, .. } if *k == key))
}

/// Whether `txn` writes `key` again after its micro-op `mop`.
pub fn writes_later(txn: &Txn, key: KeyId, mop: u32) -> bool {
    txn.mops[mop as usize + 1..]
        .iter()
        .any(|m| matches!(m, Mop::Write { key: k, .. } if *k == key))
}

/// A read inconsistent with its own transaction.
pub struct Problem {
    pub key: KeyId,
    pub mop: u32,
    pub why: String,
}

/// Report `internal`: transaction `t`'s read `p.mop` contradicts the transaction itself.
pub fn internal(ctx: &Ctx, found: &mut Found, t: TxnId, p: Problem) {
    found.report(ctx, "internal", Some(p.key), &[t], || {
        let txns = ctx.txns;
        let read = txns.read_name(&txns.list[t as usize].mops[p.mop as usize]);
        (
            format!(
                "T1's micro-op {} read key {} = {read}, but {}.\nLet:\n  {}",
                p.mop + 1,
                txns.key_name(p.key),
                p.why,
                ctx.let_line("T1", t),
            ),
            json!({"mop": p.mop}),
        )
    });
}

/// How a read of a value that was never written, or whose write failed, is told.
pub struct Unwritten<'s> {
    /// `T1 read key k = …`: what the read returned.
    pub head: String,
    /// How the data type says "written": `appended`, `written`.
    pub written: &'s str,
    /// What no transaction ever did, for a value never written: `appended 3`.
    pub never: String,
    pub data: Value,
}

/// Report `G1a` (`w`, the writer of what transaction `t` read of `key`, failed) or
/// `garbage-read` (no one wrote it, `w` None); `tell` says how.
pub fn unwritten<'s>(
    ctx: &Ctx,
    found: &mut Found,
    t: TxnId,
    key: KeyId,
    w: Option<TxnId>,
    tell: impl FnOnce() -> Unwritten<'s>,
) {
    let (kind, ids) = match w {
        Some(w) => ("G1a", vec![t, w]),
        None => ("garbage-read", vec![t]),
    };
    found.report(ctx, kind, Some(key), &ids, || {
        let Unwritten {
            head,
            written,
            never,
            data,
        } = tell();
        let text = match w {
            Some(w) => format!(
                "{head}, {written} by T2, which failed: an aborted read.\nLet:\n  {}\n  {}",
                ctx.let_line("T1", t),
                ctx.let_line("T2", w)
            ),
            None => format!(
                "{head}, but no transaction ever {never} to key {}.\nLet:\n  {}",
                ctx.txns.key_name(key),
                ctx.let_line("T1", t)
            ),
        };
        (text, data)
    });
}

/// The transactions of a history of one ok transaction of micro-ops `mops`.
#[cfg(test)]
pub fn one_txn(mops: Value, dt: super::txns::Datatype) -> Txns {
    use history::{Dialect, History, Op, OpType};
    let h = History::from_ops(
        vec![
            Op::client(0, OpType::Invoke, "txn", mops.clone()),
            Op::client(0, OpType::Ok, "txn", mops),
        ],
        Dialect::Schism,
    )
    .unwrap();
    Txns::extract(&h, dt, &mut Clock::new(None)).unwrap()
}
