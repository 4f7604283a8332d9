//! No lost acknowledgements: every submission acknowledged (ok) is in the final log of at
//! least one correct node; one in none is `lost`. Unknown when no correct node answered the
//! final log read (there is nothing to find the entries in).

use super::logs::id;
use crate::consensus::node::{self, Node};
use crate::consensus::report::{show, span};
use crate::Checker;
use history::{History, Verdict};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

/// What was acknowledged survives somewhere.
#[derive(Debug, Clone, Default)]
pub struct NoLostAcks;

impl Checker for NoLostAcks {
    fn name(&self) -> &str {
        "no-lost-acks"
    }

    fn check(&self, history: &History) -> Verdict {
        let (faults, ledger, mut report) = super::start(self.name(), history);
        let finals: BTreeMap<&Node, _> = ledger
            .final_logs()
            .into_iter()
            .filter(|(n, _)| faults.is_correct(n))
            .collect();
        let held: HashSet<&str> = finals
            .values()
            .flat_map(|r| r.ids.iter().map(String::as_str))
            .collect();
        let mut acked = 0;
        let mut seen: HashSet<String> = HashSet::new();
        for s in ledger.submissions.iter().filter(|s| s.acked) {
            acked += 1;
            let e = id(&s.entry);
            if finals.is_empty() || held.contains(e.as_str()) || !seen.insert(e) {
                continue;
            }
            let logs: Vec<String> = finals
                .values()
                .map(|r| format!("{}'s ({} entries, line {})", r.node, r.ids.len(), r.line))
                .collect();
            let text = format!(
                "entry {} was acknowledged by {} but is in no correct node's final log.\n  \
                 final logs read: {}\n{}",
                show(&s.entry),
                s.node,
                logs.join(", "),
                faults.describe()
            );
            let data = json!({
                "entry": s.entry,
                "acknowledged_by": s.node.0,
                "nodes": node::json(finals.keys().copied()),
                "faults": faults.json(),
            });
            let ops = std::iter::once(s.invoke)
                .chain(finals.values().map(|r| r.invoke))
                .map(|i| span(history, i))
                .collect();
            report.violation("lost", text, ops, data);
        }
        report.stat("acknowledged", json!(acked));
        report.stat("final_logs", json!(finals.len()));
        report.finish()
    }
}
