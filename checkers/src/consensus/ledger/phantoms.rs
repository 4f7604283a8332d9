//! No phantoms: every entry in a committed log a correct node reported was submitted by a
//! client. One anomaly per phantom entry, naming the nodes and indices holding it.

use crate::consensus::node::{self, Node};
use crate::consensus::report::{show, span};
use crate::Checker;
use history::{History, Value, Verdict};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// Where a phantom entry was seen: each node's first index holding it, with the log read.
type Seen<'a> = BTreeMap<&'a Node, (usize, usize)>;

/// Logs hold only submitted entries.
#[derive(Debug, Clone, Default)]
pub struct NoPhantoms;

impl Checker for NoPhantoms {
    fn name(&self) -> &str {
        "no-phantoms"
    }

    fn check(&self, history: &History) -> Verdict {
        let (faults, ledger, mut report) = super::start(self.name(), history);
        // Each phantom entry, in order of first sight, with where it was seen.
        let mut phantoms: Vec<(&str, &Value, Seen)> = Vec::new();
        let mut found: HashMap<&str, usize> = HashMap::new();
        for read in ledger.reads_of(|n| faults.is_correct(n)) {
            for (i, id) in read.ids.iter().enumerate() {
                if ledger.submitted.contains_key(id) {
                    continue;
                }
                let k = *found.entry(id).or_insert_with(|| {
                    phantoms.push((id, &read.entries[i], BTreeMap::new()));
                    phantoms.len() - 1
                });
                phantoms[k].2.entry(&read.node).or_insert((i, read.invoke));
            }
        }
        for (_, entry, seen) in &phantoms {
            let places: Vec<String> = seen
                .iter()
                .map(|(n, (i, _))| format!("{n} at index {i}"))
                .collect();
            let text = format!(
                "entry {} was never submitted, yet correct nodes committed it: {}.\n{}",
                show(entry),
                places.join(", "),
                faults.describe()
            );
            let data = json!({
                "entry": entry,
                "nodes": node::json(seen.keys().copied()),
                "indices": node::json_by_name(seen.iter().map(|(n, (i, _))| (*n, i))),
                "faults": faults.json(),
            });
            let ops = seen.values().map(|(_, inv)| span(history, *inv)).collect();
            report.own_violation(None, text, ops, data);
        }
        report.stat("submitted", json!(ledger.submissions.len()));
        report.stat("logs_read", json!(ledger.reads.len()));
        report.finish()
    }
}
