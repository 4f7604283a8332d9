//! The log checker: reads the ops, builds each key's version order, and collects the
//! anomalies of every kind; lists at most [`PER_KIND`] of each kind (the rest counted, per
//! kind, in the stats); says unknown when acknowledged values remain that no read can
//! vouch for, or when a final read was asked and never answered.

use super::anomaly::{Found, KINDS};
use super::lost::{self, Ledger};
use super::ops::{self, LogKey};
use super::order::Orders;
use super::{consumers, tell};
use crate::report::Report;
use crate::Checker;
use history::{History, Malformed, OpType, Verdict};
use serde_json::json;
use std::collections::BTreeMap;

/// Anomalies of one kind listed in a verdict; the others are counted.
pub const PER_KIND: usize = 10;

/// Judges a keyed log (the `log` workload; Jepsen's and Maelstrom's kafka histories).
#[derive(Debug, Clone, Default)]
pub struct LogChecker;

impl Checker for LogChecker {
    fn name(&self) -> &str {
        "log"
    }

    fn check(&self, history: &History) -> Verdict {
        let read = ops::read(history);
        let orders = Orders::of(&read.ops);
        let ledger = Ledger::of(&read.ops);
        let mut found: Vec<Found> = Vec::new();
        let unseen = lost::check(history, &ledger, &mut found);
        orders.inconsistent(&mut found);
        orders.duplicates(&ledger.resent(), &mut found);
        consumers::check(&read.ops, &orders, &mut found);

        let mut report = Report::new("log");
        let mut counts: BTreeMap<&str, usize> = KINDS.iter().map(|k| (*k, 0)).collect();
        for kind in KINDS {
            for f in found.iter().filter(|f| f.kind() == kind) {
                let n = counts.entry(kind).or_default();
                *n += 1;
                if *n <= PER_KIND {
                    tell::tell(history, f, &mut report);
                } else {
                    report.omitted(1);
                }
            }
        }
        if let Some(reason) = undecided(history, &read, &ledger, &unseen) {
            report.cannot_judge(reason);
        }
        if let Some(&(index, ref message)) = read.malformed.first() {
            let mut m = Malformed::at(history, index, message.clone());
            m.count = read.malformed_count;
            report.malformed_ops(m);
        }
        stats(
            &mut report,
            &read.ops,
            &ledger,
            &orders,
            unseen.len(),
            &counts,
        );
        report.finish()
    }
}

/// Why the history cannot be judged whole, if it cannot.
fn undecided(
    history: &History,
    read: &ops::Read,
    ledger: &Ledger,
    unseen: &[(LogKey, ops::Elem, usize)],
) -> Option<String> {
    if ledger.sends.is_empty() && ledger.ok_polls == 0 {
        return Some(if read.ops.is_empty() {
            "no send or poll in the history: nothing to judge".to_string()
        } else {
            "no send and no ok poll: nothing to judge".to_string()
        });
    }
    let mut reasons = Vec::new();
    if let Some((key, value, send)) = unseen.first() {
        reasons.push(format!(
            "{} acknowledged send(s) were never read back and no final read was asked after \
             them (the first: value {value} to key {key}, {}), so whether they were kept is \
             unknown",
            unseen.len(),
            crate::services::common::named(history, *send)
        ));
    }
    let unanswered = ledger.unanswered();
    if !unanswered.is_empty() {
        let names: Vec<String> = unanswered
            .iter()
            .map(|k| {
                k.as_ref()
                    .map_or("every key".to_string(), |k| format!("key {k}"))
            })
            .collect();
        reasons.push(format!(
            "the final read of {} was asked but never answered ok",
            names.join(", ")
        ));
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

fn stats(
    report: &mut Report,
    ops: &[ops::LogOp],
    ledger: &Ledger,
    orders: &Orders,
    unseen: usize,
    counts: &BTreeMap<&str, usize>,
) {
    let by = |o: OpType| ledger.sends.values().filter(|s| s.outcome == o).count();
    let info = ledger.sends.len() - by(OpType::Ok) - by(OpType::Fail);
    let recovered = ledger
        .sends
        .iter()
        .filter(|(kv, s)| {
            !matches!(s.outcome, OpType::Ok | OpType::Fail) && ledger.seen.contains_key(*kv)
        })
        .count();
    for (name, v) in [
        ("ok_sends", by(OpType::Ok)),
        ("info_sends", info),
        ("failed_sends", by(OpType::Fail)),
        ("recovered_info", recovered),
        ("never_read_info", info - recovered),
        ("unseen", unseen),
        ("ok_polls", ledger.ok_polls),
        ("final_reads", ledger.finals.len()),
        ("keys", orders.keys.len()),
        ("ops", ops.len()),
    ] {
        report.stat(name, json!(v));
    }
    report.stat("counts", json!(counts));
}
