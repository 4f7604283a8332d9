//! No duplicates: no entry appears twice in a committed log a correct node reported. One
//! anomaly per node, naming each duplicated entry and its indices.

use crate::consensus::node::{self, Node};
use crate::consensus::report::{show, span};
use crate::Checker;
use history::{History, Verdict};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

/// Each entry is committed once.
#[derive(Debug, Clone, Default)]
pub struct NoDuplicates;

impl Checker for NoDuplicates {
    fn name(&self) -> &str {
        "no-duplicates"
    }

    fn check(&self, history: &History) -> Verdict {
        let (faults, ledger, mut report) = super::start(self.name(), history);
        let mut reported: BTreeSet<&Node> = BTreeSet::new();
        for read in ledger.reads_of(|n| faults.is_correct(n)) {
            if reported.contains(&read.node) {
                continue;
            }
            let mut at: HashMap<&str, Vec<usize>> = HashMap::new();
            for (i, id) in read.ids.iter().enumerate() {
                at.entry(id).or_default().push(i);
            }
            let mut twice: Vec<(usize, Vec<usize>)> = at
                .into_values()
                .filter(|is| is.len() > 1)
                .map(|is| (is[0], is))
                .collect();
            if twice.is_empty() {
                continue;
            }
            twice.sort();
            reported.insert(&read.node);
            let mut text = format!(
                "{} holds {} {} more than once.\n",
                read.name(),
                twice.len(),
                if twice.len() == 1 { "entry" } else { "entries" }
            );
            for (first, is) in &twice {
                let shown: Vec<String> = is.iter().map(usize::to_string).collect();
                let _ = writeln!(
                    text,
                    "  {} at indices {}",
                    show(&read.entries[*first]),
                    shown.join(", ")
                );
            }
            text.push_str(&faults.describe());
            let dups: Vec<_> = twice
                .iter()
                .map(|(first, is)| json!({"entry": read.entries[*first], "indices": is}))
                .collect();
            let data = json!({
                "nodes": node::json([&read.node]),
                "duplicates": dups,
                "faults": faults.json(),
            });
            report.own_violation(None, text, vec![span(history, read.invoke)], data);
        }
        report.stat("logs_read", json!(ledger.reads.len()));
        report.finish()
    }
}
