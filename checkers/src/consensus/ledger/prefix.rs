//! Log prefix: no two committed logs a correct node reported hold different entries at the
//! same index (so every log is a prefix of a longer one). A node's own reads are compared
//! too: a committed entry must never be replaced. The first index where logs differ is
//! reported, with how many indices differ in all.

use crate::consensus::node::{self, Node};
use crate::consensus::report::{show, span};
use crate::Checker;
use history::{History, Value, Verdict};
use serde_json::json;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Correct logs never fork.
#[derive(Debug, Clone, Default)]
pub struct LogPrefix;

impl Checker for LogPrefix {
    fn name(&self) -> &str {
        "log-prefix"
    }

    fn check(&self, history: &History) -> Verdict {
        let (faults, ledger, mut report) = super::start(self.name(), history);
        let reads: Vec<_> = ledger.reads_of(|n| faults.is_correct(n)).collect();
        let longest = reads.iter().map(|r| r.ids.len()).max().unwrap_or(0);
        let mut first = None;
        let mut divergent = 0;
        for i in 0..longest {
            // The distinct entries at index i, each with the reads holding it.
            let mut at: Vec<(&str, &Value, Vec<usize>)> = Vec::new();
            for (r, read) in reads.iter().enumerate() {
                let Some(id) = read.ids.get(i) else { continue };
                match at.iter_mut().find(|(e, _, _)| e == id) {
                    Some((_, _, rs)) => rs.push(r),
                    None => at.push((id, &read.entries[i], vec![r])),
                }
            }
            if at.len() > 1 {
                divergent += 1;
                first.get_or_insert((i, at));
            }
        }
        if let Some((i, at)) = first {
            let nodes: BTreeSet<&Node> = at
                .iter()
                .flat_map(|(_, _, rs)| rs.iter().map(|r| &reads[*r].node))
                .collect();
            let mut text = format!(
                "log index {i}: the committed logs of correct nodes {} hold different entries.\n",
                node::list(nodes.iter().copied())
            );
            for (_, entry, rs) in &at {
                let holders: Vec<String> = rs.iter().map(|r| reads[*r].name()).collect();
                let _ = writeln!(text, "  {} in {}", show(entry), holders.join(", "));
            }
            let _ = writeln!(text, "  {divergent} indices differ in all");
            text.push_str(&faults.describe());
            let entries: Vec<Value> = at
                .iter()
                .map(|(_, e, rs)| {
                    let ns: BTreeSet<&Node> = rs.iter().map(|r| &reads[*r].node).collect();
                    json!({"entry": e, "nodes": node::json(ns)})
                })
                .collect();
            let data = json!({
                "index": i,
                "nodes": node::json(nodes.iter().copied()),
                "entries": entries,
                "divergent_indices": divergent,
                "faults": faults.json(),
            });
            let ops = at
                .iter()
                .flat_map(|(_, _, rs)| rs.iter().map(|r| span(history, reads[*r].invoke)))
                .collect();
            report.own_violation(None, text, ops, data);
        }
        report.stat("logs_read", json!(reads.len()));
        report.stat("longest_log", json!(longest));
        report.finish()
    }
}
