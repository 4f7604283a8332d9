//! What the service checkers share: the verdict builder of every checker (re-exported from
//! `crate::report`: violations make a verdict invalid, a history that cannot be judged
//! makes it unknown, anything else is valid), how an op is named in an explanation, and
//! which reads are final.
//!
//! A read is *final* when its invocation names the node it asks (`{"node": "n2"}`): the
//! final generator asks every node that way once the faults are healed, while the main
//! phase's reads carry no node (they go to the worker's own). A store that is one system
//! rather than a node each (the `set` workload over transactions) is read at the end as
//! `{"final": true}`, kept under the name [`STORE`]. A node's final read is its
//! last `ok` final read. The node that answered a read is taken from the completion's
//! `node` field, else the invocation's, else the op's recorded `node`.

pub use crate::report::{show, span, Report, MAX_ANOMALIES, MAX_OPS};
use history::{History, OpType, Value};
use std::collections::{BTreeMap, BTreeSet};

/// How an op is named in an explanation: `process 3's add 7 (op 12, ok at op 15, line 13)`.
pub fn named(history: &History, invoke: usize) -> String {
    let ops = history.ops();
    let op = &ops[invoke];
    let end = match history.partner(invoke) {
        Some(c) => format!("{} at op {c}", ops[c].kind.as_str()),
        None => "never completed".to_string(),
    };
    let arg = if op.value.is_null() {
        String::new()
    } else {
        format!(" {}", show(&op.value))
    };
    format!(
        "process {}'s {}{arg} (op {invoke}, {end}, line {})",
        op.process,
        op.f,
        history.line(invoke)
    )
}

/// A list of values for an explanation, at most `max` of them.
pub fn list(values: &[String], max: usize) -> String {
    let mut s = values
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if values.len() > max {
        s.push_str(&format!(", ... ({} in all)", values.len()));
    }
    s
}

/// One ok read: where it went and what it returned.
#[derive(Debug, Clone)]
pub struct Read {
    pub invoke: usize,
    pub complete: usize,
    pub node: Option<String>,
    /// Its invocation named the node: a read of the final phase.
    pub is_final: bool,
    /// What it returned (the `value` field of a `{"node", "value"}` result, else the
    /// result itself).
    pub value: Value,
}

/// The name under which a final read of the whole store (`{"final": true}`) is kept.
pub const STORE: &str = "the store";

/// The reads of a history.
#[derive(Debug, Clone, Default)]
pub struct Reads {
    /// Every ok read, in order of completion.
    pub ok: Vec<Read>,
    /// Each node's last ok final read (an index into `ok`).
    pub finals: BTreeMap<String, usize>,
    /// Nodes asked by a final read that never answered one `ok`.
    pub unanswered: Vec<String>,
}

impl Reads {
    /// The `read` ops of a history.
    pub fn of(history: &History) -> Reads {
        let ops = history.ops();
        let mut reads = Reads::default();
        let mut asked: BTreeSet<String> = BTreeSet::new();
        for (i, c) in history.client_pairs() {
            let invoke = &ops[i];
            if invoke.f != "read" {
                continue;
            }
            let named = node_field(&invoke.value);
            let of_store = invoke.value.get("final") == Some(&Value::Bool(true));
            if let Some(n) = &named {
                asked.insert(n.clone());
            } else if of_store {
                asked.insert(STORE.to_string());
            }
            let Some(c) = c.filter(|c| ops[*c].kind == OpType::Ok) else {
                continue;
            };
            let result = &ops[c].value;
            let node = if of_store {
                Some(STORE.to_string())
            } else {
                node_field(result)
                    .or_else(|| named.clone())
                    .or_else(|| invoke.node.as_ref().map(|n| n.to_string()))
            };
            let value = match result {
                Value::Object(m) if m.contains_key("value") => m["value"].clone(),
                other => other.clone(),
            };
            reads.ok.push(Read {
                invoke: i,
                complete: c,
                node,
                is_final: named.is_some() || of_store,
                value,
            });
        }
        reads.ok.sort_by_key(|r| r.complete);
        for (k, r) in reads.ok.iter().enumerate() {
            if let (true, Some(n)) = (r.is_final, &r.node) {
                reads.finals.insert(n.clone(), k);
            }
        }
        reads.unanswered = asked
            .into_iter()
            .filter(|n| !reads.finals.contains_key(n))
            .collect();
        reads
    }

    /// Why the final state cannot be judged fully (None: every node asked answered).
    pub fn unjudged(&self) -> Option<String> {
        if self.finals.is_empty() {
            return Some(
                "no final read was answered (the final phase reads every node, naming it, \
                 or a store as a whole, `{\"final\": true}`): what is held at the end is \
                 unknown, so nothing is claimed"
                    .to_string(),
            );
        }
        if self.unanswered.is_empty() {
            return None;
        }
        Some(format!(
            "{} answered no final read, so what {} at the end is unknown (a liveness \
             question); the other nodes' final reads were judged and showed no violation",
            self.unanswered.join(", "),
            if self.unanswered.len() == 1 {
                "it holds"
            } else {
                "they hold"
            }
        ))
    }
}

/// The `node` field of a value, when it is a string.
pub fn node_field(v: &Value) -> Option<String> {
    v.get("node").and_then(Value::as_str).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op};
    use serde_json::json;

    #[test]
    fn a_nodes_final_read_is_its_last_ok_read_naming_it() {
        let ops = vec![
            Op::client(0, OpType::Invoke, "read", json!(null)),
            Op::client(0, OpType::Ok, "read", json!({"node": "n1", "value": [1]})),
            Op::client(0, OpType::Invoke, "read", json!({"node": "n1"})),
            Op::client(
                0,
                OpType::Ok,
                "read",
                json!({"node": "n1", "value": [1, 2]}),
            ),
            Op::client(1, OpType::Invoke, "read", json!({"node": "n2"})),
            Op::client(1, OpType::Fail, "read", json!(null)),
            Op::client(0, OpType::Invoke, "read", json!(null)),
            Op::client(0, OpType::Ok, "read", json!({"node": "n1", "value": [9]})),
        ];
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let r = Reads::of(&h);
        assert_eq!(r.ok.len(), 3);
        let f = &r.ok[r.finals["n1"]];
        assert_eq!((f.invoke, f.value.clone()), (2, json!([1, 2])));
        assert_eq!(r.unanswered, vec!["n2".to_string()]);
        assert!(r.unjudged().unwrap().contains("n2 answered no final read"));
    }
}
