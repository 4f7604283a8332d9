//! A replicated-ledger history as data: the submissions (`submit`, `{"node", "entry"}`;
//! acknowledged when ok) and the committed logs nodes reported (`log`, ok answers
//! `{"node", "entries": [...]}`). Entries are compared by their JSON text. A submission
//! counts as submitted whatever its outcome (a failed one may still have been logged: a
//! phantom is only an entry nobody ever submitted).

use crate::consensus::faulty::Faults;
use crate::consensus::node::Node;
use crate::consensus::report::no_final_phase;
use history::{History, Malformed, OpType, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One `submit`.
#[derive(Debug, Clone)]
pub struct Submission {
    pub node: Node,
    pub entry: Value,
    pub acked: bool,
    pub invoke: usize,
}

/// One ok answer to `log`: a node's committed log at that moment.
#[derive(Debug, Clone)]
pub struct LogRead {
    pub node: Node,
    pub entries: Vec<Value>,
    /// The entries' JSON texts, for comparing.
    pub ids: Vec<String>,
    pub invoke: usize,
    /// The line of the answer.
    pub line: usize,
}

impl LogRead {
    /// "n2's log (line 40)".
    pub fn name(&self) -> String {
        format!("{}'s log (line {})", self.node, self.line)
    }
}

/// A whole ledger run.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub submissions: Vec<Submission>,
    /// Submissions by entry text.
    pub submitted: HashMap<String, Vec<usize>>,
    /// Ok log answers, in history order.
    pub reads: Vec<LogRead>,
    /// Each node's `log` invocations, whatever their outcome.
    pub asked: BTreeMap<Node, Vec<usize>>,
    /// Every node a client op named.
    pub nodes: BTreeSet<Node>,
    /// Whether there is a final phase (any `log` invocation).
    pub final_phase: bool,
    /// Ops lacking a field they need: the first, and how many.
    pub malformed: Option<Malformed>,
}

/// An entry's identity.
pub fn id(entry: &Value) -> String {
    entry.to_string()
}

impl Ledger {
    pub fn read(history: &History) -> Ledger {
        let mut l = Ledger::default();
        let ops = history.ops();
        for (i, c) in history.client_pairs() {
            let op = &ops[i];
            if op.f != "submit" && op.f != "log" {
                continue;
            }
            let Some(node) = op.value.get("node").and_then(Value::as_str).map(Node::new) else {
                Malformed::at(history, i, format!("the {} names no node", op.f))
                    .merge_into(&mut l.malformed);
                continue;
            };
            l.nodes.insert(node.clone());
            let ok = c.map(|c| &ops[c]).filter(|c| c.kind == OpType::Ok);
            if op.f == "submit" {
                let Some(entry) = op.value.get("entry") else {
                    Malformed::at(history, i, "the submit carries no \"entry\"")
                        .merge_into(&mut l.malformed);
                    continue;
                };
                l.submitted
                    .entry(id(entry))
                    .or_default()
                    .push(l.submissions.len());
                l.submissions.push(Submission {
                    node,
                    entry: entry.clone(),
                    acked: ok.is_some(),
                    invoke: i,
                });
                continue;
            }
            l.final_phase = true;
            l.asked.entry(node.clone()).or_default().push(i);
            let Some(ok) = ok else { continue };
            let Some(entries) = ok.value.get("entries").and_then(Value::as_array) else {
                let why = "the answer to the log read has no \"entries\" list";
                Malformed::at(history, ok.index as usize, why).merge_into(&mut l.malformed);
                continue;
            };
            l.reads.push(LogRead {
                node,
                ids: entries.iter().map(id).collect(),
                entries: entries.clone(),
                invoke: i,
                line: history.line(ok.index as usize),
            });
        }
        l
    }

    /// The log reads of nodes `keep` accepts.
    pub fn reads_of<'a>(
        &'a self,
        keep: impl Fn(&Node) -> bool + 'a,
    ) -> impl Iterator<Item = &'a LogRead> + 'a {
        self.reads.iter().filter(move |r| keep(&r.node))
    }

    /// Why the logs cannot be judged, if they cannot: no final phase, or no correct node
    /// answered it (nothing was observed).
    pub fn unjudgeable(&self, faults: &Faults) -> Option<String> {
        if !self.final_phase {
            return Some(no_final_phase("log"));
        }
        if self.reads_of(|n| faults.is_correct(n)).next().is_none() {
            return Some(
                "no correct node answered the final log read, so no committed log was observed"
                    .into(),
            );
        }
        None
    }

    /// Each node's final log: its last ok answer.
    pub fn final_logs(&self) -> BTreeMap<&Node, &LogRead> {
        self.reads.iter().map(|r| (&r.node, r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op};
    use serde_json::json;

    #[test]
    fn reads_submissions_and_logs_keeping_the_last_log_per_node() {
        let ops = vec![
            Op::client(
                0,
                OpType::Invoke,
                "submit",
                json!({"node": "n1", "entry": "a"}),
            ),
            Op::client(0, OpType::Ok, "submit", json!(null)),
            Op::client(0, OpType::Invoke, "submit", json!({"node": "n1"})),
            Op::client(0, OpType::Fail, "submit", json!(null)),
            Op::client(0, OpType::Invoke, "log", json!({"node": "n1"})),
            Op::client(0, OpType::Ok, "log", json!({"node": "n1", "entries": []})),
            Op::client(0, OpType::Invoke, "log", json!({"node": "n1"})),
            Op::client(
                0,
                OpType::Ok,
                "log",
                json!({"node": "n1", "entries": ["a"]}),
            ),
        ];
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let l = Ledger::read(&h);
        assert_eq!(l.malformed.as_ref().map(|m| m.count), Some(1));
        assert!(l.submissions[0].acked);
        assert_eq!(l.reads.len(), 2);
        assert_eq!(l.final_logs()[&Node::new("n1")].ids, ["\"a\""]);
        assert_eq!(l.final_logs()[&Node::new("n1")].line, 8);
    }
}
